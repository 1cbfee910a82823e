"""Composite activations: ops with parameters or several forms, each with a decomposition."""

from __future__ import annotations

from infer.dialects.infer.base import InferOp

ACTIVATION_OPS: list[type[InferOp]] = []
