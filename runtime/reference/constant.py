"""Semantics of `infer.constant` and `infer.fill`."""

from __future__ import annotations

import numpy as np

from infer.diagnostics import InferError
from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import element_of
from infer.dialects.infer.constant import ConstantOp, FillOp
from infer.runtime.interpreter import reference


@reference(ConstantOp)
def _constant(op: ConstantOp) -> np.ndarray:
    try:
        return op.to_numpy()
    except ValueError as e:
        raise InferError(str(e)) from None


@reference(FillOp)
def _fill(op: FillOp, shape: np.ndarray) -> np.ndarray:
    dims = [int(d) for d in shape.reshape(-1)]
    if any(d < 0 for d in dims):
        raise InferError(f"infer.fill shape {dims} has a negative dim")
    value = np.asarray(op.value.value.data, dtype=to_numpy(element_of(op.result.type)))
    return np.broadcast_to(value, dims)
