"""Benchmarks: `python -m benchmarks.bench` (performance targets), `python -m benchmarks.eval_embeddings`."""
