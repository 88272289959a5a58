"""``python -m benchmarks``: run every benchmark (see benchmarks/run.py)."""

from .run import main

main()
