"""Every `math` op through the C target, against numpy (libm may differ by an ulp: a tolerance)
or exactly where the result is exact (rounding, abs, copysign, bit counts)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from c_harness import assert_bits_equal, elementwise, needs_cc, pairs, run_ir

pytestmark = needs_cc

FLOATS = {"f16": np.float16, "f32": np.float32, "f64": np.float64}
VALUES = [np.nan, np.inf, -np.inf, -0.0, 0.0, 0.3, -0.3, 0.5, -0.5, 0.9, 1.0, -1.0, 1.5, 2.5, -2.5, 3.5, 10.0, -7.25]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("c_cache"))


def _round_half_away(x: np.ndarray) -> np.ndarray:
    y = x.astype(np.float64)
    return np.copysign(np.floor(np.abs(y) + 0.5), y).astype(x.dtype)


_erf = np.vectorize(math.erf, otypes=[np.float64])

APPROXIMATE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "exp": np.exp,
    "exp2": np.exp2,
    "expm1": np.expm1,
    "log": np.log,
    "log2": np.log2,
    "log10": np.log10,
    "log1p": np.log1p,
    "sqrt": np.sqrt,
    "rsqrt": lambda x: 1 / np.sqrt(x),
    "cbrt": np.cbrt,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "asinh": np.arcsinh,
    "acosh": np.arccosh,
    "atanh": np.arctanh,
    "erf": lambda x: _erf(x.astype(np.float64)),
}
EXACT: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "absf": np.abs,
    "ceil": np.ceil,
    "floor": np.floor,
    "trunc": np.trunc,
    "round": _round_half_away,
    "roundeven": np.rint,
}
TOLERANCE = {"f16": 1e-3, "f32": 2e-6, "f64": 1e-14}


@pytest.mark.parametrize("t", FLOATS)
def test_float_unary(t: str, cache: str) -> None:
    dtype = FLOATS[t]
    x = np.array(VALUES, dtype)
    ops = [(f"math.{name} {{0}} : {t}", t) for name in [*APPROXIMATE, *EXACT]]
    got = iter(run_ir(elementwise([t], ops), [x], cache))
    with np.errstate(all="ignore"):
        for name, fn in APPROXIMATE.items():
            want = fn(x.astype(np.float64)).astype(dtype)
            np.testing.assert_allclose(next(got), want, rtol=TOLERANCE[t], equal_nan=True, err_msg=name)
        for name, fn in EXACT.items():
            assert_bits_equal(next(got), fn(x).astype(dtype), name)


def test_rounding_ties() -> None:
    """The reference of math.round: half away from zero, and the sign of zero kept."""
    x = np.array([-2.5, -1.5, -0.5, -0.3, -0.0, 0.5, 1.5, 2.5, 0.49999997], np.float32)
    assert_bits_equal(_round_half_away(x), np.array([-3, -2, -1, -0.0, -0.0, 1, 2, 3, 0], np.float32))


@pytest.mark.parametrize("t", FLOATS)
def test_float_binary(t: str, cache: str) -> None:
    dtype = FLOATS[t]
    a, b = (v.astype(dtype) for v in pairs(np.array(VALUES)))
    ops = [
        (f"math.powf {{0}}, {{1}} : {t}", t),
        (f"math.atan2 {{0}}, {{1}} : {t}", t),
        (f"math.copysign {{0}}, {{1}} : {t}", t),
        (f"math.fma {{0}}, {{1}}, {{0}} : {t}", t),
        (f"math.fpowi {{0}}, {{2}} : {t}, i32", t),
    ]
    n = (np.arange(a.size) % 9 - 4).astype(np.int32)
    got = run_ir(elementwise([t, t, "i32"], ops), [a, b, n], cache)
    wide_a, wide_b = a.astype(np.float64), b.astype(np.float64)
    with np.errstate(all="ignore"):
        rtol = TOLERANCE[t]
        np.testing.assert_allclose(got[0], np.power(wide_a, wide_b).astype(dtype), rtol=rtol, equal_nan=True)
        np.testing.assert_allclose(got[1], np.arctan2(wide_a, wide_b).astype(dtype), rtol=rtol, equal_nan=True)
        assert_bits_equal(got[2], np.copysign(a, b), "copysign")
        fma = wide_a * wide_b + wide_a  # exact enough in double for these values
        np.testing.assert_allclose(got[3], fma.astype(dtype), rtol=rtol, equal_nan=True)
        powi = np.power(wide_a, n.astype(np.float64)).astype(dtype)
        np.testing.assert_allclose(got[4], powi, rtol=rtol, equal_nan=True)


def _ipow(base: int, exponent: int, bits: int) -> int:
    if exponent < 0:
        return 1 if base == 1 else (-1 if exponent % 2 else 1) if base == -1 else 0
    v = pow(base, exponent, 1 << bits)
    return v - (1 << bits) if v >> (bits - 1) else v


@pytest.mark.parametrize("bits", [8, 32, 64])
def test_integer_math(bits: int, cache: str) -> None:
    t = f"i{bits}"
    dtype = np.dtype(f"int{bits}")
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    values = sorted(v for v in {0, 1, -1, 2, -2, 3, -3, 5, 7, hi, lo, hi - 1, lo + 1, 64, -64} if lo <= v <= hi)
    exponents = [0, 1, 2, 3, 7, 31, -1, -2]
    a = np.array([v for v in values for _ in exponents], dtype)
    e = np.array([x for _ in values for x in exponents], dtype)
    ops = [
        (f"math.ipowi {{0}}, {{1}} : {t}", t),
        (f"math.absi {{0}} : {t}", t),
        (f"math.ctlz {{0}} : {t}", t),
        (f"math.cttz {{0}} : {t}", t),
        (f"math.ctpop {{0}} : {t}", t),
    ]
    got = run_ir(elementwise([t, t], ops), [a, e], cache)
    mask = (1 << bits) - 1
    unsigned = [v & mask for v in a.tolist()]
    want = [
        [_ipow(x, y, bits) for x, y in zip(a.tolist(), e.tolist())],
        [lo if x == lo else abs(x) for x in a.tolist()],
        [bits - u.bit_length() for u in unsigned],
        [bits if u == 0 else (u & -u).bit_length() - 1 for u in unsigned],
        [bin(u).count("1") for u in unsigned],
    ]
    for (op, _), g, w in zip(ops, got, want, strict=True):
        np.testing.assert_array_equal(g, np.array(w, dtype), err_msg=op)
