"""Semantics of the ops in `infer.dialects.infer.reduction`."""

from __future__ import annotations
