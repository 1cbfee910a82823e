"""Semantics of the elementwise ops."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from infer.dialects.infer import elementwise as ew
from infer.runtime.interpreter import reference


def _erf(x: np.ndarray) -> np.ndarray:
    # numpy has no erf; math.erf is exact to the last ulp for doubles.
    return np.vectorize(math.erf, otypes=[np.float64])(x.astype(np.float64)).astype(x.dtype)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # Written so that neither branch overflows.
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1 + e)
    return out


_UNARY: dict[type, Callable[[np.ndarray], np.ndarray]] = {
    ew.NegOp: np.negative,
    ew.AbsOp: np.abs,
    ew.SignOp: np.sign,
    ew.ReluOp: lambda x: np.maximum(x, np.zeros((), x.dtype)),
    ew.ExpOp: np.exp,
    ew.LogOp: np.log,
    ew.SqrtOp: np.sqrt,
    ew.ReciprocalOp: np.reciprocal,
    ew.TanhOp: np.tanh,
    ew.SigmoidOp: _sigmoid,
    ew.ErfOp: _erf,
    ew.FloorOp: np.floor,
    ew.CeilOp: np.ceil,
    ew.RoundOp: np.round,
    ew.SinOp: np.sin,
    ew.CosOp: np.cos,
    ew.NotOp: np.logical_not,
    ew.IdentityOp: lambda x: x,
}


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if np.issubdtype(a.dtype, np.integer):
        # Truncation towards zero, as C does.
        q = np.abs(a) // np.abs(b)
        return np.where((a < 0) != (b < 0), -q, q).astype(a.dtype)
    return a / b


_BINARY: dict[type, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ew.AddOp: np.add,
    ew.SubOp: np.subtract,
    ew.MulOp: np.multiply,
    ew.DivOp: _div,
    ew.PowOp: np.power,
    ew.MaxOp: np.maximum,
    ew.MinOp: np.minimum,
    ew.EqualOp: np.equal,
    ew.LessOp: np.less,
    ew.LessEqualOp: np.less_equal,
    ew.GreaterOp: np.greater,
    ew.GreaterEqualOp: np.greater_equal,
    ew.AndOp: np.logical_and,
    ew.OrOp: np.logical_or,
    ew.XorOp: np.logical_xor,
}


@reference(*_UNARY)
def _unary(op: ew.UnaryOp, x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return _UNARY[type(op)](x)


@reference(*_BINARY)
def _binary(op: ew.BinaryOp, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return _BINARY[type(op)](a, b)


@reference(ew.ModOp)
def _mod(op: ew.ModOp, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.fmod(a, b) if op.fmod is not None else np.mod(a, b)


@reference(ew.SelectOp)
def _select(op: ew.SelectOp, c: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where(c, a, b)


@reference(ew.ClipOp)
def _clip(op: ew.ClipOp, x: np.ndarray) -> np.ndarray:
    out = x
    if op.min is not None:
        out = np.maximum(out, np.asarray(op.min.value.data).astype(x.dtype))
    if op.max is not None:
        out = np.minimum(out, np.asarray(op.max.value.data).astype(x.dtype))
    return out


@reference(ew.CastOp)
def _cast(op: ew.CastOp, x: np.ndarray) -> np.ndarray:
    from infer.dialects.dtypes import to_numpy
    from infer.dialects.infer.base import element_of

    target = to_numpy(element_of(op.result.type))
    if target == np.bool_:
        return x != 0
    with np.errstate(all="ignore"):
        return x.astype(target)
