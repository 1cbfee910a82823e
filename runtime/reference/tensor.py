"""Semantics of the data-movement ops."""

from __future__ import annotations

import numpy as np

from infer.diagnostics import InferError
from infer.dialects.infer.base import dims_of, ints_of
from infer.dialects.infer.tensor import ReshapeOp, SqueezeOp, TransposeOp, UnsqueezeOp
from infer.runtime.interpreter import reference


@reference(UnsqueezeOp)
def _unsqueeze(op: UnsqueezeOp, x: np.ndarray) -> np.ndarray:
    rank = len(dims_of(op.result.type))
    axes = sorted(a % rank for a in op.axes.get_values())
    return np.expand_dims(x, tuple(axes))


@reference(SqueezeOp)
def _squeeze(op: SqueezeOp, x: np.ndarray) -> np.ndarray:
    axes = tuple(sorted(a % x.ndim for a in ints_of(op.axes)))
    wrong = [a for a in axes if x.shape[a] != 1]
    if wrong:
        raise InferError(f"infer.squeeze axis {wrong[0]} has size {x.shape[wrong[0]]} at run time, not 1")
    return np.squeeze(x, axes)


@reference(ReshapeOp)
def _reshape(op: ReshapeOp, x: np.ndarray, shape: np.ndarray | None = None) -> np.ndarray:
    if shape is None:
        target = [-1 if d is None else d for d in dims_of(op.result.type)]
    else:
        target = [int(d) for d in shape.reshape(-1)]
        if any(d < -1 for d in target) or target.count(-1) > 1:
            raise InferError(f"infer.reshape shape {target} must hold sizes and at most one -1")
    if -1 in target:
        known = int(np.prod([d for d in target if d != -1]))
        if known == 0 or x.size % known:
            raise InferError(f"infer.reshape cannot reshape {list(x.shape)} to {target}")
    elif int(np.prod(target)) != x.size:
        raise InferError(f"infer.reshape cannot reshape {list(x.shape)} to {target}")
    return x.reshape(target)


@reference(TransposeOp)
def _transpose(op: TransposeOp, x: np.ndarray) -> np.ndarray:
    return np.transpose(x, ints_of(op.perm))
