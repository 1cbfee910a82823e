"""Execution: the reference interpreter (`interpreter.py`, semantics in `reference/`)."""
