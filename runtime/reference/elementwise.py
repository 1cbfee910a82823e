"""Semantics of the elementwise ops."""

from __future__ import annotations

from collections.abc import Callable

import ml_dtypes
import numpy as np

from infer.dialects.dtypes import NARROW_FLOATS, NARROW_INTS, int_range, is_float_dtype, is_int_dtype, to_numpy
from infer.dialects.infer import elementwise as ew
from infer.dialects.infer.base import element_of
from infer.runtime.interpreter import reference

# W. J. Cody, "Rational Chebyshev approximations for the error function",
# Math. Comp. 23 (1969), 631-638: three rational approximations, each accurate
# to better than double precision on its interval.
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03,
          1.85777706184603153e-1)  # fmt: skip
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
_ERFC_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
           8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
           2.15311535474403846e-8)  # fmt: skip
_ERFC_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
           3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03)  # fmt: skip
_ERFC_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
           6.58749161529837803e-4, 1.63153871373020978e-2)  # fmt: skip
_ERFC_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2,
           2.33520497626869185e-3)  # fmt: skip
_SQRT_PI_INV = 5.6418958354775628695e-1


def erf(x: np.ndarray) -> np.ndarray:
    """Vectorized erf in float64 (Cody's approximations), rounded to x's dtype."""
    x64 = np.asarray(x, np.float64)
    y = np.abs(x64)
    out = np.empty_like(x64)

    small = y <= 0.46875
    ys = y[small]
    ysq = np.where(ys > 1.11e-16, ys * ys, 0.0)
    num, den = _ERF_A[4] * ysq, ysq
    for a, b in zip(_ERF_A[:3], _ERF_B[:3], strict=True):
        num, den = (num + a) * ysq, (den + b) * ysq
    out[small] = x64[small] * (num + _ERF_A[3]) / (den + _ERF_B[3])

    # erfc(|x|) on the rest; erf = sign(x) * (1 - erfc(|x|)).
    mid = ~small & (y <= 4.0)
    ym = y[mid]
    num, den = _ERFC_C[8] * ym, ym
    for c, d in zip(_ERFC_C[:7], _ERFC_D[:7], strict=True):
        num, den = (num + c) * ym, (den + d) * ym
    erfc_mid = (num + _ERFC_C[7]) / (den + _ERFC_D[7])

    large = ~small & ~mid & (y < 26.543)
    yl = y[large]
    inv = 1.0 / (yl * yl)
    num, den = _ERFC_P[5] * inv, inv
    for p, q in zip(_ERFC_P[:4], _ERFC_Q[:4], strict=True):
        num, den = (num + p) * inv, (den + q) * inv
    erfc_large = (_SQRT_PI_INV - inv * (num + _ERFC_P[4]) / (den + _ERFC_Q[4])) / yl

    for mask, yy, erfc in ((mid, ym, erfc_mid), (large, yl, erfc_large)):
        # exp(-y^2) split in two factors to keep its accuracy (Cody's trick).
        head = np.trunc(yy * 16.0) / 16.0
        erfc = np.exp(-head * head) * np.exp(-(yy - head) * (yy + head)) * erfc
        out[mask] = np.copysign((0.5 - erfc) + 0.5, x64[mask])
    huge = ~small & ~mid & ~large
    out[huge] = np.copysign(1.0, x64[huge])  # erfc underflows; NaN stays NaN
    out[np.isnan(x64)] = np.nan
    return out.astype(x.dtype, copy=False)


def sigmoid(x: np.ndarray) -> np.ndarray:
    # exp of a non-positive number only: neither branch overflows.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


_UNARY: dict[type, Callable[[np.ndarray], np.ndarray]] = {
    ew.NegOp: np.negative,
    ew.AbsOp: np.abs,
    ew.SignOp: np.sign,
    ew.ReluOp: lambda x: np.maximum(x, np.zeros((), x.dtype)),  # NaN stays NaN
    ew.ExpOp: np.exp,
    ew.LogOp: np.log,
    ew.SqrtOp: np.sqrt,
    ew.ReciprocalOp: np.reciprocal,
    ew.TanhOp: np.tanh,
    ew.SigmoidOp: sigmoid,
    ew.ErfOp: erf,
    ew.FloorOp: np.floor,
    ew.CeilOp: np.ceil,
    ew.RoundOp: np.round,  # halves to even
    ew.SinOp: np.sin,
    ew.CosOp: np.cos,
    ew.TanOp: np.tan,
    ew.AsinOp: np.arcsin,
    ew.AcosOp: np.arccos,
    ew.AtanOp: np.arctan,
    ew.SinhOp: np.sinh,
    ew.CoshOp: np.cosh,
    ew.AsinhOp: np.arcsinh,
    ew.AcoshOp: np.arccosh,
    ew.AtanhOp: np.arctanh,
    ew.NotOp: np.logical_not,
    ew.IdentityOp: lambda x: x,
    ew.IsNaNOp: np.isnan,
}


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind not in "iu":
        return a / b
    # Truncation towards zero, as C does: floor division, corrected where the
    # signs differ and the division is inexact. Division by zero gives 0.
    safe = np.where(b == 0, np.ones((), b.dtype), b)
    q = a // safe
    q = q + ((a - q * safe != 0) & ((a < 0) != (safe < 0))).astype(q.dtype)
    return np.where(b == 0, np.zeros((), a.dtype), q)


def _pow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind not in "iu":
        return np.power(a, b)
    # numpy refuses negative integer exponents; 1 / a^n truncates to 0 unless |a| == 1.
    negative = b < 0
    result = np.power(a, np.where(negative, np.zeros((), b.dtype), b))
    if not negative.any():
        return result
    one = np.ones((), a.dtype)
    odd = (b % 2) != 0
    inverse = np.where(a == 1, one, np.where((a == -1) & ~odd, one, np.where(a == -1, -one, 0 * one)))
    return np.where(negative, inverse, result).astype(a.dtype, copy=False)


_BINARY: dict[type, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ew.AddOp: np.add,
    ew.SubOp: np.subtract,
    ew.MulOp: np.multiply,
    ew.DivOp: _div,
    ew.PowOp: _pow,
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


@reference(ew.IsInfOp)
def _is_inf(op: ew.IsInfOp, x: np.ndarray) -> np.ndarray:
    positive = bool(op.detect_positive.value.data)
    negative = bool(op.detect_negative.value.data)
    if positive and negative:
        return np.isinf(x)
    if positive:
        return np.isposinf(x)
    if negative:
        return np.isneginf(x)
    return np.zeros(x.shape, np.bool_)


@reference(*_BINARY)
def _binary(op: ew.BinaryOp, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return _BINARY[type(op)](a, b)


@reference(ew.ModOp)
def _mod(op: ew.ModOp, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # An integer remainder by zero is undefined; numpy gives 0.
    with np.errstate(all="ignore"):
        return np.fmod(a, b) if op.fmod is not None else np.mod(a, b)


@reference(ew.SelectOp)
def _select(op: ew.SelectOp, c: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where(c, a, b)


@reference(ew.ClipOp)
def _clip(op: ew.ClipOp, x: np.ndarray) -> np.ndarray:
    # np.clip is min(max(x, low), high): NaN stays NaN, low > high gives high.
    low = None if op.min is None else _bound_value(op.min.value.data, x.dtype)
    high = None if op.max is None else _bound_value(op.max.value.data, x.dtype)
    if low is None and high is None:
        return x
    return np.clip(x, low, high)


def _bound_value(bound: float | int, dtype: np.dtype) -> np.ndarray:
    """A clip bound in `dtype`; an integer bound beyond its range saturates
    (it must not wrap around)."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        bound = min(max(int(bound), int(info.min)), int(info.max))
    return np.asarray(bound).astype(dtype)


@reference(ew.CastOp)
def _cast(op: ew.CastOp, x: np.ndarray) -> np.ndarray:
    round_mode = None if op.round_mode is None else op.round_mode.data
    return cast_array(x, to_numpy(element_of(op.result.type)), op.saturate is not None, round_mode)


def cast_array(x: np.ndarray, target: np.dtype, saturate: bool = False, round_mode: str | None = None) -> np.ndarray:
    """`x` converted to `target` as `infer.cast` defines it."""
    x = np.asarray(x)
    if target == np.bool_:
        return x != 0
    if target == E8M0:
        return to_e8m0(x, saturate, round_mode or "up")
    if is_float_dtype(x.dtype) and target in NARROW_INTS:
        # Sub-byte targets: truncate to i64 (NaN to 0), then wrap like an integer cast.
        return cast_array(cast_array(x, np.dtype(np.int64)), target)
    if is_float_dtype(x.dtype) and is_int_dtype(target):
        # Truncate, then saturate to the target's range; NaN becomes 0 (numpy alone
        # leaves out-of-range results to the platform).
        low, high = int_range(target)
        with np.errstate(all="ignore"):
            wide = np.trunc(x.astype(np.float64))
            clamped = np.clip(np.nan_to_num(wide, nan=0.0), float(low), float(high))
            # float64 cannot hold int64's max exactly: clip to it then convert explicitly.
            result = np.asarray(clamped.astype(target))  # 0-d: an array, not a numpy scalar
            result[clamped >= float(high)] = high
            return result
    if target in NARROW_FLOATS:
        wide = to_f32_round_to_odd(x)
        if saturate:
            # Clamping before rounding gives the largest finite value for everything
            # that would round beyond it (rounding is monotonic); NaN stays NaN.
            largest = np.float32(ml_dtypes.finfo(target).max)
            wide = np.clip(wide, -largest, largest)
        with np.errstate(all="ignore"):
            return wide.astype(target)
    with np.errstate(all="ignore"):
        return x.astype(target)


def to_f32_round_to_odd(x: np.ndarray) -> np.ndarray:
    """`x` as float32, rounded to odd: truncated towards zero, the last bit set if
    inexact. Rounding that again to a format of at most 22 significant bits gives the
    value rounded once from `x` (float64 and int64 sources; ml_dtypes alone would round
    through float32 to nearest, twice)."""
    if (x.dtype.itemsize <= 4 and is_float_dtype(x.dtype)) or x.dtype == np.bool_ or x.dtype in NARROW_INTS:
        return x.astype(np.float32)
    wide = x.astype(np.float64)
    with np.errstate(all="ignore"):
        nearest = wide.astype(np.float32)
    inexact = (nearest.astype(np.float64) != wide) & ~np.isnan(wide)
    largest = np.finfo(np.float32).max
    # Truncate towards zero: a nearest value beyond x (inf included) steps back one ulp.
    beyond = inexact & (np.abs(nearest.astype(np.float64)) > np.abs(wide))
    truncated = np.where(beyond, np.nextafter(nearest, np.float32(0)), nearest)
    truncated = np.where(np.isinf(truncated) & inexact, np.copysign(largest, wide), truncated).astype(np.float32)
    bits = truncated.view(np.uint32) | np.where(inexact, np.uint32(1), np.uint32(0))
    return bits.view(np.float32)


E8M0 = np.dtype(ml_dtypes.float8_e8m0fnu)


def to_e8m0(x: np.ndarray, saturate: bool, round_mode: str) -> np.ndarray:
    """float8e8m0 (a biased power-of-two exponent, 0xFF NaN) from the bits of float32 `x`."""
    with np.errstate(all="ignore"):
        bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    exponent = ((bits >> 23) & 0xFF).astype(np.int32)
    fraction = bits & 0x7FFFFF
    if round_mode == "up":
        increment = fraction != 0
    elif round_mode == "nearest":
        # Half and more rounds up (a tie too, except from the subnormals' exponent 0).
        guard = (bits & 0x400000) != 0
        rest = (bits & 0x3FFFFF) != 0
        increment = guard & (rest | (exponent > 0))
    else:
        increment = np.zeros(bits.shape, dtype=bool)
    special = exponent == 0xFF
    rounded = exponent + increment
    if saturate:
        rounded = np.minimum(rounded, 0xFE)
    infinite = special & (fraction == 0)
    out = np.where(special, np.where(infinite & saturate, 0xFE, 0xFF), np.minimum(rounded, 0xFF))
    return out.astype(np.uint8).view(E8M0)
