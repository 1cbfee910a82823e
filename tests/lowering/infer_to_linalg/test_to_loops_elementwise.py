"""Elementwise ops lowered to loops compute what the reference interpreter computes."""

from __future__ import annotations

import numpy as np
import pytest
from loop_level import assert_loops_match, lower_to_loops, mlir_type

import infer
from infer.runtime.xdsl_interp import run_loops

SPECIAL = np.array([-2.5, -1.0, -0.5, -0.0, 0.0, 0.3, 0.5, 1.0, 1.5, 2.5, 7.0, np.inf, -np.inf, np.nan])


def unary_ir(op: str, x: np.ndarray, result: str | None = None, attrs: str = "", dims: list | None = None) -> str:
    t = mlir_type(x, dims)
    r = result or t
    return f"""
func.func @main_graph(%x: {t}) -> {r} {{
  %y = infer.{op} %x {attrs} : ({t}) -> {r}
  func.return %y : {r}
}}"""


def binary_ir(op: str, a: np.ndarray, b: np.ndarray, result: str, attrs: str = "", dims=(None, None)) -> str:
    ta, tb = mlir_type(a, dims[0]), mlir_type(b, dims[1])
    return f"""
func.func @main_graph(%a: {ta}, %b: {tb}) -> {result} {{
  %y = infer.{op} %a, %b {attrs} : ({ta}, {tb}) -> {result}
  func.return %y : {result}
}}"""


FLOAT_UNARY = [
    "neg", "abs", "sign", "relu", "exp", "log", "sqrt", "reciprocal", "tanh", "sigmoid", "erf", "floor",
    "ceil", "round", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
    "identity",
]  # fmt: skip


@pytest.mark.parametrize("op", FLOAT_UNARY)
def test_float_unary(op: str) -> None:
    x = SPECIAL.astype(np.float32)
    assert_loops_match(unary_ir(op, x), [x])


@pytest.mark.parametrize("dtype", [np.float16, np.float64])
@pytest.mark.parametrize("op", ["exp", "sigmoid", "erf", "round", "relu", "sign", "tanh"])
def test_float_unary_other_widths(op: str, dtype: type) -> None:
    x = SPECIAL.astype(dtype)
    assert_loops_match(unary_ir(op, x), [x], rtol=1e-3 if dtype == np.float16 else 1e-12)


def test_round_halves_to_even() -> None:
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 2.4999], np.float32)
    (y,) = assert_loops_match(unary_ir("round", x), [x])
    np.testing.assert_array_equal(y, [-2, -2, -0, 0, 2, 2, 4, 2])


INT_TYPES = [np.int8, np.int32, np.int64, np.uint8, np.uint32]


def _ints(dtype: type, n: int = 12) -> np.ndarray:
    info = np.iinfo(dtype)
    values = [0, 1, 2, 3, 7, 100, int(info.max), int(info.min), int(info.min) + 1, -1, -2, -7, -100]
    return np.array([v for v in values if info.min <= v <= info.max][:n], dtype=dtype)


@pytest.mark.parametrize("dtype", INT_TYPES)
@pytest.mark.parametrize("op", ["neg", "abs", "sign", "relu"])
def test_integer_unary(op: str, dtype: type) -> None:
    x = _ints(dtype)
    assert_loops_match(unary_ir(op, x), [x])


def test_not_and_predicates() -> None:
    b = np.array([True, False, True])
    assert_loops_match(unary_ir("not", b), [b])
    x = SPECIAL.astype(np.float32)
    i1 = mlir_type(np.zeros(x.shape, np.bool_))
    assert_loops_match(unary_ir("is_nan", x, i1), [x])
    for attrs in ["", "{detect_negative = false}", "{detect_positive = false}"]:
        assert_loops_match(unary_ir("is_inf", x, i1, attrs), [x])
    text = unary_ir("is_inf", x, i1, "{detect_negative = false, detect_positive = false}")
    (y,) = assert_loops_match(text, [x])
    assert not y.any()


# -- binary --------------------------------------------------------------------------------------

ARITHMETIC = ["add", "sub", "mul", "div", "max", "min", "pow"]


@pytest.mark.parametrize("op", ARITHMETIC)
def test_float_binary_broadcast_dynamic(op: str, rng: np.random.Generator) -> None:
    a = rng.standard_normal((3, 1, 4)).astype(np.float32)
    b = np.abs(rng.standard_normal((1, 2, 4))).astype(np.float32)
    text = binary_ir(op, a, b, "tensor<?x2x4xf32>", dims=([None, 1, 4], [1, 2, 4]))
    assert_loops_match(text, [a, b])
    # The dynamic dim takes another size at run time.
    assert_loops_match(text, [a[:1], b])


@pytest.mark.parametrize("op", ["add", "sub", "mul", "max", "min"])
def test_float_binary_special_values(op: str) -> None:
    a = np.repeat(SPECIAL, len(SPECIAL)).astype(np.float32)
    b = np.tile(SPECIAL, len(SPECIAL)).astype(np.float32)
    assert_loops_match(binary_ir(op, a, b, mlir_type(a)), [a, b])


@pytest.mark.parametrize("dtype", INT_TYPES)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "max", "min", "mod"])
def test_integer_binary(op: str, dtype: type) -> None:
    values = _ints(dtype, 8)
    a = np.repeat(values, len(values))
    b = np.tile(values, len(values))
    assert_loops_match(binary_ir(op, a, b, mlir_type(a)), [a, b])


@pytest.mark.parametrize("dtype", [np.int32, np.int8])
def test_integer_division_truncates(dtype: type) -> None:
    a = np.array([7, -7, 7, -7, 0, 5, -128 if dtype == np.int8 else np.iinfo(dtype).min], dtype)
    b = np.array([2, 2, -2, -2, 3, 0, -1], dtype)
    (q,) = assert_loops_match(binary_ir("div", a, b, mlir_type(a)), [a, b])
    np.testing.assert_array_equal(q[:6], [3, -3, -3, 3, 0, 0])


@pytest.mark.parametrize("fmod", [False, True])
@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.float32, np.float64])
def test_mod_signs(fmod: bool, dtype: type) -> None:
    signed = np.dtype(dtype).kind in "if"
    values = [7, -7, 6, -6, 0, 3, 1] if signed else [7, 6, 0, 3, 1, 255]
    a = np.repeat(np.array(values), len(values)).astype(dtype)
    b = np.tile(np.array(values), len(values)).astype(dtype)
    if np.dtype(dtype).kind == "f":
        a = np.concatenate([a, np.array([5.5, -5.5, 1e30, np.inf, np.nan, 3.0, -3.0, 2.0], dtype)])
        b = np.concatenate([b, np.array([2.0, 2.0, 3.3, 2.0, 2.0, np.inf, np.inf, -0.0], dtype)])
    attrs = "{fmod}" if fmod else ""
    assert_loops_match(binary_ir("mod", a, b, mlir_type(a), attrs), [a, b])


def test_float_mod_of_huge_quotient() -> None:
    # fmod is exact: 1e30 mod 3.3 is not 1e30 - trunc(1e30 / 3.3) * 3.3.
    a = np.array([1e30, -1e30, 3e38, 1e-30], np.float32)
    b = np.array([3.3, 7.0, 1e-3, 3.0], np.float32)
    (y,) = assert_loops_match(binary_ir("mod", a, b, mlir_type(a), "{fmod}"), [a, b], rtol=0)
    np.testing.assert_array_equal(y, np.fmod(a, b))


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8])
def test_integer_pow(dtype: type) -> None:
    bases = [0, 1, 2, 3, 5, 200] if dtype == np.uint8 else [0, 1, -1, 2, -3, 5, 1000]
    exponents = [0, 1, 2, 3, 7, 40] if dtype == np.uint8 else [0, 1, 2, 3, 7, 40, -1, -2, -3]
    a = np.repeat(np.array(bases), len(exponents)).astype(dtype)
    b = np.tile(np.array(exponents), len(bases)).astype(dtype)
    assert_loops_match(binary_ir("pow", a, b, mlir_type(a)), [a, b])


@pytest.mark.parametrize("op", ["equal", "less", "less_equal", "greater", "greater_equal"])
@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8, np.bool_])
def test_comparisons(op: str, dtype: type) -> None:
    if dtype == np.float32:
        values = np.array([-1.0, 0.0, -0.0, 2.0, np.nan, np.inf], dtype)
    elif dtype == np.bool_:
        values = np.array([False, True])
    else:
        values = _ints(dtype, 6)
    a, b = np.repeat(values, len(values)), np.tile(values, len(values))
    result = mlir_type(np.zeros(a.shape, np.bool_))
    assert_loops_match(binary_ir(op, a, b, result), [a, b])


@pytest.mark.parametrize("op", ["and", "or", "xor", "max", "min"])
def test_logical(op: str) -> None:
    a = np.array([[False, True]])
    b = np.array([[False], [True]])
    assert_loops_match(binary_ir(op, a, b, "tensor<2x2xi1>"), [a, b])


def test_select_broadcasts_all_three(rng: np.random.Generator) -> None:
    c = rng.random((2, 1, 3)) > 0.5
    a = rng.standard_normal((1, 4, 3)).astype(np.float32)
    b = rng.standard_normal((2, 4, 1)).astype(np.float32)
    tc, ta, tb = mlir_type(c), mlir_type(a), mlir_type(b)
    text = f"""
func.func @main_graph(%c: {tc}, %a: {ta}, %b: {tb}) -> tensor<2x4x3xf32> {{
  %y = infer.select %c, %a, %b : ({tc}, {ta}, {tb}) -> tensor<2x4x3xf32>
  func.return %y : tensor<2x4x3xf32>
}}"""
    assert_loops_match(text, [c, a, b])


@pytest.mark.parametrize(
    ("dtype", "attrs"),
    [
        (np.float32, "{min = 0.0 : f64, max = 6.0 : f64}"),
        (np.float32, "{max = -1.0 : f64}"),
        (np.float32, "{min = 3.0 : f64, max = 1.0 : f64}"),
        (np.int8, "{min = -1000 : i64, max = 5 : i64}"),
        (np.uint8, "{min = -3 : i64, max = 300 : i64}"),
        (np.int32, "{min = 2 : i64}"),
    ],
)
def test_clip(dtype: type, attrs: str) -> None:
    x = SPECIAL.astype(dtype) if np.dtype(dtype).kind == "f" else _ints(dtype)
    assert_loops_match(unary_ir("clip", x, attrs=attrs), [x])


# -- casts ------------------------------------------------------------------------------------------

CAST_TYPES = [np.float32, np.float16, np.float64, np.int8, np.int32, np.int64, np.uint8, np.uint16, np.bool_]


@pytest.mark.parametrize("source", CAST_TYPES)
@pytest.mark.parametrize("target", CAST_TYPES)
def test_cast_in_range(source: type, target: type) -> None:
    # Values every type holds (where the reference's numpy is not platform-dependent).
    values = np.array([0, 1, 2, 3, 7, 100, 0, 1], np.float64)
    if np.dtype(source).kind in "f":
        values = values + np.array([0.0, 0.25, 0.5, 0.75, -0.0, 0.9, 0.0, 0.0])
        if np.dtype(target).kind in "if" and np.dtype(target).kind != "u":
            values = np.concatenate([values, -values])
    x = values.astype(source)
    result = mlir_type(np.zeros(x.shape, target))
    assert_loops_match(unary_ir("cast", x, result), [x])


def test_cast_float_to_int_saturates() -> None:
    # Out of range, the reference is numpy's platform-dependent conversion; the
    # lowering saturates (and NaN gives 0), which C can compute without undefined behaviour.
    x = np.array([1e10, -1e10, np.nan, np.inf, -np.inf, 300.7, -300.7, -1.5, 127.9, -128.9], np.float32)
    cases = {
        np.int8: [127, -128, 0, 127, -128, 127, -128, -1, 127, -128],
        np.uint8: [255, 0, 0, 255, 0, 255, 0, 0, 127, 0],
        np.int32: [2**31 - 1, -(2**31), 0, 2**31 - 1, -(2**31), 300, -300, -1, 127, -128],
        np.uint64: [10**10, 0, 0, 2**64 - 1, 0, 300, 0, 0, 127, 0],
    }
    for target, expected in cases.items():
        text = unary_ir("cast", x, mlir_type(np.zeros(x.shape, target)))
        (y,) = run_loops(lower_to_loops(infer.parse_ir(text)), [x])
        assert y.dtype == target
        np.testing.assert_array_equal(y, np.array(expected, dtype=target), err_msg=str(target))


def test_cast_wraps_integers() -> None:
    x = np.array([300, -1, 255, -129, 70000], np.int32)
    for target in (np.int8, np.uint8, np.uint16, np.int64, np.uint64, np.bool_):
        assert_loops_match(unary_ir("cast", x, mlir_type(np.zeros(x.shape, target))), [x])


# -- constants and dynamic dims -------------------------------------------------------------------


def test_constant_operands_splat_single_and_dense(rng: np.random.Generator) -> None:
    x = rng.standard_normal((3, 4)).astype(np.float32)
    text = """
func.func @main_graph(%x: tensor<?x4xf32>) -> tensor<3x4xf64> {
  %s = infer.constant splat<2.5> : tensor<3x4xf32>
  %o = infer.constant dense<[[-1.0]]> : tensor<1x1xf32>
  %d = infer.constant dense<[[1.0, 2.0, 3.0, 4.0]]> : tensor<1x4xf32>
  %a = infer.mul %x, %s : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %b = infer.add %a, %o : (tensor<3x4xf32>, tensor<1x1xf32>) -> tensor<3x4xf32>
  %c = infer.sub %b, %d : (tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  %e = infer.cast %c : (tensor<3x4xf32>) -> tensor<3x4xf64>
  func.return %e : tensor<3x4xf64>
}"""
    assert_loops_match(text, [x])


def test_dynamic_dims_meet_static_ones(rng: np.random.Generator) -> None:
    a = rng.standard_normal((2, 3)).astype(np.float32)
    b = rng.standard_normal((2, 3)).astype(np.float32)
    text = binary_ir("add", a, b, "tensor<2x3xf32>", dims=([None, 3], [2, None]))
    assert_loops_match(text, [a, b])


def test_rank_zero(rng: np.random.Generator) -> None:
    a = np.array(1.5, np.float32)
    b = np.array(-4.0, np.float32)
    assert_loops_match(binary_ir("mul", a, b, "tensor<f32>"), [a, b])


# -- epilogues ---------------------------------------------------------------------------------------

EPILOGUES = [
    ("relu", ()),
    ("clip", (-0.5, 6.0)),
    ("leaky_relu", (0.1,)),
    ("sigmoid", ()),
    ("hard_sigmoid", (0.2, 0.5)),
    ("hard_swish", ()),
    ("silu", ()),
    ("tanh", ()),
    ("gelu", ()),
    ("gelu_tanh", ()),
]


@pytest.fixture
def identity_applies(monkeypatch: pytest.MonkeyPatch):
    """Makes `infer.identity` lower to a copy followed by `apply_epilogue(epilogue)`, so
    that an epilogue can be run alone (ops that carry one are another family's)."""
    from infer.dialects.infer import elementwise as ew
    from infer.lowering.infer_to_linalg import core
    from infer.lowering.infer_to_linalg.ops.elementwise import apply_epilogue, elementwise

    def install(epilogue):
        def lower(l):
            return apply_epilogue(l, elementwise(l, lambda s, v: v[0]), epilogue)

        core.find_lowering(ew.IdentityOp)
        monkeypatch.setitem(core._LOWERINGS, ew.IdentityOp, lower)

    return install


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize(("activation", "params"), EPILOGUES)
def test_epilogue_activations_match_the_reference(activation, params, dtype, identity_applies) -> None:
    from infer.dialects.infer.epilogue import Epilogue
    from infer.runtime.reference.nn import apply_epilogue as reference_epilogue

    epilogue = Epilogue(activation, params)
    identity_applies(epilogue)
    x = np.concatenate([SPECIAL, np.linspace(-8, 8, 17)]).astype(dtype)
    (y,) = run_loops(lower_to_loops(infer.parse_ir(unary_ir("identity", x))), [x])
    expected = reference_epilogue(x, epilogue)
    assert y.dtype == expected.dtype
    np.testing.assert_allclose(y, expected, rtol=1e-6 if dtype == np.float32 else 1e-3, equal_nan=True)


@pytest.mark.parametrize(("activation", "params"), [("relu", ()), ("clip", (-1000.0, 5.0))])
def test_integer_epilogues(activation, params, identity_applies) -> None:
    from infer.dialects.infer.epilogue import Epilogue
    from infer.runtime.reference.nn import apply_epilogue as reference_epilogue

    epilogue = Epilogue(activation, params)
    identity_applies(epilogue)
    x = _ints(np.int8)
    (y,) = run_loops(lower_to_loops(infer.parse_ir(unary_ir("identity", x))), [x])
    np.testing.assert_array_equal(y, reference_epilogue(x, epilogue))


def test_dynamic_dims_of_size_one_stretch_at_run_time(rng: np.random.Generator) -> None:
    # A dynamic dim meeting a static one, or another dynamic one, may be 1 at run time.
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal((3, 4)).astype(np.float32)
    text = binary_ir("sub", a, b, "tensor<3x4xf32>", dims=([None, 4], [3, 4]))
    assert_loops_match(text, [a[:1], b])
    assert_loops_match(text, [a, b])
    text = binary_ir("sub", a, b, "tensor<?x4xf32>", dims=([None, None], [None, 4]))
    for x, y in [(a, b), (a[:1], b), (a, b[:1]), (a[:1, :1], b[:1]), (a[:, :1], b)]:
        assert_loops_match(text, [x, y])
    ta, tb = mlir_type(a, [None, None]), mlir_type(b, [1, None])
    select = f"""
func.func @main_graph(%c: tensor<?x1xi1>, %a: {ta}, %b: {tb}) -> tensor<?x?xf32> {{
  %y = infer.select %c, %a, %b : (tensor<?x1xi1>, {ta}, {tb}) -> tensor<?x?xf32>
  func.return %y : tensor<?x?xf32>
}}"""
    c = np.array([[True], [False], [True]])
    assert_loops_match(select, [c, a, b[:1]])
    assert_loops_match(select, [c[:1], a[:, :1], b[:1]])
