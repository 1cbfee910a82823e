"""Every `arith` op through the C target, against numpy or exact integer arithmetic, on edge values:
NaN, infinities, -0.0, overflow, negative division, shifts by the bit width and beyond."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from c_harness import assert_bits_equal, elementwise, needs_cc, pairs, run_ir

pytestmark = needs_cc

FLOATS = {"f16": np.float16, "f32": np.float32, "f64": np.float64}
EDGE = [np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.0, 1e-30, 1e30, -100.0, 7.25]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("c_cache"))


def _maximum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IEEE maximum: NaN propagates, +0 > -0."""
    zeros = (a == 0) & (b == 0)
    r = np.where(zeros, np.where(np.signbit(a), b, a), np.maximum(a, b))
    return np.where(np.isnan(a) | np.isnan(b), np.nan, r).astype(a.dtype)


def _minimum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    zeros = (a == 0) & (b == 0)
    r = np.where(zeros, np.where(np.signbit(a), a, b), np.minimum(a, b))
    return np.where(np.isnan(a) | np.isnan(b), np.nan, r).astype(a.dtype)


CMPF: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "false": lambda a, b: np.zeros(a.shape, bool),
    "oeq": lambda a, b: a == b,
    "ogt": lambda a, b: a > b,
    "oge": lambda a, b: a >= b,
    "olt": lambda a, b: a < b,
    "ole": lambda a, b: a <= b,
    "one": lambda a, b: (a < b) | (a > b),
    "ord": lambda a, b: ~np.isnan(a) & ~np.isnan(b),
    "ueq": lambda a, b: np.isnan(a) | np.isnan(b) | (a == b),
    "ugt": lambda a, b: ~(a <= b),
    "uge": lambda a, b: ~(a < b),
    "ult": lambda a, b: ~(a >= b),
    "ule": lambda a, b: ~(a > b),
    "une": lambda a, b: a != b,
    "uno": lambda a, b: np.isnan(a) | np.isnan(b),
    "true": lambda a, b: np.ones(a.shape, bool),
}


@pytest.mark.parametrize("t", FLOATS)
def test_float_binary(t: str, cache: str) -> None:
    dtype = FLOATS[t]
    with np.errstate(over="ignore"):
        a, b = (x.astype(dtype) for x in pairs(np.array(EDGE)))
    exact = {
        "addf": lambda a, b: a + b,
        "subf": lambda a, b: a - b,
        "mulf": lambda a, b: a * b,
        "divf": lambda a, b: a / b,
        "maximumf": _maximum,
        "minimumf": _minimum,
    }
    number = {"maxnumf": np.fmax, "minnumf": np.fmin}  # the sign of a zero result is unspecified
    ops = [(f"arith.{name} {{0}}, {{1}} : {t}", t) for name in [*exact, *number]]
    ops += [(f"arith.cmpf {p}, {{0}}, {{1}} : {t}", "i1") for p in CMPF]
    ops.append((f"arith.negf {{0}} : {t}", t))
    outputs = iter(run_ir(elementwise([t, t], ops), [a, b], cache))
    with np.errstate(all="ignore"):
        for name, fn in exact.items():
            assert_bits_equal(next(outputs), fn(a, b).astype(dtype), name)
        for name, fn in number.items():
            np.testing.assert_array_equal(next(outputs), fn(a, b), err_msg=name)
        for p, fn in CMPF.items():
            np.testing.assert_array_equal(next(outputs), fn(a, b), err_msg=f"cmpf {p}")
    assert_bits_equal(next(outputs), -a, "negf")


def _saturate(x: np.ndarray, lo: int, hi: int, dtype: type) -> np.ndarray:
    """MLIR leaves out-of-range conversions undefined: the C target saturates, NaN to 0."""
    values = [0 if np.isnan(v) else hi if v >= hi else lo if v <= lo else int(v) for v in x.tolist()]
    return np.array(values, dtype)


def test_float_casts(cache: str) -> None:
    x = np.array([*EDGE, 127.9, 128.0, -128.9, -129.0, 255.5, 256.0, 3e9, -3e9, 65504.0, 65520.0, 1e-8], np.float32)
    x64 = x.astype(np.float64) * 1.0000001
    ops = [
        ("arith.fptosi {0} : f32 to i8", "i8"),
        ("arith.fptosi {0} : f32 to i32", "i32"),
        ("arith.fptosi {1} : f64 to i64", "i64"),
        ("arith.fptoui {0} : f32 to ui8", "ui8"),
        ("arith.fptoui {1} : f64 to ui32", "ui32"),
        ("arith.fptoui {0} : f32 to ui64", "ui64"),
        ("arith.extf {0} : f32 to f64", "f64"),
        ("arith.truncf {1} : f64 to f32", "f32"),
        ("arith.truncf {0} : f32 to f16", "f16"),
        ("arith.truncf {1} : f64 to f16", "f16"),
        ("arith.bitcast {0} : f32 to i32", "i32"),
        ("arith.bitcast {1} : f64 to i64", "i64"),
    ]
    got = run_ir(elementwise(["f32", "f64"], ops), [x, x64], cache)
    with np.errstate(over="ignore"):
        x16, x64_16 = x.astype(np.float16), x64.astype(np.float16)
    want = [
        _saturate(x, -128, 127, np.int8),
        _saturate(x, -(2**31), 2**31 - 1, np.int32),
        _saturate(x64, -(2**63), 2**63 - 1, np.int64),
        _saturate(x, 0, 255, np.uint8),
        _saturate(x64, 0, 2**32 - 1, np.uint32),
        _saturate(x, 0, 2**64 - 1, np.uint64),
        x.astype(np.float64),
        x64.astype(np.float32),
        x16,
        x64_16,
        x.view(np.int32),
        x64.view(np.int64),
    ]
    for (op, _), g, w in zip(ops, got, want, strict=True):
        assert_bits_equal(g, w, op)


def test_f16_extends_exactly(cache: str) -> None:
    x = np.arange(-65504, 65505, 7, dtype=np.float64).astype(np.float16)
    x = np.concatenate([x, np.array([np.nan, np.inf, -np.inf, -0.0, 6e-8, 6e-5], np.float16)])
    (got,) = run_ir(elementwise(["f16"], [("arith.extf {0} : f16 to f32", "f32")]), [x], cache)
    assert_bits_equal(got, x.astype(np.float32), "extf")


# ---------------------------------------------------------------- integers

WIDTHS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64}


def _edge_ints(bits: int) -> list[int]:
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    values = [0, 1, -1, 2, -2, 3, 7, -7, bits - 1, bits, bits + 1, hi, lo, hi - 1, lo + 1, 100, -100]
    return sorted({v for v in values if lo <= v <= hi})


def _wrap(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _u(v: int, bits: int) -> int:
    return v & ((1 << bits) - 1)


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


INT_BINARY: dict[str, Callable[[int, int, int], int]] = {
    "addi": lambda a, b, n: _wrap(a + b, n),
    "subi": lambda a, b, n: _wrap(a - b, n),
    "muli": lambda a, b, n: _wrap(a * b, n),
    "divsi": lambda a, b, n: 0 if b == 0 else _wrap(_trunc_div(a, b), n),
    "remsi": lambda a, b, n: 0 if b == 0 else _wrap(a - b * _trunc_div(a, b), n),
    "floordivsi": lambda a, b, n: 0 if b == 0 else _wrap(a // b, n),
    "ceildivsi": lambda a, b, n: 0 if b == 0 else _wrap(-(-a // b), n),
    "divui": lambda a, b, n: 0 if b == 0 else _wrap(_u(a, n) // _u(b, n), n),
    "remui": lambda a, b, n: 0 if b == 0 else _wrap(_u(a, n) % _u(b, n), n),
    "ceildivui": lambda a, b, n: 0 if b == 0 else _wrap(-(-_u(a, n) // _u(b, n)), n),
    "minsi": lambda a, b, n: min(a, b),
    "maxsi": lambda a, b, n: max(a, b),
    "minui": lambda a, b, n: a if _u(a, n) < _u(b, n) else b,
    "maxui": lambda a, b, n: a if _u(a, n) > _u(b, n) else b,
    "andi": lambda a, b, n: a & b,
    "ori": lambda a, b, n: a | b,
    "xori": lambda a, b, n: a ^ b,
    "shli": lambda a, b, n: 0 if _u(b, n) >= n else _wrap(a << _u(b, n), n),
    "shrui": lambda a, b, n: 0 if _u(b, n) >= n else _wrap(_u(a, n) >> _u(b, n), n),
    "shrsi": lambda a, b, n: (-1 if a < 0 else 0) if _u(b, n) >= n else a >> _u(b, n),
}
CMPI: dict[str, Callable[[int, int, int], bool]] = {
    "eq": lambda a, b, n: a == b,
    "ne": lambda a, b, n: a != b,
    "slt": lambda a, b, n: a < b,
    "sle": lambda a, b, n: a <= b,
    "sgt": lambda a, b, n: a > b,
    "sge": lambda a, b, n: a >= b,
    "ult": lambda a, b, n: _u(a, n) < _u(b, n),
    "ule": lambda a, b, n: _u(a, n) <= _u(b, n),
    "ugt": lambda a, b, n: _u(a, n) > _u(b, n),
    "uge": lambda a, b, n: _u(a, n) >= _u(b, n),
}


@pytest.mark.parametrize("t", WIDTHS)
def test_integer_binary(t: str, cache: str) -> None:
    bits = WIDTHS[t]
    dtype = np.dtype(f"int{bits}")
    a, b = pairs(np.array(_edge_ints(bits), dtype))
    ops = [(f"arith.{name} {{0}}, {{1}} : {t}", t) for name in INT_BINARY]
    ops += [(f"arith.cmpi {p}, {{0}}, {{1}} : {t}", "i1") for p in CMPI]
    got = iter(run_ir(elementwise([t, t], ops), [a, b], cache))
    pairs_ = list(zip(a.tolist(), b.tolist()))
    for name, fn in INT_BINARY.items():
        want = np.array([fn(x, y, bits) for x, y in pairs_], dtype)
        np.testing.assert_array_equal(next(got), want, err_msg=name)
    for p, fn in CMPI.items():
        want_b = np.array([fn(x, y, bits) for x, y in pairs_], bool)
        np.testing.assert_array_equal(next(got), want_b, err_msg=f"cmpi {p}")


@pytest.mark.parametrize("t", ["i8", "i32", "i64"])
def test_extended_arithmetic(t: str, cache: str) -> None:
    bits = WIDTHS[t]
    dtype = np.dtype(f"int{bits}")
    a, b = pairs(np.array(_edge_ints(bits), dtype))
    ops = [
        (f"%sum, %carry = arith.addui_extended {{0}}, {{1}} : {t}, i1", t, "%sum"),
        (f"%sum2, %carry2 = arith.addui_extended {{0}}, {{1}} : {t}, i1", "i1", "%carry2"),
        (f"%ul, %uh = arith.mului_extended {{0}}, {{1}} : {t}", t, "%ul"),
        (f"%ul2, %uh2 = arith.mului_extended {{0}}, {{1}} : {t}", t, "%uh2"),
        (f"%sl, %sh = arith.mulsi_extended {{0}}, {{1}} : {t}", t, "%sl"),
        (f"%sl2, %sh2 = arith.mulsi_extended {{0}}, {{1}} : {t}", t, "%sh2"),
    ]
    got = run_ir(elementwise([t, t], ops), [a, b], cache)
    pairs_ = list(zip(a.tolist(), b.tolist()))
    want = [
        [_wrap(x + y, bits) for x, y in pairs_],
        [_u(x, bits) + _u(y, bits) >= 1 << bits for x, y in pairs_],
        [_wrap(_u(x, bits) * _u(y, bits), bits) for x, y in pairs_],
        [_wrap(_u(x, bits) * _u(y, bits) >> bits, bits) for x, y in pairs_],
        [_wrap(x * y, bits) for x, y in pairs_],
        [_wrap(x * y >> bits, bits) for x, y in pairs_],
    ]
    for (op, *_), g, w in zip(ops, got, want, strict=True):
        np.testing.assert_array_equal(g, np.array(w).astype(g.dtype), err_msg=op)


def test_integer_casts(cache: str) -> None:
    x = np.array(_edge_ints(32), np.int32)
    ops = [
        ("arith.extsi {0} : i32 to i64", "i64"),
        ("arith.extui {0} : i32 to i64", "i64"),
        ("arith.trunci {0} : i32 to i8", "i8"),
        ("arith.trunci {0} : i32 to i1", "i1"),
        ("arith.index_cast {0} : i32 to index", "index"),
        ("arith.sitofp {0} : i32 to f32", "f32"),
        ("arith.uitofp {0} : i32 to f64", "f64"),
        ("arith.sitofp {0} : i32 to f16", "f16"),
        ("arith.bitcast {0} : i32 to f32", "f32"),
    ]
    got = run_ir(elementwise(["i32"], ops), [x], cache)
    with np.errstate(over="ignore"):
        x16 = x.astype(np.float16)
    want = [
        x.astype(np.int64),
        x.view(np.uint32).astype(np.int64),
        x.astype(np.int8),
        (x & 1).astype(bool),
        x.astype(np.int64),
        x.astype(np.float32),
        x.view(np.uint32).astype(np.float64),
        x16,
        x.view(np.float32),
    ]
    for (op, _), g, w in zip(ops, got, want, strict=True):
        assert_bits_equal(g, w, op)


def test_index_arithmetic(cache: str) -> None:
    a, b = pairs(np.array([0, 1, -1, 5, -5, 7, 64, 65, -(2**63), 2**63 - 1], np.int64))
    ops = [
        ("arith.divsi {0}, {1} : index", "index"),
        ("arith.remsi {0}, {1} : index", "index"),
        ("arith.floordivsi {0}, {1} : index", "index"),
        ("arith.ceildivsi {0}, {1} : index", "index"),
        ("arith.shrsi {0}, {1} : index", "index"),
        ("arith.maxsi {0}, {1} : index", "index"),
        ("arith.cmpi ult, {0}, {1} : index", "i1"),
        ("arith.index_cast {0} : index to i32", "i32"),
    ]
    got = run_ir(elementwise(["index", "index"], ops), [a, b], cache)
    pairs_ = list(zip(a.tolist(), b.tolist()))
    for (op, _), g, name in zip(ops[:6], got, ["divsi", "remsi", "floordivsi", "ceildivsi", "shrsi", "maxsi"]):
        np.testing.assert_array_equal(g, np.array([INT_BINARY[name](x, y, 64) for x, y in pairs_], np.int64), op)
    np.testing.assert_array_equal(got[6], np.array([_u(x, 64) < _u(y, 64) for x, y in pairs_]))
    np.testing.assert_array_equal(got[7], a.astype(np.int32))


def test_booleans(cache: str) -> None:
    p, q = pairs(np.array([False, True]))
    f = np.array([1.5, -2.0, 3.0, -4.0], np.float32)
    ops = [
        ("arith.andi {0}, {1} : i1", "i1"),
        ("arith.ori {0}, {1} : i1", "i1"),
        ("arith.xori {0}, {1} : i1", "i1"),
        ("arith.addi {0}, {1} : i1", "i1"),
        ("arith.muli {0}, {1} : i1", "i1"),
        ("arith.cmpi slt, {0}, {1} : i1", "i1"),
        ("arith.cmpi ult, {0}, {1} : i1", "i1"),
        ("arith.extsi {0} : i1 to i32", "i32"),
        ("arith.extui {0} : i1 to i32", "i32"),
        ("arith.sitofp {0} : i1 to f32", "f32"),
        ("arith.uitofp {0} : i1 to f32", "f32"),
        ("arith.select {0}, {2}, {3} : f32", "f32"),
    ]
    got = run_ir(elementwise(["i1", "i1", "f32", "f32"], ops), [p, q, f, -f], cache)
    signed_p, signed_q = -p.astype(int), -q.astype(int)  # true is -1 as a signed i1
    want = [
        p & q,
        p | q,
        p ^ q,
        p ^ q,
        p & q,
        signed_p < signed_q,
        p.astype(int) < q.astype(int),
        signed_p.astype(np.int32),
        p.astype(np.int32),
        signed_p.astype(np.float32),
        p.astype(np.float32),
        np.where(p, f, -f),
    ]
    for (op, _), g, w in zip(ops, got, want, strict=True):
        np.testing.assert_array_equal(g, w, err_msg=op)
