"""Elementwise ONNX ops through convert-onnx-to-infer and the interpreter, against onnxruntime."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import ml_dtypes
import numpy as np
import onnx
import pytest
from narrow_cases import assert_same_bits
from onnx.reference import ReferenceEvaluator
from onnx_models import assert_matches_onnxruntime, node_model, run_infer
from xdsl.utils.exceptions import VerifyException

import infer
from infer.dialects.infer import elementwise as ew
from infer.runtime.reference.elementwise import erf

FLOATS = [np.float32, np.float64]
INTS = [np.int32, np.int64]


def check(
    op_type: str,
    inputs: Mapping[str, np.ndarray],
    opset: int,
    *,
    attrs: Mapping[str, Any] | None = None,
    initializers: Mapping[str, np.ndarray] | None = None,
    input_shapes: Mapping[str, Sequence[int | str | None]] | None = None,
    node_inputs: Sequence[str] | None = None,
    outputs: Sequence[str] = ("y",),
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> list[np.ndarray]:
    model = node_model(
        op_type,
        inputs,
        opset=opset,
        attrs=attrs,
        initializers=initializers,
        input_shapes=input_shapes,
        node_inputs=node_inputs,
        outputs=outputs,
    )
    return assert_matches_onnxruntime(model, inputs, rtol=rtol, atol=atol)


def diagnostic(model: onnx.ModelProto) -> str:
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    message = str(info.value)
    assert "\n" not in message
    return message


def ops_of(model: onnx.ModelProto) -> list[str]:
    return [op.name for op in infer.to_infer(model).walk() if op.name.startswith("infer.")]


def _run_reference(model: onnx.ModelProto, feeds: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    return list(ReferenceEvaluator(model).run(None, dict(feeds)))


def values(rng: np.random.Generator, shape: Sequence[int], dtype: Any, low: int = -9, high: int = 10) -> np.ndarray:
    """Random values of `dtype`: normal floats, integers in [low, high)."""
    if np.issubdtype(dtype, np.floating):
        return np.asarray(rng.standard_normal(shape) * 3, dtype)
    if dtype == np.bool_:
        return np.asarray(rng.integers(0, 2, shape), np.bool_)
    return np.asarray(rng.integers(low, high, shape), dtype)


def nonzero(rng: np.random.Generator, shape: Sequence[int], dtype: Any) -> np.ndarray:
    x = values(rng, shape, dtype)
    return np.asarray(np.where(x == 0, np.ones((), dtype), x), dtype)


# -- binary arithmetic --------------------------------------------------------------------------

SHAPES = [((2, 3, 4), (2, 3, 4)), ((2, 3, 4), (4,)), ((2, 1, 4), (3, 1)), ((1,), (2, 3)), ((), (3, 2))]


@pytest.mark.parametrize("op_type", ["Add", "Sub", "Mul", "Div"])
@pytest.mark.parametrize("opset", [7, 13, 14])
@pytest.mark.parametrize("dtype", [*FLOATS, *INTS])
@pytest.mark.parametrize("shapes", SHAPES)
def test_arithmetic(op_type: str, opset: int, dtype: Any, shapes: tuple, rng: np.random.Generator) -> None:
    a = values(rng, shapes[0], dtype)
    b = nonzero(rng, shapes[1], dtype)
    check(op_type, {"a": a, "b": b}, opset)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
@pytest.mark.parametrize("op_type", ["Add", "Sub", "Mul", "Div"])
def test_arithmetic_small_ints_wrap_around(dtype: Any, op_type: str, rng: np.random.Generator) -> None:
    info = np.iinfo(dtype)
    a = rng.integers(info.min, info.max, (5, 6), endpoint=True).astype(dtype)
    b = rng.integers(1, 120, (6,)).astype(dtype)
    check(op_type, {"a": a, "b": b}, 14)


@pytest.mark.parametrize("dtype", INTS + [np.int8])
def test_integer_div_truncates_towards_zero(dtype: Any) -> None:
    a = np.array([-7, 7, -7, 7, 0, -1, 1, -6, 6], dtype)
    b = np.array([2, -2, -2, 2, 3, 4, -4, 3, -3], dtype)
    (y,) = check("Div", {"a": a, "b": b}, 14)
    np.testing.assert_array_equal(y, [-3, -3, 3, 3, 0, 0, 0, -2, -2])


def test_integer_div_extremes() -> None:
    a = np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max, np.iinfo(np.int64).min + 1], np.int64)
    b = np.array([1, -1, 7], np.int64)
    check("Div", {"a": a, "b": b}, 14)


def test_broadcast_constant_scalar(rng: np.random.Generator) -> None:
    x = values(rng, (2, 3), np.float32)
    check("Mul", {"x": x}, 13, initializers={"s": np.array(2.5, np.float32)})
    check("Sub", {"x": x}, 13, initializers={"s": np.array([1.0, 2.0, 3.0], np.float32)}, node_inputs=["s", "x"])


@pytest.mark.parametrize("op_type", ["Add", "Mul", "Equal", "Less", "Max"])
def test_dynamic_dims(op_type: str, rng: np.random.Generator) -> None:
    a = values(rng, (2, 3, 5), np.float32)
    b = values(rng, (3, 1), np.float32)
    check(op_type, {"a": a, "b": b}, 13, input_shapes={"a": ["N", 3, "W"], "b": [3, 1]})
    check(op_type, {"a": a, "b": b}, 13, input_shapes={"a": ["N", "C", "W"], "b": ["C", 1]})


@pytest.mark.parametrize(
    ("a_shape", "b_shape", "axis"),
    [
        ((2, 3, 4, 5), (5,), None),
        ((2, 3, 4, 5), (4, 5), None),
        ((2, 3, 4, 5), (3,), 1),
        ((2, 3, 4, 5), (3, 4), 1),
        ((2, 3, 4, 5), (2,), 0),
        ((2, 3, 4, 5), (1, 4), -3),
    ],
)
@pytest.mark.parametrize("op_type", ["Add", "Mul", "Sub"])
def test_legacy_broadcast_attribute(
    op_type: str, a_shape: tuple[int, ...], b_shape: tuple[int, ...], axis: int | None, rng: np.random.Generator
) -> None:
    # Opset < 7: B broadcasts to A from `axis` on; onnxruntime has no such kernels, so the
    # oracle is numpy with B reshaped by hand.
    a, b = values(rng, a_shape, np.float32), values(rng, b_shape, np.float32)
    attrs = {"broadcast": 1} | ({} if axis is None else {"axis": axis})
    model = node_model(op_type, {"a": a, "b": b}, opset=6, attrs=attrs)
    start = len(a_shape) - len(b_shape) if axis is None else axis % len(a_shape)
    aligned = b.reshape((1,) * start + b_shape + (1,) * (len(a_shape) - start - len(b_shape)))
    expected = {"Add": np.add, "Mul": np.multiply, "Sub": np.subtract}[op_type](a, aligned)
    np.testing.assert_allclose(run_infer(model, {"a": a, "b": b})[0], expected, rtol=1e-6)


def test_legacy_broadcast_that_does_not_fit_is_a_diagnostic() -> None:
    model = node_model(
        "Add", {"a": np.zeros((2, 3), np.float32), "b": np.zeros(4, np.float32)}, opset=6, attrs={"broadcast": 1}
    )
    message = diagnostic(model)
    assert "node 'add_node' (Add, opset 6)" in message and "legacy broadcast" in message


# -- pow ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("opset", [7, 12, 13, 15])
@pytest.mark.parametrize("dtype", FLOATS)
def test_pow_floats(opset: int, dtype: Any, rng: np.random.Generator) -> None:
    base = np.abs(values(rng, (3, 4), dtype)) + 0.1
    exponent = values(rng, (4,), dtype)
    check("Pow", {"a": base, "b": exponent}, opset, rtol=1e-5)
    # A negative base with integral exponents, and NaN for fractional ones.
    check("Pow", {"a": np.array([-2, -3, -8, 0], dtype), "b": np.array([3, 2, 0.5, 2], dtype)}, opset)


MIXED_POW = [
    (np.float32, np.int64, "float base, int exponent"),
    (np.float32, np.float64, "float base, double exponent"),
    (np.float64, np.int32, "double base, int exponent"),
    (np.int32, np.int64, "int base, wider int exponent"),
    (np.int64, np.int32, "int base, narrower int exponent"),
    (np.int32, np.float32, "int base, float exponent"),
    (np.int64, np.float64, "int base, double exponent"),
]


@pytest.mark.parametrize(("base_type", "exponent_type", "case"), MIXED_POW)
@pytest.mark.parametrize("opset", [12, 15])
def test_pow_mixed_types(base_type: Any, exponent_type: Any, case: str, opset: int) -> None:
    base = np.array([2, 3, -2, 4, 9, 5, 1, -1], base_type)
    if np.issubdtype(exponent_type, np.floating):
        exponent = np.array([3, 2, 3, 0.5, 0.5, 1.7, -2.5, 2], exponent_type)
    else:
        exponent = np.array([3, 2, 3, 0, 1, 4, 7, 5], exponent_type)
    check("Pow", {"a": base, "b": exponent}, opset)


@pytest.mark.parametrize("dtype", INTS)
def test_pow_integer_negative_exponents(dtype: Any) -> None:
    base = np.array([2, -2, 1, -1, -1, 3, 5, 7], dtype)
    exponent = np.array([-1, -1, -5, -3, -4, 0, 3, 2], dtype)
    (y,) = check("Pow", {"a": base, "b": exponent}, 15)
    np.testing.assert_array_equal(y, [0, 0, 1, -1, 1, 1, 125, 49])


def test_pow_constant_exponent_is_cast_at_compile_time(rng: np.random.Generator) -> None:
    x = values(rng, (3, 4), np.float32)
    model = node_model("Pow", {"x": x}, opset=15, initializers={"e": np.array(2, np.int64)})
    assert_matches_onnxruntime(model, {"x": x})
    assert "infer.cast" not in ops_of(model)


# -- mod ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmod", [0, 1])
@pytest.mark.parametrize("dtype", [*INTS, np.int8, np.uint8])
@pytest.mark.parametrize("opset", [10, 13])
def test_mod_integers(fmod: int, dtype: Any, opset: int, rng: np.random.Generator) -> None:
    low = 0 if dtype == np.uint8 else -20
    a = rng.integers(low, 20, (4, 5)).astype(dtype)
    b = rng.integers(1, 7, (5,)).astype(dtype) * (1 if dtype == np.uint8 else rng.choice([-1, 1], 5).astype(dtype))
    check("Mod", {"a": a, "b": b}, opset, attrs={"fmod": fmod})


@pytest.mark.parametrize("fmod", [0, 1])
def test_mod_signs(fmod: int) -> None:
    a = np.array([-7, 7, -7, 7, 0, 6], np.int32)
    b = np.array([2, -2, -2, 2, 3, -3], np.int32)
    (y,) = check("Mod", {"a": a, "b": b}, 13, attrs={"fmod": fmod})
    np.testing.assert_array_equal(y, [-1, 1, -1, 1, 0, 0] if fmod else [1, -1, -1, 1, 0, 0])


@pytest.mark.parametrize("dtype", FLOATS)
def test_mod_floats_fmod(dtype: Any, rng: np.random.Generator) -> None:
    a = values(rng, (3, 4), dtype)
    b = nonzero(rng, (3, 1), dtype)
    check("Mod", {"a": a, "b": b}, 13, attrs={"fmod": 1})


def test_mod_floats_floor_mod_at_opset_28(rng: np.random.Generator) -> None:
    a = np.array([-7.5, 7.5, -7.5, 7.5, -0.0, 0.0, -3.0, 3.0], np.float32)
    b = np.array([2, -2, -2, 2, 2, -2, np.inf, np.inf], np.float32)
    check("Mod", {"a": a, "b": b}, 28)
    check("Mod", {"a": values(rng, (3, 4), np.float64), "b": nonzero(rng, (4,), np.float64)}, 28)


def test_mod_floats_without_fmod_before_28_is_a_diagnostic() -> None:
    model = node_model("Mod", {"a": np.ones(3, np.float32), "b": np.ones(3, np.float32)}, opset=13)
    message = diagnostic(model)
    assert "node 'mod_node' (Mod, opset 13)" in message and "fmod = 0" in message


# -- variadic ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("op_type", ["Sum", "Mean", "Max", "Min"])
@pytest.mark.parametrize("opset", [7, 8, 12, 13])
@pytest.mark.parametrize("count", [1, 2, 3])
def test_variadic_same_shapes(op_type: str, opset: int, count: int, rng: np.random.Generator) -> None:
    inputs = {f"x{i}": values(rng, (3, 4), np.float32) for i in range(count)}
    check(op_type, inputs, opset)


@pytest.mark.parametrize(
    ("op_type", "dtype"),
    [("Sum", np.float32), ("Sum", np.float64), ("Mean", np.float32), ("Max", np.float64), ("Min", np.float64)],
)
def test_variadic_broadcasting(op_type: str, dtype: Any, rng: np.random.Generator) -> None:
    inputs = {"a": values(rng, (2, 1, 4), dtype), "b": values(rng, (3, 1), dtype), "c": values(rng, (4,), dtype)}
    check(op_type, inputs, 13)
    check(op_type, inputs, 13, input_shapes={"a": ["N", 1, 4], "b": [3, 1], "c": [4]})


@pytest.mark.parametrize("op_type", ["Max", "Min"])
@pytest.mark.parametrize("dtype", [*INTS, np.int8, np.uint8])
def test_variadic_integers(op_type: str, dtype: Any, rng: np.random.Generator) -> None:
    low = 0 if dtype == np.uint8 else -50
    inputs = {name: rng.integers(low, 50, shape).astype(dtype) for name, shape in (("a", (3, 4)), ("b", (4,)))}
    check(op_type, inputs, 13)


@pytest.mark.parametrize("op_type", ["Max", "Min"])
def test_max_min_propagate_nan(op_type: str) -> None:
    a = np.array([np.nan, 1, 2, -np.inf], np.float32)
    b = np.array([1, np.nan, 3, 0], np.float32)
    check(op_type, {"a": a, "b": b}, 13)


# -- unary ----------------------------------------------------------------------------------------------


def _positive(rng: np.random.Generator, dtype: Any) -> np.ndarray:
    return (np.abs(rng.standard_normal((3, 5))) * 3 + 0.01).astype(dtype)


def _unit(rng: np.random.Generator, dtype: Any) -> np.ndarray:
    return rng.uniform(-0.99, 0.99, (3, 5)).astype(dtype)


def _above_one(rng: np.random.Generator, dtype: Any) -> np.ndarray:
    return (1 + np.abs(rng.standard_normal((3, 5))) * 3).astype(dtype)


def _normal(rng: np.random.Generator, dtype: Any) -> np.ndarray:
    return values(rng, (3, 5), dtype)


def _halves(rng: np.random.Generator, dtype: Any) -> np.ndarray:
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, -2.5001, 3.0, 0.0, -0.0, 1e6 + 0.5], dtype)
    return np.concatenate([x, _normal(rng, dtype).reshape(-1)])


UNARY = [
    # (op, input domain, dtypes onnxruntime implements, first opset where they exist)
    ("Neg", _normal, [*FLOATS, np.int32, np.int64, np.int8], 7),
    ("Abs", _normal, [*FLOATS, np.int32, np.int64, np.int8], 7),
    ("Sign", _normal, [*FLOATS, np.int32, np.int64], 9),
    ("Relu", _normal, FLOATS, 7),
    ("Exp", _normal, FLOATS, 7),
    ("Log", _positive, FLOATS, 7),
    ("Sqrt", _positive, FLOATS, 7),
    ("Reciprocal", _positive, FLOATS, 7),
    ("Tanh", _normal, FLOATS, 7),
    ("Sigmoid", _normal, FLOATS, 7),
    ("Erf", _normal, [np.float32], 9),
    ("Floor", _normal, FLOATS, 7),
    ("Ceil", _normal, FLOATS, 7),
    ("Round", _halves, FLOATS, 11),
    ("Sin", _normal, FLOATS, 7),
    ("Cos", _normal, FLOATS, 7),
    ("Tan", _unit, [np.float32], 7),
    ("Asin", _unit, [np.float32], 7),
    ("Acos", _unit, [np.float32], 7),
    ("Atan", _normal, [np.float32], 7),
    ("Sinh", _normal, [np.float32], 9),
    ("Cosh", _normal, [np.float32], 9),
    ("Asinh", _normal, [np.float32], 9),
    ("Acosh", _above_one, [np.float32], 9),
    ("Atanh", _unit, [np.float32], 9),
]


@pytest.mark.parametrize(
    ("op_type", "domain", "dtype", "first"),
    [(op, domain, dtype, first) for op, domain, dtypes, first in UNARY for dtype in dtypes],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
@pytest.mark.parametrize("opset", [7, 13, 22])
def test_unary(op_type: str, domain: Any, dtype: Any, first: int, opset: int, rng: np.random.Generator) -> None:
    x = domain(rng, dtype)
    check(op_type, {"x": x}, max(opset, first))


@pytest.mark.parametrize("op_type", ["Exp", "Sigmoid", "Tanh", "Erf", "Abs", "Neg"])
def test_unary_dynamic_and_special_values(op_type: str) -> None:
    x = np.array([[np.nan, np.inf, -np.inf, 0.0], [-0.0, 100.0, -100.0, 1e-30]], np.float32)
    check(op_type, {"x": x}, 13, input_shapes={"x": ["N", "M"]})


@pytest.mark.parametrize("dtype", [np.int8, np.int32])
def test_relu_integers(dtype: Any, rng: np.random.Generator) -> None:
    check("Relu", {"x": values(rng, (3, 4), dtype)}, 14)


def test_sign_zero_and_nan() -> None:
    (y,) = check("Sign", {"x": np.array([np.nan, -0.0, 0.0, -2, 3, -np.inf], np.float32)}, 13)
    assert np.isnan(y[0])


def test_round_halves_to_even() -> None:
    (y,) = check("Round", {"x": np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5], np.float32)}, 11)
    np.testing.assert_array_equal(y, [0, 2, 2, -0.0, -2, -2])


def test_erf_is_accurate_in_double_precision() -> None:
    # onnxruntime has no double Erf: compare with math.erf, correctly rounded for doubles.
    x = np.concatenate([np.linspace(-7, 7, 20001), [0.46875, -0.46875, 4.0, -4.0, 26.6, -30.0, 1e-300, -0.0]])
    expected = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(erf(x), expected, rtol=1e-15, atol=0)
    assert np.signbit(erf(np.array([-0.0])))[0]


@pytest.mark.parametrize("opset", [9, 13, 20])
@pytest.mark.parametrize("dtype", FLOATS)
def test_is_nan(opset: int, dtype: Any) -> None:
    x = np.array([[np.nan, np.inf, -np.inf], [0.0, -1.0, np.nan]], dtype)
    check("IsNaN", {"x": x}, opset, input_shapes={"x": ["N", 3]})


@pytest.mark.parametrize("opset", [10, 20])
@pytest.mark.parametrize(("positive", "negative"), [(1, 1), (1, 0), (0, 1), (0, 0)])
@pytest.mark.parametrize("dtype", FLOATS)
def test_is_inf(opset: int, positive: int, negative: int, dtype: Any) -> None:
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -1.0, 3e38], dtype)
    check("IsInf", {"x": x}, opset, attrs={"detect_positive": positive, "detect_negative": negative})


# -- comparisons and logic ------------------------------------------------------------------------------------


COMPARISONS = [
    # (op, dtypes, opsets)
    ("Equal", [np.bool_, np.int32, np.int64], [7, 11, 13, 19]),
    ("Equal", FLOATS, [11, 13, 19]),
    ("Less", [np.float32], [7, 9, 13]),
    ("Less", [np.float64, np.int32, np.int64], [9, 13]),
    ("Greater", [np.float32], [7, 9, 13]),
    ("Greater", [np.float64, np.int32, np.int64], [9, 13]),
    ("LessOrEqual", [*FLOATS, *INTS], [12, 16]),
    ("GreaterOrEqual", [*FLOATS, *INTS], [12, 16]),
]


@pytest.mark.parametrize(
    ("op_type", "dtype", "opset"),
    [(op, dtype, opset) for op, dtypes, opsets in COMPARISONS for dtype in dtypes for opset in opsets],
    ids=str,
)
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((2, 1, 4), (3, 1)), ((4,), ())])
def test_comparisons(op_type: str, dtype: Any, opset: int, shapes: tuple, rng: np.random.Generator) -> None:
    a = values(rng, shapes[0], dtype, -3, 3)
    b = values(rng, shapes[1], dtype, -3, 3)
    if np.issubdtype(dtype, np.floating):
        # Ties and NaNs matter for comparisons.
        a = np.round(a)
        b = np.asarray(np.round(b))
        a.reshape(-1)[0] = np.nan
    check(op_type, {"a": a, "b": b}, opset)


@pytest.mark.parametrize("op_type", ["And", "Or", "Xor"])
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((2, 1, 4), (3, 1)), ((), (2, 2))])
def test_logical(op_type: str, shapes: tuple, rng: np.random.Generator) -> None:
    check(op_type, {"a": values(rng, shapes[0], np.bool_), "b": values(rng, shapes[1], np.bool_)}, 7)


def test_not(rng: np.random.Generator) -> None:
    check("Not", {"x": values(rng, (3, 4), np.bool_)}, 7, input_shapes={"x": ["N", 4]})


@pytest.mark.parametrize("opset", [9, 16])
@pytest.mark.parametrize("dtype", [*FLOATS, *INTS, np.uint8])
def test_where(opset: int, dtype: Any, rng: np.random.Generator) -> None:
    condition = values(rng, (3, 1, 4), np.bool_)
    a = values(rng, (2, 1), dtype, 0, 10)
    b = values(rng, (4,), dtype, 0, 10)
    check("Where", {"c": condition, "a": a, "b": b}, opset)
    check("Where", {"c": condition, "a": a, "b": b}, opset, input_shapes={"c": ["N", 1, 4]})


def test_where_bools(rng: np.random.Generator) -> None:
    # onnxruntime has no bool Where: compare with the ONNX reference.
    inputs = {
        "c": values(rng, (3, 1, 4), np.bool_),
        "a": values(rng, (2, 1), np.bool_),
        "b": values(rng, (4,), np.bool_),
    }
    model = node_model("Where", inputs, opset=16)
    (expected,) = _run_reference(model, inputs)
    (actual,) = run_infer(model, inputs)
    assert actual.dtype == np.bool_
    np.testing.assert_array_equal(actual, expected)


# -- clip ----------------------------------------------------------------------------------------------------


SPECIALS = np.array([np.nan, np.inf, -np.inf, 7.0, -7.0, 0.5], np.float32)


@pytest.mark.parametrize("opset", [7, 10])
@pytest.mark.parametrize(
    "attrs", [{}, {"min": 0.0}, {"max": 6.0}, {"min": -1.5, "max": 2.5}, {"min": 1.0, "max": 1.0}], ids=str
)
def test_clip_attributes(opset: int, attrs: dict, rng: np.random.Generator) -> None:
    x = np.concatenate([values(rng, (10,), np.float32), SPECIALS[1:]])
    check("Clip", {"x": x}, opset, attrs=attrs)


@pytest.mark.parametrize(("opset", "dtype"), [(11, np.float32), (12, np.float32), (13, np.float32), (13, np.float64)])
@pytest.mark.parametrize(("low", "high"), [(0.0, 6.0), (None, 1.0), (-1.0, None), (None, None), (2.0, -2.0)])
def test_clip_constant_bounds(
    opset: int, low: float | None, high: float | None, dtype: Any, rng: np.random.Generator
) -> None:
    x = np.concatenate([values(rng, (10,), dtype), SPECIALS[1:].astype(dtype)])
    initializers = {name: np.array(v, dtype) for name, v in (("lo", low), ("hi", high)) if v is not None}
    node_inputs = ["x", "lo" if low is not None else "", "hi" if high is not None else ""]
    model = node_model("Clip", {"x": x}, opset=opset, initializers=initializers, node_inputs=node_inputs)
    assert_matches_onnxruntime(model, {"x": x})
    ops = ops_of(model)
    assert "infer.max" not in ops and "infer.min" not in ops


@pytest.mark.parametrize(("low", "high"), [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize("reversed_bounds", [False, True])
def test_clip_runtime_bounds(low: bool, high: bool, reversed_bounds: bool, rng: np.random.Generator) -> None:
    x = values(rng, (3, 4), np.float32)
    lo, hi = (np.array(1.0, np.float32), np.array(-1.0, np.float32))
    if not reversed_bounds:
        lo, hi = hi, lo
    inputs = {"x": x}
    initializers = {}
    for name, value, runtime in (("lo", lo, low), ("hi", hi, high)):
        (inputs if runtime else initializers)[name] = value
    model = node_model("Clip", inputs, opset=13, initializers=initializers, node_inputs=["x", "lo", "hi"])
    assert_matches_onnxruntime(model, inputs)


@pytest.mark.parametrize("opset", [12, 13])
@pytest.mark.parametrize("dtype", [*INTS, np.int8, np.uint8])
def test_clip_integers(opset: int, dtype: Any, rng: np.random.Generator) -> None:
    info = np.iinfo(dtype)
    x = np.concatenate([values(rng, (10,), dtype, 0 if info.min == 0 else -100, 100), [info.min, info.max]]).astype(
        dtype
    )
    initializers = {"lo": np.array(2 if info.min == 0 else -20, dtype), "hi": np.array(info.max - 1, dtype)}
    check("Clip", {"x": x}, opset, initializers=initializers)
    check("Clip", {"x": x, "lo": initializers["lo"]}, opset)


def test_clip_integer_bounds_beyond_the_type_saturate() -> None:
    # An i64 property bound outside the i8 range must not wrap around.
    module = infer.parse_ir(
        """
        func.func @main_graph(%x: tensor<4xi8>) -> tensor<4xi8> {
          %y = infer.clip %x {min = -1000 : i64, max = 100 : i64} : (tensor<4xi8>) -> tensor<4xi8>
          func.return %y : tensor<4xi8>
        }
        """
    )
    (y,) = infer.run(module, [np.array([-128, -5, 101, 127], np.int8)]).values()
    np.testing.assert_array_equal(y, [-128, -5, 100, 100])


def test_clip_dynamic_dims(rng: np.random.Generator) -> None:
    x = values(rng, (2, 3, 5), np.float32)
    check(
        "Clip",
        {"x": x},
        13,
        initializers={"lo": np.array(0, np.float32), "hi": np.array(6, np.float32)},
        input_shapes={"x": ["N", 3, "W"]},
    )


def test_clip_non_scalar_bound_is_a_diagnostic() -> None:
    model = node_model(
        "Clip",
        {"x": np.zeros((2, 3), np.float32), "lo": np.zeros(3, np.float32)},
        opset=13,
    )
    message = diagnostic(model)
    assert "node 'clip_node' (Clip, opset 13)" in message and "'min' must be a scalar" in message


# -- casts --------------------------------------------------------------------------------------------------------


CAST_TYPES = [np.float32, np.float64, np.float16, np.int8, np.int32, np.int64, np.uint8, np.bool_]


def _cast_input(dtype: Any, target: Any, rng: np.random.Generator) -> np.ndarray:
    """Values that every target represents (out-of-range float to int casts are undefined)."""
    if dtype == np.bool_:
        return values(rng, (3, 4), np.bool_)
    low = 0 if target in (np.uint8, np.bool_) or dtype == np.uint8 else -100
    x = rng.integers(low, 100, (3, 4)).astype(dtype)
    if np.issubdtype(dtype, np.floating):
        x = (x + rng.uniform(-0.99, 0.99, (3, 4)) * (x != 0)).astype(dtype)
        if low == 0:
            x = np.abs(x)
    return x


@pytest.mark.parametrize("source", CAST_TYPES, ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("target", CAST_TYPES, ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("opset", [7, 13, 19, 21, 25])
def test_cast(source: Any, target: Any, opset: int, rng: np.random.Generator) -> None:
    x = _cast_input(source, target, rng)
    to = onnx.helper.np_dtype_to_tensor_dtype(np.dtype(target))
    check("Cast", {"x": x}, opset, attrs={"to": to}, rtol=1e-3 if np.float16 in (source, target) else 1e-5)


def test_cast_special_values() -> None:
    x = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-45, 70000.0], np.float32)
    for target in (np.float64, np.float16, np.bool_):
        check("Cast", {"x": x}, 13, attrs={"to": onnx.helper.np_dtype_to_tensor_dtype(np.dtype(target))})


def test_cast_integers_wrap_around() -> None:
    x = np.array([300, -129, 127, 200, -56, 65536 + 5], np.int64)
    for target in (np.int8, np.uint8, np.int32):
        check("Cast", {"x": x}, 13, attrs={"to": onnx.helper.np_dtype_to_tensor_dtype(np.dtype(target))})


def test_cast_to_same_type_and_of_constants_make_no_op(rng: np.random.Generator) -> None:
    x = values(rng, (3,), np.float32)
    model = node_model("Cast", {"x": x}, opset=13, attrs={"to": onnx.TensorProto.FLOAT})
    assert_matches_onnxruntime(model, {"x": x})
    assert "infer.cast" not in ops_of(model)


@pytest.mark.parametrize("opset", [15, 19, 21])
@pytest.mark.parametrize(("source", "target"), [(np.float32, np.int64), (np.int32, np.float64), (np.float64, np.bool_)])
def test_cast_like(opset: int, source: Any, target: Any, rng: np.random.Generator) -> None:
    x = _cast_input(source, target, rng)
    check("CastLike", {"x": x, "t": np.zeros(1, target)}, opset, input_shapes={"x": ["N", 4]})


def test_cast_to_string_is_a_diagnostic() -> None:
    model = node_model("Cast", {"x": np.zeros(3, np.float32)}, opset=13, attrs={"to": onnx.TensorProto.STRING})
    message = diagnostic(model)
    assert "node 'cast_node' (Cast, opset 13)" in message and "STRING" in message


@pytest.mark.parametrize("saturate", [0, 1])
@pytest.mark.parametrize("op_type", ["Cast", "CastLike"])
def test_cast_to_float8_saturate(saturate: int, op_type: str) -> None:
    x = np.array([0.3, -0.3, 500.0, -500.0, 1e6, np.inf, -np.inf, np.nan, 1e-9, 240.0, 300.0], np.float32)
    for target in (ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e5m2):
        to = onnx.helper.np_dtype_to_tensor_dtype(np.dtype(target))
        attrs: dict[str, Any] = {"saturate": saturate}
        if op_type == "Cast":
            model = node_model("Cast", {"x": x}, opset=19, attrs={**attrs, "to": to})
            feeds = {"x": x}
        else:
            feeds = {"x": x, "t": np.zeros(1, target)}
            model = node_model("CastLike", feeds, opset=19, attrs=attrs)
        (actual,) = run_infer(model, feeds)
        # onnxruntime's Python API takes and gives no float8 arrays: onnx's reference is the oracle.
        expected = ReferenceEvaluator(model).run(None, feeds)[0]
        assert actual.dtype == np.dtype(target)
        assert_same_bits(actual, expected, x)
    if saturate:
        assert "saturate" in str(infer.to_infer(model))


NARROW_CASTS = [
    # (source, target, first opset with both types)
    (np.float32, ml_dtypes.bfloat16, 13),
    (ml_dtypes.bfloat16, np.float32, 13),
    (np.float16, ml_dtypes.float8_e4m3fnuz, 19),
    (ml_dtypes.float8_e5m2, np.float16, 19),
    (np.float32, ml_dtypes.int4, 21),
    (ml_dtypes.uint4, np.float32, 21),
    (np.int32, ml_dtypes.int4, 21),
    (np.float32, ml_dtypes.float4_e2m1fn, 23),
    (ml_dtypes.float4_e2m1fn, np.float16, 23),
    (np.float32, ml_dtypes.int2, 25),
]


def _narrow_input(source: Any, rng: np.random.Generator) -> np.ndarray:
    if source is np.int32:
        return rng.integers(-30, 30, (3, 4)).astype(np.int32)
    values = (rng.standard_normal((3, 4)) * 4).astype(np.float32)
    values.reshape(-1)[:3] = [0.5, -2.5, 1.75]  # ties of the narrow types
    return values.astype(source)


@pytest.mark.parametrize(("source", "target", "since"), NARROW_CASTS, ids=lambda v: getattr(v, "__name__", str(v)))
@pytest.mark.parametrize("opset", [19, 21, 23, 25])
def test_cast_narrow_types(source: Any, target: Any, since: int, opset: int, rng: np.random.Generator) -> None:
    """Casts to and from the narrow types with a dynamic dim, Cast and CastLike, against onnx's reference
    (onnxruntime's Python API has no arrays of these types)."""
    if opset < since:
        pytest.skip(f"the types need opset {since}")
    x = _narrow_input(source, rng)
    to = onnx.helper.np_dtype_to_tensor_dtype(np.dtype(target))
    for model, feeds in (
        (node_model("Cast", {"x": x}, opset=opset, attrs={"to": to}, input_shapes={"x": ["N", 4]}), {"x": x}),
        (node_model("CastLike", {"x": x, "t": np.zeros(1, target)}, opset=opset, input_shapes={"x": ["N", 4]}),
         {"x": x, "t": np.zeros(1, target)}),
    ):  # fmt: skip
        (actual,) = run_infer(model, feeds)
        expected = ReferenceEvaluator(model).run(None, feeds)[0]
        assert actual.dtype == np.dtype(target) and actual.shape == x.shape
        assert_same_bits(actual, expected, x)


def test_ops_on_bf16_compute_in_f32_and_round(rng: np.random.Generator) -> None:
    """Clip without bounds clamps to bf16's finite range; Relu, Mul and Add round after each op."""
    x = (rng.standard_normal((3, 4)) * 8).astype(ml_dtypes.bfloat16)
    x.reshape(-1)[:2] = [np.inf, np.nan]
    nodes = [
        onnx.helper.make_node("Clip", ["x"], ["c"]),
        onnx.helper.make_node("Relu", ["c"], ["r"]),
        onnx.helper.make_node("Mul", ["r", "x"], ["m"]),
        onnx.helper.make_node("Add", ["m", "x"], ["y"]),
    ]
    bf16 = onnx.TensorProto.BFLOAT16
    graph = onnx.helper.make_graph(
        nodes,
        "bf16",
        [onnx.helper.make_tensor_value_info("x", bf16, ["N", 4])],
        [onnx.helper.make_tensor_value_info("y", bf16, ["N", 4])],
    )
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 21)])
    model.ir_version = 10
    (actual,) = run_infer(model, {"x": x})
    wide = x.astype(np.float32)
    c = np.clip(wide, -float(ml_dtypes.finfo(ml_dtypes.bfloat16).max), float(ml_dtypes.finfo(ml_dtypes.bfloat16).max))
    m = (np.maximum(c, 0) * wide).astype(ml_dtypes.bfloat16).astype(np.float32)
    with np.errstate(all="ignore"):
        expected = (m + wide).astype(ml_dtypes.bfloat16)
    assert_same_bits(actual, expected, x)


def test_cast_to_e8m0_round_modes() -> None:
    x = np.array([0.124, 0.25, 1.1, 1.5, 3.0, 100.0], np.float32)
    for round_mode in ("up", "down", "nearest"):
        model = node_model(
            "Cast", {"x": x}, opset=25, attrs={"to": onnx.TensorProto.FLOAT8E8M0, "round_mode": round_mode}
        )
        (actual,) = run_infer(model, {"x": x})
        assert_same_bits(actual, onnx.numpy_helper.to_float8e8m0(x, True, round_mode), x)


def test_cast_to_e8m0_with_an_unknown_round_mode_is_a_diagnostic() -> None:
    model = node_model("Cast", {"x": np.zeros(3, np.float32)}, opset=25, attrs={"to": onnx.TensorProto.FLOAT8E8M0})
    model.graph.node[0].attribute.append(onnx.helper.make_attribute("round_mode", "sideways"))
    message = diagnostic(model)
    assert "node 'cast_node' (Cast, opset 25)" in message and "round_mode" in message


# -- identity and dropout ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("opset", [7, 13, 14, 16, 19, 21, 25])
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
def test_identity(opset: int, dtype: Any, rng: np.random.Generator) -> None:
    model = node_model("Identity", {"x": values(rng, (2, 3), dtype)}, opset=opset, input_shapes={"x": ["N", 3]})
    x = values(rng, (4, 3), dtype)
    assert_matches_onnxruntime(model, {"x": x})
    assert ops_of(model) == []


@pytest.mark.parametrize("opset", [7, 10, 12, 13, 22])
@pytest.mark.parametrize("dynamic", [False, True])
def test_dropout_is_the_identity_with_an_all_true_mask(opset: int, dynamic: bool, rng: np.random.Generator) -> None:
    x = values(rng, (2, 3, 4), np.float32)
    shapes = {"x": ["N", 3, "W"]} if dynamic else None
    attrs = {"ratio": 0.3} if opset < 12 else None
    # Output only: the mask is not computed.
    model = node_model("Dropout", {"x": x}, opset=opset, attrs=attrs, input_shapes=shapes)
    (y,) = assert_matches_onnxruntime(model, {"x": x})
    np.testing.assert_array_equal(y, x)
    # With the mask: onnxruntime gives all-false masks for Dropout-7 and -10 in inference;
    # the ONNX reference (and the spec) an all-ones one, as for later versions.
    model = node_model("Dropout", {"x": x}, opset=opset, attrs=attrs, input_shapes=shapes, outputs=["y", "mask"])
    expected = _run_reference(model, {"x": x})
    if opset < 10:  # Dropout-7's mask has the data's type (the ONNX reference makes it bool)
        expected[1] = expected[1].astype(x.dtype)
    actual = run_infer(model, {"x": x})
    for a, e in zip(actual, expected, strict=True):
        assert a.dtype == e.dtype and a.shape == e.shape
        np.testing.assert_array_equal(a, e)
    assert actual[1].all()


@pytest.mark.parametrize("opset", [12, 13, 22])
def test_dropout_ratio_and_false_training_mode_inputs(opset: int, rng: np.random.Generator) -> None:
    x = values(rng, (2, 3), np.float32)
    initializers = {"ratio": np.array(0.5, np.float32), "training": np.array(False)}
    check("Dropout", {"x": x}, opset, initializers=initializers, outputs=["y", "mask"])


def test_dropout_training_mode_is_a_diagnostic() -> None:
    initializers = {"ratio": np.array(0.5, np.float32), "training": np.array(True)}
    model = node_model("Dropout", {"x": np.zeros(3, np.float32)}, opset=13, initializers=initializers)
    message = diagnostic(model)
    assert "node 'dropout_node' (Dropout, opset 13)" in message and "training_mode" in message
    inputs = {"x": np.zeros(3, np.float32), "training": np.array(False)}
    model = node_model("Dropout", inputs, opset=13, node_inputs=["x", "", "training"])
    message = diagnostic(model)
    assert "training_mode" in message and "must be a constant" in message


# -- the infer ops themselves ----------------------------------------------------------------------------------------


def test_arithmetic_rejects_i1() -> None:
    with pytest.raises(VerifyException, match="needs integer or floating-point operands"):
        infer.parse_ir(
            """
            func.func @f(%a: tensor<2xi1>) -> tensor<2xi1> {
              %y = infer.add %a, %a : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
              func.return %y : tensor<2xi1>
            }
            """
        )


def test_every_elementwise_op_has_semantics() -> None:
    from infer.runtime.interpreter import has_semantics

    assert all(has_semantics(op) for op in ew.ELEMENTWISE_OPS)


@pytest.mark.parametrize("op_type", ["Add", "Mul", "Div", "Max", "Equal", "Less"])
def test_binary_float16(op_type: str, rng: np.random.Generator) -> None:
    a = values(rng, (3, 4), np.float16)
    b = nonzero(rng, (4,), np.float16)
    check(op_type, {"a": a, "b": b}, 14, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("op_type", ["Relu", "Exp", "Sigmoid", "Tanh", "Erf", "Sqrt", "Neg", "Floor", "Round"])
def test_unary_float16(op_type: str, rng: np.random.Generator) -> None:
    x = values(rng, (3, 5), np.float16)
    if op_type == "Sqrt":
        x = np.abs(x)
    check(op_type, {"x": x}, 13, rtol=2e-3, atol=1e-3)


def test_clip_float16_defaults_are_its_limits() -> None:
    x = np.array([np.inf, -np.inf, 7.0, -60000.0, 65504.0], np.float16)
    check("Clip", {"x": x}, 13, initializers={"lo": np.array(-1, np.float16)})
