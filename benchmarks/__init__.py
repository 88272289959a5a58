"""Benchmarks of ACS Bridge against the bundled simulator (run with scripts/bench)."""
