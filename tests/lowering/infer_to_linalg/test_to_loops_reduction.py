"""Reductions, arg max/min and hardmax lowered to loops match the reference."""

from __future__ import annotations

import numpy as np
import pytest
from loop_level import assert_loops_match, mlir_type

REDUCTIONS = ["reduce_sum", "reduce_mean", "reduce_prod", "reduce_max", "reduce_min"]
AXES = [[0], [1], [2], [0, 2], [1, 2], [0, 1, 2]]


def reduce_ir(op: str, x: np.ndarray, axes: list[int], keepdims: bool, dims=None) -> str:
    shape = list(x.shape if dims is None else dims)
    kept = (
        [1 if i in axes else d for i, d in enumerate(shape)]
        if keepdims
        else [d for i, d in enumerate(shape) if i not in axes]
    )
    t = mlir_type(x, shape)
    element = "i64" if op.startswith("arg_") else t.split("x")[-1].rstrip(">") if shape else t[7:-1]
    result = "tensor<" + "".join(("?" if d is None else str(d)) + "x" for d in kept) + element + ">"
    if op.startswith("arg_"):
        attrs = f"{{axis = {axes[0]} : i64"
    else:
        attrs = f"{{axes = array<i64: {', '.join(map(str, axes))}>"
    attrs += ", keepdims" if keepdims else ""
    return f"""
func.func @main_graph(%x: {t}) -> {result} {{
  %y = infer.{op} %x {attrs}}} : ({t}) -> {result}
  func.return %y : {result}
}}"""


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axes", AXES)
@pytest.mark.parametrize("op", REDUCTIONS)
def test_float_reductions(op: str, axes: list[int], keepdims: bool, rng: np.random.Generator) -> None:
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    assert_loops_match(reduce_ir(op, x, axes, keepdims, dims=[None, 3, 4]), [x], rtol=1e-5)


@pytest.mark.parametrize("op", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.int32, np.int8, np.uint8, np.int64])
def test_integer_reductions(op: str, dtype: type, rng: np.random.Generator) -> None:
    # Sums and products wrap around; means truncate towards zero.
    low = 0 if np.dtype(dtype).kind == "u" else -100
    x = rng.integers(low, 100, (3, 5)).astype(dtype)
    assert_loops_match(reduce_ir(op, x, [1], False), [x])
    assert_loops_match(reduce_ir(op, x, [0, 1], True), [x])


@pytest.mark.parametrize("op", ["reduce_max", "reduce_min"])
def test_boolean_reductions(op: str) -> None:
    x = np.array([[True, False], [True, True], [False, False]])
    assert_loops_match(reduce_ir(op, x, [1], False), [x])


@pytest.mark.parametrize("op", REDUCTIONS)
def test_f16_reductions(op: str, rng: np.random.Generator) -> None:
    x = (rng.standard_normal((4, 64)) * (1.2 if op == "reduce_prod" else 30)).astype(np.float16)
    assert_loops_match(reduce_ir(op, x, [1], True), [x], rtol=2e-3)


@pytest.mark.parametrize("op", REDUCTIONS)
def test_nan_and_empty(op: str) -> None:
    x = np.array([[1.0, np.nan, 2.0], [1.0, 2.0, 3.0]], np.float32)
    assert_loops_match(reduce_ir(op, x, [1], False), [x])
    # Reducing nothing gives the identity (and the mean of nothing is NaN).
    empty = np.zeros((2, 0), np.float32)
    assert_loops_match(reduce_ir(op, empty, [1], False), [empty])


def test_dynamic_reduced_dim(rng: np.random.Generator) -> None:
    x = rng.standard_normal((2, 5)).astype(np.float32)
    text = reduce_ir("reduce_mean", x, [1], True, dims=[2, None])
    assert_loops_match(text, [x], rtol=1e-6)
    assert_loops_match(text, [x[:, :2]], rtol=1e-6)


@pytest.mark.parametrize("last", [False, True])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("op", ["arg_max", "arg_min"])
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_arg_extremum(op: str, axis: int, keepdims: bool, last: bool) -> None:
    # Ties everywhere, so that first and last differ.
    x = np.array([[[1, 3, 3, 0], [3, 1, 0, 3], [2, 3, 3, 1]], [[0, 0, 0, 0], [5, 5, 1, 5], [-1, 5, 5, 7]]], np.float32)
    text = reduce_ir(op, x, [axis], keepdims, dims=[None, 3, 4])
    if last:
        text = text.replace("keepdims}", "keepdims, select_last_index}").replace(
            " : i64}", " : i64, select_last_index}"
        )
    assert_loops_match(text, [x])


@pytest.mark.parametrize("last", [False, True])
@pytest.mark.parametrize("op", ["arg_max", "arg_min"])
def test_arg_extremum_nan_inf_and_ints(op: str, last: bool) -> None:
    suffix = ", select_last_index}" if last else "}"
    x = np.array(
        [[np.nan, 1, np.nan, 2], [-np.inf, -np.inf, -np.inf, -np.inf], [np.inf, 1, np.inf, -np.inf]], np.float32
    )
    assert_loops_match(reduce_ir(op, x, [1], False).replace(" : i64}", " : i64" + suffix), [x])
    i = np.array([[3, 7, 7, -2], [-128, -128, 5, 5]], np.int8)
    assert_loops_match(reduce_ir(op, i, [1], False).replace(" : i64}", " : i64" + suffix), [i])
    u = np.array([[0, 255, 255], [0, 0, 1]], np.uint8)
    assert_loops_match(reduce_ir(op, u, [1], False).replace(" : i64}", " : i64" + suffix), [u])


@pytest.mark.parametrize("axes", [[1], [2], [1, 2], [0, 1, 2]])
def test_hardmax(axes: list[int], rng: np.random.Generator) -> None:
    x = rng.integers(0, 3, (2, 3, 4)).astype(np.float32)  # many ties: the first maximum wins
    x[1, 1, 1] = np.nan
    t = mlir_type(x, [None, 3, 4])
    text = f"""
func.func @main_graph(%x: {t}) -> {t} {{
  %y = infer.hardmax %x {{axes = array<i64: {", ".join(map(str, axes))}>}} : ({t}) -> {t}
  func.return %y : {t}
}}"""
    assert_loops_match(text, [x])


@pytest.mark.parametrize("op", ["softmax", "log_softmax", "reduce_log_sum_exp"])
def test_composites_through_their_decomposition(op: str, rng: np.random.Generator) -> None:
    x = (rng.standard_normal((2, 3, 4)) * 5).astype(np.float32)
    x[0, 0, :] = -np.inf
    t = mlir_type(x, [None, 3, 4])
    # (keepdims: without, reduce_log_sum_exp squeezes, a tensor op)
    attrs = "{axes = array<i64: 2>, keepdims}" if op == "reduce_log_sum_exp" else "{axes = array<i64: 2>}"
    result = "tensor<?x3x1xf32>" if op == "reduce_log_sum_exp" else t
    text = f"""
func.func @main_graph(%x: {t}) -> {result} {{
  %y = infer.{op} %x {attrs} : ({t}) -> {result}
  func.return %y : {result}
}}"""
    assert_loops_match(text, [x], rtol=1e-5, atol=1e-6)
