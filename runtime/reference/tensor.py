"""Semantics of the data-movement ops."""

from __future__ import annotations

import numpy as np

from infer.dialects.infer.base import dims_of
from infer.dialects.infer.tensor import UnsqueezeOp
from infer.runtime.interpreter import reference


@reference(UnsqueezeOp)
def _unsqueeze(op: UnsqueezeOp, x: np.ndarray) -> np.ndarray:
    rank = len(dims_of(op.result.type))
    axes = sorted(a % rank for a in op.axes.get_values())
    return np.expand_dims(x, tuple(axes))
