"""Reductions over axes, arg-reductions, and softmax-like normalizations along axes."""

from __future__ import annotations

from infer.dialects.infer.base import InferOp

REDUCTION_OPS: list[type[InferOp]] = []
