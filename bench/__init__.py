"""Benchmarks and the synthetic data they run on (see docs/performance.md)."""
