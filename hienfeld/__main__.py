"""Command line: `python -m hienfeld analyze ...` (in-process, same pipeline as the service) and
`python -m hienfeld synth ...` (labelled test data)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .config import load_settings
from .errors import InputError
from .options import AnalysisOptions
from .pipeline import AnalysisInput, run_analysis


def _blob(path: str) -> tuple[str, bytes]:
    p = Path(path)
    return p.name, p.read_bytes()


def _analyze(args: argparse.Namespace) -> int:
    from .models import LocalModels
    settings = load_settings()
    inputs = AnalysisInput(
        policy=_blob(args.policy_file),
        conditions=[_blob(f) for f in args.conditions],
        library=[_blob(f) for f in args.library],
        reference=_blob(args.reference) if args.reference else None,
    )
    options = AnalysisOptions(cluster_accuracy=args.accuracy, min_frequency=args.min_frequency,
                              analysis_mode=args.mode, use_semantic=not args.no_semantic,
                              extra_instruction=Path(args.instructions).read_text("utf-8") if args.instructions else "")
    progress = (lambda pct, msg: print(f"{pct:3d}% {msg}", file=sys.stderr)) if args.verbose else (lambda *a: None)
    try:
        with open(args.out, "wb") as out:
            result = run_analysis(inputs, options, LocalModels(settings.spacy_model), settings, progress,
                                  report_out=out)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summary = {"report": str(args.out), "stats": result.stats}
    if args.results:
        summary["results"] = result.result_rows()
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


def _synth(args: argparse.Namespace) -> int:
    from .synth import generate
    paths = generate(args.rows, Path(args.out), seed=args.seed)
    print(json.dumps({k: str(v) for k, v in paths.items()}, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hienfeld")
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyze", help="analyse a policy export in this process")
    a.add_argument("policy_file")
    a.add_argument("--conditions", nargs="*", default=[], metavar="F")
    a.add_argument("--library", nargs="*", default=[], metavar="F")
    a.add_argument("--reference", metavar="F")
    a.add_argument("--mode", default="balanced", help="an analysis mode of configs/analysis.yaml "
                   "(shipped: fast, balanced, accurate)")
    a.add_argument("--accuracy", type=int, default=90)
    a.add_argument("--min-frequency", type=int, default=20)
    a.add_argument("--instructions", metavar="F", help="file with custom instructions")
    a.add_argument("--no-semantic", action="store_true")
    a.add_argument("--results", action="store_true", help="include the per-cluster rows in the JSON")
    a.add_argument("--out", required=True)
    a.add_argument("-v", "--verbose", action="store_true")
    a.set_defaults(func=_analyze)
    s = sub.add_parser("synth", help="generate a labelled policy export, conditions and library")
    s.add_argument("--rows", type=int, default=10_000)
    s.add_argument("--out", required=True)
    s.add_argument("--seed", type=int, default=0)
    s.set_defaults(func=_synth)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
