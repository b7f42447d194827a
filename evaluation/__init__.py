"""Evaluation beside the product, not in it: the tuning corpus generator (`evaluation.synth`), the
truth schema every corpus writes (`evaluation.truth`) and the scorer that reads it
(`evaluation.quality`). Used by the tests and the benchmarks from a checkout; not in the wheel."""
