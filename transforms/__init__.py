"""Rewrites within the `infer` dialect, one module per pass (its flag in snake_case)."""
