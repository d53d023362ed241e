"""Benchmarks: run with ``make bench`` (see docs/benchmarks.md). Not collected by pytest."""
