"""Benchmarks that print JSON: each figure next to a baseline measured in the same run."""
