"""Semantics of the ops in `infer.dialects.infer.activation`.

Computed in the input's precision, with parameters rounded to it, as a
framework kernel would; the decompositions give the same numbers up to
rounding.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from infer.dialects.infer import activation as act
from infer.dialects.infer.base import string_of
from infer.runtime.interpreter import reference
from infer.runtime.reference.elementwise import erf, sigmoid


def _semantics(op_class: type) -> Callable[[Callable[..., np.ndarray]], Callable[..., np.ndarray]]:
    """Registers `fn` as `op_class`'s semantics; overflow and inf * 0 give inf and NaN quietly."""

    def register(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        @functools.wraps(fn)
        def quiet(*args: Any) -> np.ndarray:
            with np.errstate(all="ignore"):
                return fn(*args)

        return reference(op_class)(quiet)

    return register


def _param(op: act.ActivationOp, name: str, x: np.ndarray) -> np.ndarray:
    return np.asarray(op.param(name), x.dtype)


def softplus(x: np.ndarray) -> np.ndarray:
    """`log(1 + exp(x))` without overflow."""
    return np.logaddexp(np.zeros((), x.dtype), x)


@_semantics(act.LeakyReluOp)
def _leaky_relu(op: act.LeakyReluOp, x: np.ndarray) -> np.ndarray:
    return np.where(x < 0, x * _param(op, "alpha", x), x)


@_semantics(act.PReluOp)
def _prelu(op: act.PReluOp, x: np.ndarray, slope: np.ndarray) -> np.ndarray:
    return np.where(x < 0, x * slope, x)


@_semantics(act.EluOp)
def _elu(op: act.EluOp, x: np.ndarray) -> np.ndarray:
    return np.where(x < 0, _param(op, "alpha", x) * np.expm1(x), x)


@_semantics(act.SeluOp)
def _selu(op: act.SeluOp, x: np.ndarray) -> np.ndarray:
    alpha, gamma = _param(op, "alpha", x), _param(op, "gamma", x)
    return gamma * np.where(x > 0, x, alpha * np.expm1(x))


@_semantics(act.CeluOp)
def _celu(op: act.CeluOp, x: np.ndarray) -> np.ndarray:
    alpha = _param(op, "alpha", x)
    zero = np.zeros((), x.dtype)
    return np.maximum(zero, x) + np.minimum(zero, alpha * np.expm1(x / alpha))


@_semantics(act.ThresholdedReluOp)
def _thresholded_relu(op: act.ThresholdedReluOp, x: np.ndarray) -> np.ndarray:
    return np.where(x > _param(op, "alpha", x), x, np.zeros((), x.dtype))


def hard_sigmoid(x: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    linear = x * np.asarray(alpha, x.dtype) + np.asarray(beta, x.dtype)
    return np.clip(linear, np.zeros((), x.dtype), np.ones((), x.dtype))


@_semantics(act.HardSigmoidOp)
def _hard_sigmoid(op: act.HardSigmoidOp, x: np.ndarray) -> np.ndarray:
    return hard_sigmoid(x, op.param("alpha"), op.param("beta"))


@_semantics(act.HardSwishOp)
def _hard_swish(op: act.HardSwishOp, x: np.ndarray) -> np.ndarray:
    return x * hard_sigmoid(x, 1 / 6, 0.5)


@_semantics(act.ShrinkOp)
def _shrink(op: act.ShrinkOp, x: np.ndarray) -> np.ndarray:
    bias, lambd = _param(op, "bias", x), _param(op, "lambd", x)
    zero = np.zeros((), x.dtype)
    return np.where(x < -lambd, x + bias, np.where(x > lambd, x - bias, zero))


@_semantics(act.SoftplusOp)
def _softplus(op: act.SoftplusOp, x: np.ndarray) -> np.ndarray:
    return softplus(x)


@_semantics(act.SoftsignOp)
def _softsign(op: act.SoftsignOp, x: np.ndarray) -> np.ndarray:
    return x / (np.ones((), x.dtype) + np.abs(x))


@_semantics(act.MishOp)
def _mish(op: act.MishOp, x: np.ndarray) -> np.ndarray:
    return x * np.tanh(softplus(x))


@_semantics(act.GeluOp)
def _gelu(op: act.GeluOp, x: np.ndarray) -> np.ndarray:
    half = np.asarray(0.5, x.dtype)
    if string_of(op.approximate, "none") == "tanh":
        inner = np.asarray(math.sqrt(2 / math.pi), x.dtype) * (x + np.asarray(0.044715, x.dtype) * x * x * x)
        return half * x * (np.ones((), x.dtype) + np.tanh(inner))
    return half * x * (np.ones((), x.dtype) + erf(x * np.asarray(math.sqrt(0.5), x.dtype)))


@_semantics(act.SiluOp)
def _silu(op: act.SiluOp, x: np.ndarray) -> np.ndarray:
    return x * sigmoid(x)
