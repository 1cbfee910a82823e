"""Composite normalizations: batch, instance and layer normalization."""

from __future__ import annotations

from infer.dialects.infer.base import InferOp

NORMALIZATION_OPS: list[type[InferOp]] = []
