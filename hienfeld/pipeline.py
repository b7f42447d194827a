"""One analysis: policy file (+ conditions, library, reference) -> clusters, advice, report.

`run_analysis` strings the stages together, each owned by its module with plain data in and out:
read (ingest.py) -> mask and cluster (cluster.py) -> merge (merge.py, variants.py) -> match
(matching.py) -> advise (advising.py, the waterfall in advice.py) -> report (report.py). Steps
report progress through a callback (which may raise `Cancelled`); every phase is timed. Models are
reached only through a `ModelBackend`, with unique texts only (semantics.py). What is kept between
analyses is the caller's `AnalysisCache` (cache.py).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import BinaryIO

from .advising import advise_clusters, waterfall_config
from .cache import AnalysisCache, input_key, report_fingerprint
from .cluster import build_clusters
from .config import Settings, Thresholds
from .ingest import AnalysisInput, read_inputs
from .instructions import parse_instructions
from .matching import match_clusters
from .merge import merge_variants
from .models import ModelBackend
from .options import AnalysisOptions
from .reference import compare_with_reference
from .report import write_result_report
from .results import AnalysisResult, AnalysisStats, make_stats
from .semantics import Asked, Semantics
from .timing import PhaseTimer
from .variants import find_variants

__all__ = ["AnalysisInput", "AnalysisResult", "AnalysisStats", "Cancelled", "Progress", "run_analysis"]

Progress = Callable[[int, str], None]


class Cancelled(Exception):
    """Raised by a progress callback when the job was cancelled."""


def run_analysis(inp: AnalysisInput, options: AnalysisOptions, models: ModelBackend, settings: Settings,
                 progress: Progress = lambda pct, msg: None, report_out: BinaryIO | None = None,
                 today: dt.date | None = None, cache: AnalysisCache | None = None) -> AnalysisResult:
    """Analyse and, with `report_out`, write the Excel report. With a `cache` (the caller's), a
    recent analysis of the same inputs is reused when the models still answer the same, and with
    its report folder a report for the same inputs and results is copied instead of written."""
    options.validate(settings)
    today = today or dt.date.today()
    timer, started = PhaseTimer(), time.perf_counter()
    thresholds = settings.thresholds_for(options.analysis_mode, options.use_semantic)
    key = input_key(inp, options, settings, today)
    result = cache.reuse(key, models, timer) if cache is not None else None
    if result is None:
        result, asked = _analyse(inp, options, models, settings, thresholds, progress, today, timer)
        if cache is not None:
            cache.store(key, result, asked)
    else:
        progress(80, "Eerder resultaat hergebruikt...")
    report_reused = None
    if report_out is not None:
        progress(90, "Rapport maken...")
        long_text_chars = int(thresholds["too_long_chars"])
        with timer.phase("report"):
            if cache is None or cache.reports is None:
                write_result_report(report_out, result, long_text_chars)
            else:
                report_reused = cache.reports.write_or_reuse(
                    report_out, report_fingerprint(inp, result, long_text_chars),
                    lambda out: write_result_report(out, result, long_text_chars))
    timer.timings["total"] = round(time.perf_counter() - started, 3)
    progress(100, "Analyse voltooid!")
    return result.with_stats(report_reused=report_reused, timings=tuple(timer.timings.items()))


def _analyse(inp: AnalysisInput, options: AnalysisOptions, models: ModelBackend, settings: Settings,
             thresholds: Thresholds, progress: Progress, today: dt.date,
             timer: PhaseTimer) -> tuple[AnalysisResult, Asked]:
    mode = settings.mode(options.analysis_mode)
    embedding_model = mode.embedding_model if options.use_semantic else None
    weights = dict(mode.weights) if options.use_semantic else {"fuzzy": 1.0}
    instructions = parse_instructions(options.extra_instruction, settings.limits.max_instruction_chars)

    progress(5, "Bestand inlezen...")
    with timer.phase("read"):
        read = read_inputs(inp, options.use_conditions, settings.limits, settings.conditions.chunk_chars)
    table, chunks, library = read.table, read.chunks, read.library

    progress(20, "Slim clusteren...")
    with timer.phase("clustering"):
        clusters, row_cluster = build_clusters(table, options.cluster_accuracy / 100, settings)

    semantics = Semantics(models, embedding_model, timer)
    # balanced and accurate: the resident models merge what the characters split; fast: n-grams
    progress(35, "Varianten samenvoegen...")
    with timer.phase("merging"):
        clusters, row_cluster, slots = merge_variants(clusters, table, semantics, thresholds,
                                                      settings.clustering.candidates)
    with timer.phase("variants"):
        found = find_variants(table.texts, row_cluster, [c.leader_text for c in clusters], slots)

    progress(45, "Analyseren...")
    need_models = bool(options.use_semantic and (chunks or library or instructions or embedding_model))
    evidence = match_clusters(clusters, chunks, library, instructions, semantics, need_models, weights, thresholds,
                              settings.clustering.candidates, progress, timer)

    progress(80, "Advies bepalen...")
    with timer.phase("advice"):
        cfg = waterfall_config(options, settings, thresholds, instructions, with_conditions=bool(chunks))
        row_advice = advise_clusters(clusters, row_cluster, table.texts, evidence, chunks, library, semantics,
                                     cfg, settings.deviation_markers, today)

    comparison = None
    if read.reference is not None:
        with timer.phase("reference"):
            comparison = compare_with_reference(read.reference, table.texts, table.policy_numbers,
                                                [(row_advice.get(r) or clusters[c].advice).code
                                                 for r, c in enumerate(row_cluster)])

    stats = make_stats(table, clusters, chunks, library, options.analysis_mode, options.use_semantic, weights,
                       embedding_model, models.pipeline_name() if need_models else None, comparison,
                       read.warnings)
    result = AnalysisResult(table, tuple(clusters), tuple(row_cluster), comparison, stats, row_advice, found)
    return result, semantics.asked()
