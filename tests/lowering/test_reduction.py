"""Reductions, arg-reductions, global pooling and softmax-like ops through
convert-onnx-to-infer, against onnxruntime; decompositions of the composites."""

from __future__ import annotations

import numpy as np
import pytest
from infer_ir import assert_pass_preserves, parse
from onnx_models import assert_matches_onnxruntime, node_model, run_infer

import infer
from infer.transforms.decompose_composites import DecomposeCompositesPass

REDUCTIONS = [
    "ReduceSum",
    "ReduceMean",
    "ReduceMax",
    "ReduceMin",
    "ReduceProd",
    "ReduceL1",
    "ReduceL2",
    "ReduceLogSum",
    "ReduceLogSumExp",
    "ReduceSumSquare",
]


def _axes_input_since(op: str) -> int:
    return 13 if op == "ReduceSum" else 18


def _reduce_model(
    op: str,
    x: np.ndarray,
    opset: int,
    axes: list[int] | None,
    keepdims: int = 1,
    noop: int | None = None,
    input_shape: list[int | str] | None = None,
):
    attrs: dict[str, object] = {"keepdims": keepdims}
    initializers = {}
    if axes is not None:
        if opset >= _axes_input_since(op):
            initializers["axes"] = np.asarray(axes, np.int64)
        else:
            attrs["axes"] = axes
    if noop is not None:
        attrs["noop_with_empty_axes"] = noop
    shapes = {"x": input_shape} if input_shape is not None else None
    return node_model(op, {"x": x}, opset=opset, attrs=attrs, initializers=initializers, input_shapes=shapes)


def _positive(rng: np.random.Generator, *shape: int) -> np.ndarray:
    # Positive values keep ReduceLogSum defined and products moderate.
    return rng.uniform(0.5, 1.5, shape).astype(np.float32)


@pytest.mark.parametrize("op", REDUCTIONS)
@pytest.mark.parametrize("opset", [11, 13, 18, 20])
@pytest.mark.parametrize(("axes", "keepdims"), [([1], 1), ([0, 2], 0), ([-1], 0), ([2, -3], 1), (None, 0), (None, 1)])
def test_reductions(op: str, opset: int, axes: list[int] | None, keepdims: int, rng: np.random.Generator) -> None:
    x = _positive(rng, 3, 4, 5)
    assert_matches_onnxruntime(_reduce_model(op, x, opset, axes, keepdims), {"x": x})


@pytest.mark.parametrize("op", REDUCTIONS)
@pytest.mark.parametrize("opset", [7, 13, 18])
def test_reductions_dynamic_dims(op: str, opset: int, rng: np.random.Generator) -> None:
    model = _reduce_model(op, _positive(rng, 2, 3, 4), opset, [1, 2], 0, input_shape=["N", 3, "L"])
    for shape in [(2, 3, 4), (5, 3, 1)]:
        x = _positive(rng, *shape)
        assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("op", REDUCTIONS)
@pytest.mark.parametrize("with_empty_axes_input", [False, True])
def test_noop_with_empty_axes_keeps_the_elementwise_part(
    op: str, with_empty_axes_input: bool, rng: np.random.Generator
) -> None:
    x = _positive(rng, 2, 3) * np.array([1, -1, 1], np.float32)
    if op == "ReduceLogSum":
        x = np.abs(x)
    axes = [] if with_empty_axes_input else None
    model = _reduce_model(op, x, 18, axes, noop=1)
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("op", REDUCTIONS)
def test_reduction_of_a_scalar(op: str) -> None:
    x = np.array(2.5, np.float32)
    assert_matches_onnxruntime(_reduce_model(op, x, 13, None), {"x": x})


@pytest.mark.parametrize("op", ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1"])
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_reductions(op: str, dtype: type, rng: np.random.Generator) -> None:
    x = rng.integers(-7, 8, (3, 4, 2)).astype(dtype)
    assert_matches_onnxruntime(_reduce_model(op, x, 18, [1], 0), {"x": x})


@pytest.mark.parametrize("op", ["ReduceL2", "ReduceSumSquare", "ReduceLogSum"])
def test_integer_reductions_through_float(op: str, rng: np.random.Generator) -> None:
    x = rng.integers(1, 30, (3, 5)).astype(np.int32)
    assert_matches_onnxruntime(_reduce_model(op, x, 13, [1], 0), {"x": x})


def test_integer_log_sum_exp_is_a_diagnostic() -> None:
    x = np.zeros((2, 3), np.int64)
    with pytest.raises(infer.InferError) as info:
        infer.compile(_reduce_model("ReduceLogSumExp", x, 13, [1]))
    message = str(info.value)
    assert "\n" not in message and "ReduceLogSumExp, opset 13" in message and "not supported" in message


@pytest.mark.parametrize("op", ["ReduceMean", "ReduceMax", "ReduceLogSumExp"])
def test_float16_reductions(op: str, rng: np.random.Generator) -> None:
    # f16 sums accumulate in f32, as onnxruntime's do: 30000 values near 3 would overflow f16.
    x = rng.uniform(2.5, 3.5, (2, 30000)).astype(np.float16)
    assert_matches_onnxruntime(_reduce_model(op, x, 13, [1], 0), {"x": x}, rtol=2e-3, atol=1e-2)


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax"])
def test_float16_softmax(op: str, rng: np.random.Generator) -> None:
    x = (rng.standard_normal((3, 500)) * 4).astype(np.float16)
    assert_matches_onnxruntime(node_model(op, {"x": x}, opset=13), {"x": x}, rtol=2e-3, atol=1e-3)


@pytest.mark.parametrize("op", ["ReduceMax", "ReduceMin"])
def test_bool_max_min(op: str, rng: np.random.Generator) -> None:
    x = rng.random((3, 4)) > 0.6
    assert_matches_onnxruntime(_reduce_model(op, x, 20, [1], 0), {"x": x})


def test_empty_reductions() -> None:
    x = np.zeros((2, 0, 3), np.float32)
    for op in ["ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd", "ReduceLogSumExp"]:
        assert_matches_onnxruntime(_reduce_model(op, x, 18, [1], 0), {"x": x})


def test_log_sum_exp_with_infinities() -> None:
    x = np.array([[-np.inf, -np.inf, -np.inf], [1, np.inf, 2], [1000, 1001, -1000]], np.float32)
    assert_matches_onnxruntime(_reduce_model("ReduceLogSumExp", x, 18, [1], 0), {"x": x})


def test_non_constant_axes_is_a_diagnostic(rng: np.random.Generator) -> None:
    x = _positive(rng, 2, 3)
    model = node_model("ReduceSum", {"x": x, "axes": np.array([1], np.int64)}, opset=13)
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    message = str(info.value)
    assert "\n" not in message
    assert "node 'reducesum_node' (ReduceSum, opset 13)" in message and "'axes' must be a constant" in message


@pytest.mark.parametrize("axes", [[3], [1, -2]])
def test_bad_axes_are_a_diagnostic(axes: list[int], rng: np.random.Generator) -> None:
    x = _positive(rng, 2, 3, 4)
    with pytest.raises(infer.InferError, match=r"\(ReduceMean, opset 13\): axes .* (out of range|repeat an axis)"):
        infer.compile(_reduce_model("ReduceMean", x, 13, axes))


# -- ArgMax / ArgMin ----------------------------------------------------------------------


@pytest.mark.parametrize("op", ["ArgMax", "ArgMin"])
@pytest.mark.parametrize("opset", [7, 11, 12, 13])
@pytest.mark.parametrize(("axis", "keepdims"), [(0, 1), (1, 0), (-1, 1)])
def test_arg_reductions(op: str, opset: int, axis: int, keepdims: int, rng: np.random.Generator) -> None:
    if axis < 0 and opset < 11:
        pytest.skip("negative axes need opset 11")
    # Few distinct values: ties, where select_last_index matters.
    x = rng.integers(0, 3, (3, 4, 5)).astype(np.float32)
    for last in [0, 1] if opset >= 12 else [None]:
        attrs = {"axis": axis, "keepdims": keepdims} | ({} if last is None else {"select_last_index": last})
        model = node_model(op, {"x": x}, opset=opset, attrs=attrs, input_shapes={"x": ["N", 4, "W"]})
        assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float64])
def test_arg_max_dtypes(dtype: type, rng: np.random.Generator) -> None:
    x = rng.integers(-100, 100, (4, 6)).astype(dtype)
    assert_matches_onnxruntime(node_model("ArgMax", {"x": x}, opset=13, attrs={"axis": 1}), {"x": x})


# -- global pooling -----------------------------------------------------------------------


@pytest.mark.parametrize("op", ["GlobalAveragePool", "GlobalMaxPool"])
@pytest.mark.parametrize("opset", [7, 22])
@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 4, 5), (1, 2, 3, 4, 2)])
def test_global_pools(op: str, opset: int, shape: tuple[int, ...], rng: np.random.Generator) -> None:
    x = rng.standard_normal(shape).astype(np.float32)
    symbolic = ["N", shape[1], *[f"D{i}" for i in range(len(shape) - 2)]]
    model = node_model(op, {"x": x}, opset=opset, input_shapes={"x": symbolic})
    assert_matches_onnxruntime(model, {"x": x})
    bigger = rng.standard_normal((3, shape[1], *[d + 2 for d in shape[2:]])).astype(np.float32)
    assert_matches_onnxruntime(model, {"x": bigger})


def test_global_pool_of_a_matrix_is_a_diagnostic() -> None:
    model = node_model("GlobalAveragePool", {"x": np.zeros((2, 3), np.float32)}, opset=13)
    with pytest.raises(infer.InferError, match=r"\(GlobalAveragePool, opset 13\): input must have rank >= 3"):
        infer.compile(model)


# -- Softmax, LogSoftmax, Hardmax -----------------------------------------------------


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax", "Hardmax"])
@pytest.mark.parametrize("opset", [7, 11, 13, 22])
@pytest.mark.parametrize("axis", [None, 0, 1, 2, -1, -3])
def test_softmax_family(op: str, opset: int, axis: int | None, rng: np.random.Generator) -> None:
    if axis is not None and axis < 0 and opset < 11:
        pytest.skip("negative axes need opset 11")
    x = (rng.standard_normal((2, 3, 4)) * 4).astype(np.float32)
    if op == "Hardmax":
        x = np.round(x)  # ties: the first maximum wins
    attrs = {} if axis is None else {"axis": axis}
    model = node_model(op, {"x": x}, opset=opset, attrs=attrs, input_shapes={"x": ["N", 3, "L"]})
    assert_matches_onnxruntime(model, {"x": x})


def test_softmax_is_stable(rng: np.random.Generator) -> None:
    x = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -1002.0]], np.float32)
    for op in ["Softmax", "LogSoftmax"]:
        assert_matches_onnxruntime(node_model(op, {"x": x}, opset=13), {"x": x})


def test_old_softmax_flattens_trailing_dims(rng: np.random.Generator) -> None:
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    (y,) = run_infer(node_model("Softmax", {"x": x}, opset=11, attrs={"axis": 1}), {"x": x})
    np.testing.assert_allclose(y.reshape(2, -1).sum(axis=1), [1.0, 1.0], rtol=1e-5)
    assert not np.allclose(y.sum(axis=1), 1.0)


def test_softmax_axis_out_of_range_is_a_diagnostic() -> None:
    model = node_model("Softmax", {"x": np.zeros((2, 3), np.float32)}, opset=13, attrs={"axis": 2})
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    message = str(info.value)
    assert "\n" not in message and "node 'softmax_node' (Softmax, opset 13): axis [2] out of range" in message


# -- decompositions ---------------------------------------------------------------------

COMPOSITES_IR = """
func.func @main(%x: tensor<?x5x4xf32>) -> (tensor<?x5x4xf32>, tensor<?x5x4xf32>, tensor<?x4xf32>, tensor<?x1x1xf32>) {
  %s = infer.softmax %x {axes = array<i64: 1, 2>} : (tensor<?x5x4xf32>) -> tensor<?x5x4xf32>
  %l = infer.log_softmax %x {axes = array<i64: 1>} : (tensor<?x5x4xf32>) -> tensor<?x5x4xf32>
  %e = infer.reduce_log_sum_exp %x {axes = array<i64: 1>} : (tensor<?x5x4xf32>) -> tensor<?x4xf32>
  %k = infer.reduce_log_sum_exp %x {axes = array<i64: 1, 2>, keepdims} : (tensor<?x5x4xf32>) -> tensor<?x1x1xf32>
  func.return %s, %l, %e, %k : tensor<?x5x4xf32>, tensor<?x5x4xf32>, tensor<?x4xf32>, tensor<?x1x1xf32>
}
"""


def test_decompositions_match(rng: np.random.Generator) -> None:
    module = parse(COMPOSITES_IR)
    x = (rng.standard_normal((3, 5, 4)) * 10).astype(np.float32)
    x[0, :, 1] = -np.inf  # an all -inf slice for reduce_log_sum_exp over axis 1
    x[1, 2, 3] = np.inf
    x[2] = -np.inf
    after = assert_pass_preserves(module, DecomposeCompositesPass(), [x])
    names = {op.name for op in after.walk()}
    assert not names & {"infer.softmax", "infer.log_softmax", "infer.reduce_log_sum_exp"}
    assert {"infer.reduce_max", "infer.reduce_sum", "infer.exp"} <= names
    finite = (rng.standard_normal((2, 5, 4)) * 50).astype(np.float32)
    assert_pass_preserves(module, DecomposeCompositesPass(), [finite])


def test_float16_softmax_equals_its_decomposition(rng: np.random.Generator) -> None:
    """f16 softmax and log_softmax are defined as their decompositions compute them
    (each step rounded to f16, the sum accumulated in f32): bit for bit."""
    module = parse(COMPOSITES_IR.replace("f32", "f16"))
    x = (rng.standard_normal((4, 5, 4)) * 6).astype(np.float16)
    assert_pass_preserves(module, DecomposeCompositesPass(), [x], rtol=0, atol=0, same_bits=True)
