"""Semantics of the ops in `infer.dialects.infer.matmul`."""

from __future__ import annotations

import numpy as np

from infer.dialects.infer.matmul import GemmOp, MatmulOp
from infer.runtime.interpreter import reference


@reference(MatmulOp)
def _matmul(op: MatmulOp, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.matmul(a, b)


@reference(GemmOp)
def _gemm(op: GemmOp, a: np.ndarray, b: np.ndarray, c: np.ndarray | None = None) -> np.ndarray:
    dtype = a.dtype
    if op.trans_a is not None:
        a = a.T
    if op.trans_b is not None:
        b = b.T
    y = np.matmul(a, b)
    if op.alpha_value != 1.0:
        y = y * dtype.type(op.alpha_value)
    if c is not None:
        y = y + (c if op.beta_value == 1.0 else c * dtype.type(op.beta_value))
    return y.astype(dtype, copy=False)
