"""Semantics of the ops in `infer.dialects.infer.matmul`."""

from __future__ import annotations

import numpy as np

from infer.dialects.infer.epilogue import optional_operands
from infer.dialects.infer.matmul import GemmOp, MatmulOp
from infer.runtime.interpreter import reference
from infer.runtime.reference.nn import add_residual, apply_epilogue


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`a @ b`; floats narrower than f32 are multiplied in f32 (BLAS, and better sums)."""
    if np.issubdtype(a.dtype, np.floating) and a.dtype.itemsize < 4:
        return np.matmul(a.astype(np.float32), b.astype(np.float32))
    return np.matmul(a, b)


@reference(MatmulOp)
def _matmul(op: MatmulOp, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _product(a, b).astype(a.dtype, copy=False)


@reference(GemmOp)
def _gemm(op: GemmOp, a: np.ndarray, b: np.ndarray, *rest: np.ndarray) -> np.ndarray:
    c, r = optional_operands(op, ("c", "residual"), rest)
    dtype = a.dtype
    if op.trans_a is not None:
        a = a.T
    if op.trans_b is not None:
        b = b.T
    y = _product(a, b)
    if op.alpha_value != 1.0:
        y = y * y.dtype.type(op.alpha_value)
    if c is not None:
        y = y + (c if op.beta_value == 1.0 else c * y.dtype.type(op.beta_value))
    return apply_epilogue(add_residual(y.astype(dtype, copy=False), r), op.epilogue)  # type: ignore[arg-type]
