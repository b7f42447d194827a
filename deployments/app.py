"""The application graph: Ingress -> Analyzer -> (DutchParser, Embedder).

`serve run serve_config.yaml` imports `deployments.app:app`; every tunable (replicas, CPUs,
autoscaling, batch sizes, cache capacities) is set in that file, not here.
"""

from __future__ import annotations

from .analyzer import Analyzer
from .embedder import Embedder
from .ingress import Ingress
from .parser import DutchParser


def build_app():
    parser = DutchParser.bind()
    embedder = Embedder.bind()
    analyzer = Analyzer.bind(parser, embedder)
    return Ingress.bind(analyzer, parser, embedder)


app = build_app()
