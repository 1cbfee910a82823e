"""Semantics of the ops in `infer.dialects.infer.normalization`."""

from __future__ import annotations
