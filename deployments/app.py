"""The application graph: Ingress -> Analyzer -> (DutchParser, Embedder).

`hienfeld serve` (`serve run` of hienfeld/configs/serve_config.yaml) imports `deployments.app:app`; every
tunable (replicas, CPUs, autoscaling, batch sizes, cache capacities) is set in that file, not here.
"""

from __future__ import annotations

from typing import Any

from hienfeld.config import load_settings

from .analyzer import Analyzer
from .embedder import Embedder
from .ingress import Ingress
from .parser import DutchParser


def build_app(deployment_options: list[dict[str, Any]] | None = None):
    """The graph; `deployment_options` (serve_config.yaml's `deployments` list) override per name,
    which lets tests run the file's settings through `serve.run`.

    Each deployment takes its settings as constructor arguments (`environment`, `settings`; see
    deployments/environment.py); none are bound here, so each replica reads its own environment
    and analysis.yaml, which an operator may set per node or per deployment. The configuration is
    validated here once too: a broken analysis.yaml stops `serve run` before any replica starts."""
    load_settings()
    options = {d["name"]: {k: v for k, v in d.items() if k != "name"} for d in deployment_options or []}
    def bound(deployment, *args):
        return deployment.options(**options.get(deployment.name, {})).bind(*args)
    parser = bound(DutchParser)
    embedder = bound(Embedder)
    analyzer = bound(Analyzer, parser, embedder)
    return bound(Ingress, analyzer, parser, embedder)


app = build_app()
