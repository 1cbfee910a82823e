"""Semantics of the ops in `infer.dialects.infer.quantization`."""

from __future__ import annotations

import numpy as np

from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import element_of
from infer.dialects.infer.quantization import DequantizeLinearOp, QuantizeLinearOp
from infer.runtime.interpreter import reference


def _expand(op: QuantizeLinearOp | DequantizeLinearOp, p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Blocked parameters repeated along their axis, cut to the input's dim there."""
    blocking = op.blocking
    if blocking is None:
        return p
    axis, block_size = blocking
    return np.repeat(p, block_size, axis=axis).take(np.arange(x.shape[axis]), axis=axis)


def _wide(dtype: np.dtype) -> type:
    return np.float64 if dtype == np.float64 else np.float32


@reference(QuantizeLinearOp)
def _quantize_linear(
    op: QuantizeLinearOp, x: np.ndarray, scale: np.ndarray, zero_point: np.ndarray | None = None
) -> np.ndarray:
    target = to_numpy(element_of(op.result.type))
    with np.errstate(all="ignore"):
        q = np.round(x / _expand(op, scale, x)).astype(_wide(x.dtype))
        if zero_point is not None:
            q = q + _expand(op, zero_point, x).astype(q.dtype)
        info = np.iinfo(target)
        # Saturate (NaN to 0, as infer.cast does), then convert exactly.
        q = np.clip(np.nan_to_num(q, nan=0.0, posinf=info.max, neginf=info.min), info.min, info.max)
    return q.astype(target)


@reference(DequantizeLinearOp)
def _dequantize_linear(
    op: DequantizeLinearOp, x: np.ndarray, scale: np.ndarray, zero_point: np.ndarray | None = None
) -> np.ndarray:
    target = to_numpy(element_of(op.result.type))
    wide = _wide(target)
    d = x.astype(np.int64)
    if zero_point is not None:
        d = d - _expand(op, zero_point, x).astype(np.int64)  # exact: the inputs have at most 32 bits
    return (d.astype(wide) * _expand(op, scale, x).astype(wide)).astype(target)
