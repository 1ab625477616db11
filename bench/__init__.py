"""Benchmarks for Comptoir (run from the repo root: `python -m bench.<name>`; see bench/README.md)."""
