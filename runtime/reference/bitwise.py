"""Semantics of the ops in `infer.dialects.infer.bitwise`."""

from __future__ import annotations

import numpy as np

from infer.dialects.infer.bitwise import (
    BitwiseAndOp,
    BitwiseNotOp,
    BitwiseOrOp,
    BitwiseXorOp,
    ShiftLeftOp,
    ShiftRightOp,
)
from infer.runtime.interpreter import reference

_BINARY = {BitwiseAndOp: np.bitwise_and, BitwiseOrOp: np.bitwise_or, BitwiseXorOp: np.bitwise_xor}


@reference(BitwiseAndOp, BitwiseOrOp, BitwiseXorOp)
def _bitwise(op: BitwiseAndOp, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _BINARY[type(op)](a, b)


@reference(BitwiseNotOp)
def _bitwise_not(op: BitwiseNotOp, x: np.ndarray) -> np.ndarray:
    return np.invert(x)


def _in_range(x: np.ndarray, amount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the amount is in [0, bits), and the amount made safe for numpy elsewhere."""
    bits = x.dtype.itemsize * 8
    valid = (amount >= 0) & (amount < bits) if np.issubdtype(amount.dtype, np.signedinteger) else amount < bits
    return valid, np.where(valid, amount, 0).astype(x.dtype)


@reference(ShiftLeftOp)
def _shift_left(op: ShiftLeftOp, x: np.ndarray, amount: np.ndarray) -> np.ndarray:
    valid, safe = _in_range(x, amount)
    # In the unsigned type of the same width, so that bits past the sign bit wrap around.
    unsigned = np.dtype(f"u{x.dtype.itemsize}")
    shifted = np.left_shift(x.view(unsigned), safe.view(unsigned)).view(x.dtype)
    return np.where(valid, shifted, np.zeros((), x.dtype)).astype(x.dtype)


@reference(ShiftRightOp)
def _shift_right(op: ShiftRightOp, x: np.ndarray, amount: np.ndarray) -> np.ndarray:
    valid, safe = _in_range(x, amount)
    shifted = np.right_shift(x, safe)  # arithmetic for signed types
    fill = np.where(x < 0, -1, 0).astype(x.dtype) if np.issubdtype(x.dtype, np.signedinteger) else np.zeros((), x.dtype)
    return np.where(valid, shifted, fill).astype(x.dtype)
