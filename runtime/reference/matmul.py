"""Semantics of the ops in `infer.dialects.infer.matmul`."""

from __future__ import annotations
