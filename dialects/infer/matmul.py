"""Matrix products: `infer.matmul` (core) and `infer.gemm` (composite)."""

from __future__ import annotations

from infer.dialects.infer.base import InferOp

MATMUL_OPS: list[type[InferOp]] = []
