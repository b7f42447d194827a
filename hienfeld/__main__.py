"""Command line, installed as `hienfeld` (also `python -m hienfeld`):

- `hienfeld analyze ...`: in-process, the same pipeline as the service; JSON summary on stdout,
  a progress bar on stderr when it is a terminal;
- `hienfeld serve`: `serve run` of the packaged serve_config.yaml (the web page and the API).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .cache import AnalysisCache
from .config import load_settings, packaged_config
from .errors import InputError
from .options import AnalysisOptions
from .pipeline import AnalysisInput, run_analysis

Progress = Callable[[int, str], None]


def _blob(path: str) -> tuple[str, bytes]:
    p = Path(path)
    return p.name, p.read_bytes()


@contextmanager
def _progress(verbose: bool) -> Iterator[Progress]:
    """-v: one line per step (for logs); else a bar, which tqdm leaves out when stderr is no terminal."""
    if verbose:
        yield lambda pct, msg: print(f"{pct:3d}% {msg}", file=sys.stderr)
        return
    from tqdm import tqdm
    with tqdm(total=100, file=sys.stderr, disable=None, bar_format="{l_bar}{bar}| {elapsed}") as bar:
        def update(pct: int, msg: str) -> None:
            bar.set_description_str(msg.rstrip("."), refresh=False)
            bar.n = pct  # the pipeline reports where it is, not how far it moved
            bar.refresh()
        yield update


def _analyze(args: argparse.Namespace) -> int:
    from .models import LocalModels
    settings = load_settings()
    try:
        inputs = AnalysisInput(
            policy=_blob(args.policy_file),
            conditions=[_blob(f) for f in args.conditions],
            library=[_blob(f) for f in args.library],
            reference=_blob(args.reference) if args.reference else None,
        )
        instruction = Path(args.instructions).read_text("utf-8") if args.instructions else ""
    except OSError as exc:
        print(f"error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    options = AnalysisOptions(cluster_accuracy=args.accuracy, min_frequency=args.min_frequency,
                              analysis_mode=args.mode, use_semantic=not args.no_semantic,
                              extra_instruction=instruction)
    try:
        with open(args.out, "wb") as out, _progress(args.verbose) as progress:
            result = run_analysis(inputs, options, LocalModels(settings.spacy_model), settings, progress,
                                  report_out=out, cache=AnalysisCache())
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summary = {"report": str(args.out), "stats": result.stats.as_dict()}
    if args.results:
        from deployments.rows import result_rows  # the API's row shape, as the service answers
        summary["results"] = result_rows(result)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Replaces this process with `serve run`, so Ctrl-C and signals reach Serve itself."""
    import yaml
    from deployments import dashboard_info, environment
    data_dir = environment.data_dir()
    # Ray's workers need not share this working directory: they get the data folder by name.
    os.environ["HIENFELD_DATA_DIR"] = str(data_dir)
    # Ray starts its workers at niceness 15, so an analysis would yield to anything else on the
    # node; the replicas are the service here (an operator's own setting wins)
    os.environ.setdefault("RAY_worker_niceness", "0")
    config = packaged_config("serve_config.yaml")
    if args.port:
        raw = yaml.safe_load(config.read_text(encoding="utf-8"))
        raw["http_options"]["port"] = args.port
        data_dir.mkdir(parents=True, exist_ok=True)
        config = data_dir / "serve_config.yaml"  # what runs, for `serve run`, which reads a file
        config.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    dashboard_info.main(config)
    command = [sys.executable, "-m", "ray.serve.scripts", "run", str(config), *args.serve_args]
    sys.stdout.flush()
    os.execv(sys.executable, command)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hienfeld")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyze", help="analyse a policy export in this process")
    a.add_argument("policy_file")
    a.add_argument("--conditions", nargs="*", default=[], metavar="F")
    a.add_argument("--library", nargs="*", default=[], metavar="F")
    a.add_argument("--reference", metavar="F")
    a.add_argument("--mode", default="balanced", help="an analysis mode of analysis.yaml "
                   "(shipped: fast, balanced, accurate)")
    a.add_argument("--accuracy", type=int, default=90)
    a.add_argument("--min-frequency", type=int, default=20)
    a.add_argument("--instructions", metavar="F", help="file with custom instructions")
    a.add_argument("--no-semantic", action="store_true")
    a.add_argument("--results", action="store_true", help="include the per-cluster rows in the JSON")
    a.add_argument("--out", required=True)
    a.add_argument("-v", "--verbose", action="store_true", help="one progress line per step instead of a bar")
    a.set_defaults(func=_analyze)
    v = sub.add_parser("serve", help="serve the web page and the API (serve run of the packaged serve_config.yaml)",
                       description="Further arguments go to `serve run`, e.g. --address auto to join a "
                                   "running cluster.")
    v.add_argument("--port", type=int, help="HTTP port instead of serve_config.yaml's 8000")
    v.set_defaults(func=_serve)
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "serve":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.serve_args = extra
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
