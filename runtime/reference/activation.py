"""Semantics of the ops in `infer.dialects.infer.activation`."""

from __future__ import annotations
