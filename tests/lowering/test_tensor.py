"""Data-movement and shape ops: ONNX models run through infer's interpreter and onnxruntime."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from onnx_models import assert_matches_onnxruntime, node_model

import infer

I64_MAX = np.iinfo(np.int64).max
I64_MIN = np.iinfo(np.int64).min


def i64(*values: int) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def f32(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


def assert_diagnostic(model: object, *parts: str) -> None:
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    message = str(info.value)
    assert "\n" not in message, message
    for part in parts:
        assert part in message, message


# -- Reshape ------------------------------------------------------------------------------------


@pytest.mark.parametrize("opset", [7, 13, 14, 19, 21, 25])
@pytest.mark.parametrize(
    "shape",
    [(0, -1), (-1, 12), (2, 3, 0, 2), (0, 0, 2, -1), (24,), (-1,), (4, 0, -1)],
)
def test_reshape_static(opset: int, shape: tuple[int, ...], rng: np.random.Generator) -> None:
    x = f32(rng, 4, 3, 2, 1)
    model = node_model("Reshape", {"x": x}, opset=opset, initializers={"shape": i64(*shape)})
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("shape", [(0, -1), (0, 3, -1), (0, 0, -1), (-1, 6), (0, 0, 0, 0), (0, 1, 3, 0, -1)])
def test_reshape_dynamic_dims(shape: tuple[int, ...], rng: np.random.Generator) -> None:
    x = f32(rng, 4, 3, 2, 5)
    model = node_model(
        "Reshape",
        {"x": x},
        opset=13,
        initializers={"shape": i64(*shape)},
        input_shapes={"x": ["N", 3, "H", "W"]},
    )
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("opset", [14, 21])
def test_reshape_allowzero(opset: int) -> None:
    x = np.zeros((0, 3, 4), np.float32)
    model = node_model("Reshape", {"x": x}, opset=opset, attrs={"allowzero": 1}, initializers={"shape": i64(3, 0, 4)})
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("allowzero", [0, 1])
def test_reshape_shape_at_run_time(allowzero: int, rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3, 4)
    shapes = (i64(0, -1), i64(2, 0, 2, 2), i64(-1)) if not allowzero else (i64(4, 3, 2), i64(-1, 6), i64(24))
    for shape in shapes:
        model = node_model(
            "Reshape",
            {"x": x, "shape": shape},
            opset=14,
            attrs={"allowzero": allowzero},
            input_shapes={"x": ["N", 3, 4]},
        )
        assert_matches_onnxruntime(model, {"x": x, "shape": shape})


def test_reshape_wrong_count_is_a_diagnostic() -> None:
    x = np.zeros((2, 3), np.float32)
    model = node_model("Reshape", {"x": x}, opset=13, initializers={"shape": i64(4, -1)})
    assert_diagnostic(model, "node 'reshape_node'", "Reshape, opset 13", "cannot reshape")


# -- Squeeze, Unsqueeze, Flatten, Transpose -------------------------------------------------------


@pytest.mark.parametrize("opset", [7, 11, 13, 21])
@pytest.mark.parametrize("axes", [None, [0], [-1, 2], [2, 0]])
def test_squeeze(opset: int, axes: list[int] | None, rng: np.random.Generator) -> None:
    x = f32(rng, 1, 3, 1, 1)
    if axes is not None and opset < 11 and any(a < 0 for a in axes):
        axes = [a % 4 for a in axes]
    if opset >= 13:
        initializers = {} if axes is None else {"axes": i64(*axes)}
        model = node_model("Squeeze", {"x": x}, opset=opset, initializers=initializers)
    else:
        model = node_model("Squeeze", {"x": x}, opset=opset, attrs={} if axes is None else {"axes": axes})
    assert_matches_onnxruntime(model, {"x": x})


def test_squeeze_dynamic(rng: np.random.Generator) -> None:
    x = f32(rng, 2, 1, 5)
    model = node_model("Squeeze", {"x": x}, opset=13, initializers={"axes": i64(-2)}, input_shapes={"x": ["N", 1, "W"]})
    assert_matches_onnxruntime(model, {"x": x})


def test_squeeze_without_axes_on_dynamic_dims_is_a_diagnostic() -> None:
    x = np.zeros((2, 1), np.float32)
    model = node_model("Squeeze", {"x": x}, opset=13, input_shapes={"x": ["N", 1]})
    assert_diagnostic(model, "Squeeze, opset 13", "needs static dims")


def test_squeeze_axes_at_run_time_is_a_diagnostic() -> None:
    x = np.zeros((2, 1), np.float32)
    model = node_model("Squeeze", {"x": x, "axes": i64(1)}, opset=13)
    assert_diagnostic(model, "node 'squeeze_node'", "Squeeze, opset 13", "'axes' must be a constant")


@pytest.mark.parametrize("opset", [7, 11, 13, 21])
@pytest.mark.parametrize("axes", [[0], [-1], [0, 3], [1, -1]])
def test_unsqueeze(opset: int, axes: list[int], rng: np.random.Generator) -> None:
    x = f32(rng, 3, 4)
    if opset < 11:
        axes = [a % (2 + len(axes)) for a in axes]
    if opset >= 13:
        model = node_model("Unsqueeze", {"x": x}, opset=opset, initializers={"axes": i64(*axes)})
    else:
        model = node_model("Unsqueeze", {"x": x}, opset=opset, attrs={"axes": axes})
    assert_matches_onnxruntime(model, {"x": x}, rtol=0, atol=0)


@pytest.mark.parametrize("opset", [7, 11, 13, 21])
@pytest.mark.parametrize("axis", [0, 1, 3, 4, -1, -3])
def test_flatten(opset: int, axis: int, rng: np.random.Generator) -> None:
    if opset < 11 and axis < 0:
        pytest.skip("negative axes since opset 11")
    x = f32(rng, 2, 3, 4, 5)
    model = node_model("Flatten", {"x": x}, opset=opset, attrs={"axis": axis}, input_shapes={"x": ["N", 3, 4, "W"]})
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("opset", [7, 13, 21])
@pytest.mark.parametrize("perm", [None, [0, 2, 3, 1], [3, 1, 0, 2]])
def test_transpose(opset: int, perm: list[int] | None, rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3, 4, 5)
    model = node_model(
        "Transpose",
        {"x": x},
        opset=opset,
        attrs={} if perm is None else {"perm": perm},
        input_shapes={"x": ["N", 3, 4, "W"]},
    )
    assert_matches_onnxruntime(model, {"x": x})


def test_transpose_bad_perm_is_a_diagnostic() -> None:
    x = np.zeros((2, 3), np.float32)
    model = node_model("Transpose", {"x": x}, opset=13, attrs={"perm": [0, 0]})
    assert_diagnostic(model, "Transpose, opset 13", "not a permutation")


# -- Concat, Split, Slice -----------------------------------------------------------------------------


@pytest.mark.parametrize("opset", [7, 11, 13])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat(opset: int, axis: int, rng: np.random.Generator) -> None:
    if opset < 11 and axis < 0:
        axis += 3
    shape = [2, 3, 4]
    inputs = {}
    for i, n in enumerate((1, 2, 3)):
        s = list(shape)
        s[axis] = n
        inputs[f"x{i}"] = f32(rng, *s)
    symbolic = {
        name: [("N" if d == 0 and axis % 3 != 0 else a.shape[d]) for d in range(3)] for name, a in inputs.items()
    }
    model = node_model("Concat", inputs, opset=opset, attrs={"axis": axis}, input_shapes=symbolic)
    assert_matches_onnxruntime(model, inputs)


@pytest.mark.parametrize("opset", [7, 11, 13, 18])
@pytest.mark.parametrize("split", [None, [2, 4]])
def test_split(opset: int, split: list[int] | None, rng: np.random.Generator) -> None:
    x = f32(rng, 3, 6)
    attrs: dict[str, object] = {"axis": -1 if opset >= 11 else 1}
    initializers = {}
    if split is not None:
        if opset >= 13:
            initializers["split"] = i64(*split)
        else:
            attrs["split"] = split
    elif opset >= 18:
        attrs["num_outputs"] = 2
    model = node_model(
        "Split",
        {"x": x},
        opset=opset,
        attrs=attrs,
        initializers=initializers,
        outputs=("a", "b"),
        input_shapes={"x": ["N", 6]},
    )
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("size", [7, 8, 9])
def test_split_num_outputs_uneven(size: int, rng: np.random.Generator) -> None:
    x = f32(rng, size, 2)
    model = node_model("Split", {"x": x}, opset=18, attrs={"num_outputs": 3}, outputs=("a", "b", "c"))
    assert_matches_onnxruntime(model, {"x": x})


def test_split_dynamic_dim(rng: np.random.Generator) -> None:
    x = f32(rng, 2, 8)
    model = node_model("Split", {"x": x}, opset=13, outputs=("a", "b"), input_shapes={"x": [2, "W"]})
    assert_matches_onnxruntime(model, {"x": x})


SLICES = [
    # starts, ends, axes, steps
    ([1], [3], [0], None),
    ([0, 1], [I64_MAX, -1], [1, 2], None),
    ([-1], [I64_MIN], [2], [-1]),
    ([4, -2], [0, -100], [0, -1], [-2, -1]),
    ([-100, 1], [100, 5], [1, 2], [2, 3]),
    ([3], [1], [0], [1]),
    ([2], [I64_MAX], [-2], [-1]),  # empty by the spec; onnxruntime reads it as "to the beginning"
]


@pytest.mark.parametrize("opset", [10, 11, 13])
@pytest.mark.parametrize(("starts", "ends", "axes", "steps"), SLICES)
def test_slice(
    opset: int,
    starts: list[int],
    ends: list[int],
    axes: list[int],
    steps: list[int] | None,
    rng: np.random.Generator,
) -> None:
    if opset < 11 and any(a < 0 for a in axes):
        axes = [a % 3 for a in axes]
    x = f32(rng, 5, 4, 6)
    initializers = {"starts": i64(*starts), "ends": i64(*ends), "axes": i64(*axes)}
    if steps is not None:
        initializers["steps"] = i64(*steps)
    model = node_model("Slice", {"x": x}, opset=opset, initializers=initializers, input_shapes={"x": ["N", 4, "W"]})
    if steps is not None and min(steps) < 0 and I64_MAX in ends:
        # onnxruntime departs from the spec (ends clamp to [-1, dim - 1] for negative steps).
        (y,) = infer.compile(model).run({"x": x}).values()
        (expected,) = ReferenceEvaluator(model).run(None, {"x": x})
        np.testing.assert_array_equal(y, expected)
        return
    assert_matches_onnxruntime(model, {"x": x})


def test_slice_1_attributes(rng: np.random.Generator) -> None:
    x = f32(rng, 5, 4, 6)
    model = node_model("Slice", {"x": x}, opset=7, attrs={"starts": [1, -3], "ends": [1000, -1], "axes": [0, 2]})
    assert_matches_onnxruntime(model, {"x": x})
    model = node_model("Slice", {"x": x}, opset=7, attrs={"starts": [1, 0], "ends": [3, 2]})
    assert_matches_onnxruntime(model, {"x": x})


def test_slice_int32_inputs_without_axes(rng: np.random.Generator) -> None:
    x = f32(rng, 5, 4)
    model = node_model(
        "Slice",
        {"x": x},
        opset=13,
        initializers={"starts": np.array([1, 1], np.int32), "ends": np.array([-1, 3], np.int32)},
    )
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("dtype", [np.int64, np.int32])
@pytest.mark.parametrize(
    ("starts", "ends", "axes", "steps"),
    [((1,), (3,), None, None), ((-1, 0), (-1000, 9), (-1, 0), (-2, 3)), ((2, 1), (-1, 100), (2, 1), None)],
)
def test_slice_bounds_at_run_time(
    dtype: type,
    starts: tuple[int, ...],
    ends: tuple[int, ...],
    axes: tuple[int, ...] | None,
    steps: tuple[int, ...] | None,
    rng: np.random.Generator,
) -> None:
    x = f32(rng, 5, 4, 6)
    inputs = {"x": x, "starts": np.asarray(starts, dtype), "ends": np.asarray(ends, dtype)}
    initializers = {}
    if axes is not None:
        initializers["axes"] = np.asarray(axes, dtype)
    if steps is not None:
        initializers["steps"] = np.asarray(steps, dtype)
    model = node_model("Slice", inputs, opset=13, initializers=initializers, input_shapes={"x": ["N", 4, "W"]})
    assert_matches_onnxruntime(model, inputs)


def test_slice_to_a_sequence_length(rng: np.random.Generator) -> None:
    """positions[:, :seq_len] with seq_len read from another input's shape, as transformer exports do."""
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "one"], ["n"], axis=0),
        helper.make_node("Unsqueeze", ["n", "zero"], ["end"]),
        helper.make_node("Slice", ["pos", "zero", "end", "axis"], ["y"]),
    ]
    inits = [
        numpy_helper.from_array(np.array(1, np.int64), "one"),
        numpy_helper.from_array(i64(0), "zero"),
        numpy_helper.from_array(i64(1), "axis"),
        numpy_helper.from_array(rng.standard_normal((1, 16, 4)).astype(np.float32), "pos"),
    ]
    model = _graph_model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", "S"])], ["y"], 13, inits)
    for seq in (3, 16, 20):
        (y,) = assert_matches_onnxruntime(model, {"x": f32(rng, 2, seq)})
        assert y.shape == (1, min(seq, 16), 4)
    assert "infer.dynamic_slice" in str(infer.compile(model).module)


def test_slice_axes_at_run_time_is_a_diagnostic() -> None:
    x = np.zeros((5, 4), np.float32)
    model = node_model(
        "Slice",
        {"x": x, "starts": i64(1), "axes": i64(0)},
        opset=13,
        initializers={"ends": i64(3)},
        node_inputs=["x", "starts", "ends", "axes"],
    )
    assert_diagnostic(model, "node 'slice_node'", "Slice, opset 13", "'axes' must be a constant")


# -- Gather, GatherElements ------------------------------------------------------------------------------


@pytest.mark.parametrize("opset", [7, 11, 13])
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("indices_shape", [(), (3,), (2, 2)])
def test_gather(opset: int, axis: int, indices_shape: tuple[int, ...], rng: np.random.Generator) -> None:
    if opset < 11 and axis < 0:
        axis += 3
    x = f32(rng, 4, 5, 6)
    size = x.shape[axis]
    low = -size if opset >= 11 else 0
    indices = rng.integers(low, size, indices_shape).astype(np.int64)
    model = node_model("Gather", {"x": x, "i": indices}, opset=opset, attrs={"axis": axis})
    assert_matches_onnxruntime(model, {"x": x, "i": indices})


def test_gather_constant_indices_dynamic_data(rng: np.random.Generator) -> None:
    x = f32(rng, 3, 5)
    model = node_model(
        "Gather",
        {"x": x},
        opset=13,
        attrs={"axis": 1},
        initializers={"i": np.array([[4, -1], [0, 2]], np.int32)},
        input_shapes={"x": ["N", 5]},
    )
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("opset", [11, 13])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_gather_elements(opset: int, axis: int, rng: np.random.Generator) -> None:
    x = f32(rng, 4, 5, 3)
    size = x.shape[axis]
    indices = rng.integers(-size, size, (3, 4, 2)).astype(np.int64)
    model = node_model("GatherElements", {"x": x, "i": indices}, opset=opset, attrs={"axis": axis})
    assert_matches_onnxruntime(model, {"x": x, "i": indices})


# -- Pad -----------------------------------------------------------------------------------------------------


PADS = [
    [0, 0, 1, 2, 0, 0, 2, 1],
    [0, 1, 0, 2, 1, 0, 3, 0],
    [0, 0, -1, 1, 0, 0, 2, -2],
]


@pytest.mark.parametrize("opset", [7, 11, 13, 18, 19, 21])
@pytest.mark.parametrize("mode", ["constant", "reflect", "edge", "wrap"])
@pytest.mark.parametrize("pads", PADS)
def test_pad(opset: int, mode: str, pads: list[int], rng: np.random.Generator) -> None:
    if mode == "wrap" and opset < 19:
        pytest.skip("wrap is opset 19")
    if opset < 11 and min(pads) < 0:
        pytest.skip("negative pads are checked with inputs")
    x = f32(rng, 2, 3, 4, 5)
    if opset < 11:
        model = node_model("Pad", {"x": x}, opset=opset, attrs={"pads": pads, "mode": mode, "value": 1.5})
    else:
        model = node_model(
            "Pad",
            {"x": x},
            opset=opset,
            attrs={"mode": mode},
            initializers={"pads": i64(*pads), "value": np.array(1.5, np.float32)},
            input_shapes={"x": ["N", 3, 4, "W"]},
        )
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("opset", [18, 19, 21])
@pytest.mark.parametrize("mode", ["constant", "reflect", "edge"])
def test_pad_axes(opset: int, mode: str, rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3, 4, 5)
    model = node_model(
        "Pad",
        {"x": x},
        opset=opset,
        attrs={"mode": mode},
        initializers={"pads": i64(1, 2, 3, 0), "value": np.array(-2.0, np.float32), "axes": i64(-1, 1)},
        node_inputs=["x", "pads", "value", "axes"],
    )
    assert_matches_onnxruntime(model, {"x": x})


def test_pad_integers_without_value(rng: np.random.Generator) -> None:
    x = rng.integers(-5, 5, (3, 4)).astype(np.int64)
    model = node_model("Pad", {"x": x}, opset=13, initializers={"pads": i64(1, 0, 0, 2)})
    assert_matches_onnxruntime(model, {"x": x})


def test_pad_at_run_time_is_a_diagnostic() -> None:
    x = np.zeros((2, 3), np.float32)
    model = node_model("Pad", {"x": x, "pads": i64(0, 1, 0, 1)}, opset=13)
    assert_diagnostic(model, "node 'pad_node'", "Pad, opset 13", "'pads' must be a constant")


def test_pad_wrap_before_19_is_a_diagnostic() -> None:
    x = np.zeros((2, 3), np.float32)
    model = node_model("Pad", {"x": x}, opset=18, attrs={"mode": "wrap"}, initializers={"pads": i64(0, 1, 0, 1)})
    assert_diagnostic(model, "Pad, opset 18", "'mode'")


# -- Shape, Size, Expand, Tile, Range, ConstantOfShape ----------------------------------------------------------


@pytest.mark.parametrize("opset", [7, 13, 15, 19, 21])
@pytest.mark.parametrize(("start", "end"), [(None, None), (1, None), (-2, None), (0, -1), (1, 3), (-10, 10), (3, 1)])
def test_shape(opset: int, start: int | None, end: int | None, rng: np.random.Generator) -> None:
    if opset < 15 and (start, end) != (None, None):
        pytest.skip("start and end since opset 15")
    x = f32(rng, 2, 3, 4, 5)
    attrs = {k: v for k, v in (("start", start), ("end", end)) if v is not None}
    for shapes in (None, {"x": ["N", 3, "H", 5]}):
        model = node_model("Shape", {"x": x}, opset=opset, attrs=attrs, input_shapes=shapes)
        assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("opset", [7, 13, 19])
def test_size(opset: int, rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3, 4)
    for shapes in (None, {"x": ["N", 3, "W"]}):
        model = node_model("Size", {"x": x}, opset=opset, input_shapes=shapes)
        assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("opset", [8, 13])
@pytest.mark.parametrize(
    ("x_shape", "shape"),
    [((3, 1), (2, 3, 4)), ((1, 4), (3, 1)), ((2, 1, 6), (5, 1)), ((3, 4), (1, 1)), ((1,), (2, 3))],
)
def test_expand(opset: int, x_shape: tuple[int, ...], shape: tuple[int, ...], rng: np.random.Generator) -> None:
    x = f32(rng, *x_shape)
    model = node_model("Expand", {"x": x}, opset=opset, initializers={"shape": i64(*shape)})
    assert_matches_onnxruntime(model, {"x": x})
    model = node_model("Expand", {"x": x, "shape": i64(*shape)}, opset=opset)
    assert_matches_onnxruntime(model, {"x": x, "shape": i64(*shape)})


def test_expand_dynamic(rng: np.random.Generator) -> None:
    x = f32(rng, 3, 1)
    model = node_model("Expand", {"x": x}, opset=13, initializers={"shape": i64(2, 1, 4)}, input_shapes={"x": ["N", 1]})
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("opset", [7, 13])
def test_tile(opset: int, rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3)
    for repeats in (i64(2, 3), i64(1, 1), i64(0, 2)):
        model = node_model("Tile", {"x": x}, opset=opset, initializers={"r": repeats}, input_shapes={"x": ["N", 3]})
        assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize(
    ("start", "limit", "delta"),
    [(0, 10, 3), (10, 0, -3), (5, 5, 1), (np.float32(0.5), np.float32(2.0), np.float32(0.4)), (3, 1, 1)],
)
def test_range(start: object, limit: object, delta: object) -> None:
    dtype = np.float32 if isinstance(start, np.floating) else np.int64
    values = {k: np.asarray(v, dtype) for k, v in (("s", start), ("l", limit), ("d", delta))}
    model = node_model("Range", values, opset=11)
    assert_matches_onnxruntime(model, values)
    model = node_model("Range", {}, opset=11, initializers=values)
    assert_matches_onnxruntime(model, {})


@pytest.mark.parametrize("opset", [9, 20, 21])
@pytest.mark.parametrize("value", [None, np.array([2.5], np.float32), np.array([7], np.int64), np.array([1], np.int32)])
def test_constant_of_shape(opset: int, value: np.ndarray | None) -> None:
    attrs = {} if value is None else {"value": numpy_helper.from_array(value)}
    shape = i64(2, 3)
    model = node_model("ConstantOfShape", {"s": shape}, opset=opset, attrs=attrs)
    assert_matches_onnxruntime(model, {"s": shape})
    model = node_model("ConstantOfShape", {}, opset=opset, attrs=attrs, initializers={"s": shape})
    assert_matches_onnxruntime(model, {})


# -- Resize and Upsample -------------------------------------------------------------------------------------------


COORDINATE_MODES = ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"]


@pytest.mark.parametrize("opset", [11, 13, 18, 19])
@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
@pytest.mark.parametrize("coordinate_mode", [*COORDINATE_MODES, "half_pixel_symmetric"])
@pytest.mark.parametrize("scales", [(1.0, 1.0, 2.0, 3.0), (1.0, 1.0, 0.5, 0.75), (1.0, 1.0, 1.7, 0.6)])
def test_resize_scales(
    opset: int, mode: str, coordinate_mode: str, scales: tuple[float, ...], rng: np.random.Generator
) -> None:
    if coordinate_mode == "half_pixel_symmetric" and opset < 19:
        pytest.skip("half_pixel_symmetric is opset 19")
    x = f32(rng, 2, 3, 6, 8)
    model = node_model(
        "Resize",
        {"x": x},
        opset=opset,
        attrs={"mode": mode, "coordinate_transformation_mode": coordinate_mode},
        initializers={"roi": np.zeros(0, np.float32), "scales": np.asarray(scales, np.float32)},
        input_shapes={"x": ["N", 3, "H", "W"]} if opset >= 13 else None,
    )
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("nearest_mode", ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"])
@pytest.mark.parametrize("coordinate_mode", [*COORDINATE_MODES, "half_pixel_symmetric"])
@pytest.mark.parametrize("sizes", [(2, 3, 12, 20), (2, 3, 3, 5), (2, 3, 1, 1), (2, 3, 9, 3)])
def test_resize_nearest_sizes(
    nearest_mode: str, coordinate_mode: str, sizes: tuple[int, ...], rng: np.random.Generator
) -> None:
    x = f32(rng, 2, 3, 6, 8)
    model = node_model(
        "Resize",
        {"x": x},
        opset=19,
        attrs={"mode": "nearest", "coordinate_transformation_mode": coordinate_mode, "nearest_mode": nearest_mode},
        initializers={"sizes": i64(*sizes)},
        node_inputs=["x", "", "", "sizes"],
    )
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("mode", ["linear", "cubic"])
@pytest.mark.parametrize("coordinate_mode", [*COORDINATE_MODES, "half_pixel_symmetric"])
@pytest.mark.parametrize("sizes", [(2, 3, 13, 5), (2, 3, 1, 1), (2, 3, 4, 11)])
def test_resize_sizes(mode: str, coordinate_mode: str, sizes: tuple[int, ...], rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3, 6, 8)
    model = node_model(
        "Resize",
        {"x": x},
        opset=19,
        attrs={"mode": mode, "coordinate_transformation_mode": coordinate_mode},
        initializers={"sizes": i64(*sizes)},
        node_inputs=["x", "", "", "sizes"],
    )
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("a", [-0.75, -0.5])
@pytest.mark.parametrize("exclude_outside", [0, 1])
@pytest.mark.parametrize("scales", [(1.0, 1.0, 2.5, 1.5), (1.0, 1.0, 0.6, 0.8)])
def test_resize_cubic_options(
    a: float, exclude_outside: int, scales: tuple[float, ...], rng: np.random.Generator
) -> None:
    x = f32(rng, 1, 2, 7, 6)
    model = node_model(
        "Resize",
        {"x": x},
        opset=13,
        attrs={"mode": "cubic", "cubic_coeff_a": a, "exclude_outside": exclude_outside},
        initializers={"scales": np.asarray(scales, np.float32)},
        node_inputs=["x", "", "scales"],
    )
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
@pytest.mark.parametrize("sizes", [(1, 2, 5, 7), (1, 2, 1, 3)])
def test_resize_tf_crop_and_resize(mode: str, sizes: tuple[int, ...], rng: np.random.Generator) -> None:
    x = f32(rng, 1, 2, 6, 8)
    roi = np.array([0, 0, 0.2, -0.3, 1, 1, 0.9, 1.2], np.float32)
    model = node_model(
        "Resize",
        {"x": x},
        opset=13,
        attrs={"mode": mode, "coordinate_transformation_mode": "tf_crop_and_resize", "extrapolation_value": 9.0},
        initializers={"roi": roi, "sizes": i64(*sizes)},
        node_inputs=["x", "roi", "", "sizes"],
    )
    assert_matches_onnxruntime(model, {"x": x})


def test_resize_trilinear(rng: np.random.Generator) -> None:
    x = f32(rng, 1, 2, 4, 5, 6)
    model = node_model(
        "Resize",
        {"x": x},
        opset=13,
        attrs={"mode": "linear"},
        initializers={"scales": np.array([1, 1, 1.5, 2, 0.5], np.float32)},
        node_inputs=["x", "", "scales"],
    )
    assert_matches_onnxruntime(model, {"x": x})


def test_resize_bilinear_2d(rng: np.random.Generator) -> None:
    x = f32(rng, 5, 6)
    model = node_model(
        "Resize",
        {"x": x},
        opset=13,
        attrs={"mode": "linear", "coordinate_transformation_mode": "align_corners"},
        initializers={"sizes": i64(9, 4)},
        node_inputs=["x", "", "", "sizes"],
    )
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize(
    ("policy", "axes"),
    # onnxruntime ignores negative axes when it keeps the aspect ratio: those are tested with stretch only.
    [("stretch", [-1, 2]), ("stretch", [3, 2]), ("not_larger", [3, 2]), ("not_smaller", [3, 2])],
)
@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_resize_18_axes_and_aspect_ratio(policy: str, axes: list[int], mode: str, rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3, 6, 8)
    model = node_model(
        "Resize",
        {"x": x},
        opset=18,
        attrs={"mode": mode, "axes": axes, "keep_aspect_ratio_policy": policy},
        initializers={"sizes": i64(10, 9)},
        node_inputs=["x", "", "", "sizes"],
        input_shapes={"x": ["N", 3, 6, 8]},
    )
    assert_matches_onnxruntime(model, {"x": x})


def test_resize_18_axes_scales(rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3, 6, 8)
    model = node_model(
        "Resize",
        {"x": x},
        opset=18,
        attrs={"mode": "linear", "axes": [2, 3]},
        initializers={"scales": np.array([2.0, 0.5], np.float32)},
        node_inputs=["x", "", "scales"],
        input_shapes={"x": ["N", "C", "H", "W"]},
    )
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("opset", [7, 9, 10])
@pytest.mark.parametrize("mode", ["nearest", "linear"])
@pytest.mark.parametrize("scales", [(1.0, 1.0, 2.0, 3.0), (1.0, 1.0, 1.5, 2.5), (1.0, 1.0, 0.5, 0.6)])
def test_upsample_and_resize_10(opset: int, mode: str, scales: tuple[float, ...], rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3, 5, 7)
    if opset < 10 and min(scales) < 1:
        pytest.skip("Upsample only enlarges")
    if opset == 7:
        model = node_model("Upsample", {"x": x}, opset=opset, attrs={"mode": mode, "scales": list(scales)})
    else:
        op = "Upsample" if opset == 9 else "Resize"
        model = node_model(
            op, {"x": x}, opset=opset, attrs={"mode": mode}, initializers={"scales": np.asarray(scales, np.float32)}
        )
    assert_matches_onnxruntime(model, {"x": x})


def test_resize_uint8_nearest(rng: np.random.Generator) -> None:
    x = rng.integers(0, 255, (1, 3, 4, 4)).astype(np.uint8)
    model = node_model(
        "Resize",
        {"x": x},
        opset=13,
        initializers={"scales": np.array([1, 1, 2, 2], np.float32)},
        node_inputs=["x", "", "scales"],
    )
    assert_matches_onnxruntime(model, {"x": x}, rtol=0, atol=0)


def test_resize_scales_at_run_time_is_a_diagnostic() -> None:
    x = np.zeros((1, 1, 2, 2), np.float32)
    scales = np.array([1, 1, 2, 2], np.float32)
    model = node_model("Resize", {"x": x, "scales": scales}, opset=13, node_inputs=["x", "", "scales"])
    assert_diagnostic(model, "node 'resize_node'", "Resize, opset 13", "'scales' must be a constant")


def test_resize_unsupported_mode_is_a_diagnostic() -> None:
    x = np.zeros((1, 1, 2, 2), np.float32)
    model = node_model(
        "Resize",
        {"x": x},
        opset=11,
        attrs={"coordinate_transformation_mode": "tf_half_pixel_for_nn"},
        initializers={"roi": np.zeros(0, np.float32), "scales": np.array([1, 1, 2, 2], np.float32)},
    )
    assert_diagnostic(model, "Resize, opset 11", "tf_half_pixel_for_nn")


# -- shape subgraphs ---------------------------------------------------------------------------------------------------


def _graph_model(
    nodes: Sequence[object], inputs: Sequence[object], outputs: Sequence[str], opset: int, inits=()
) -> object:
    graph = helper.make_graph(
        list(nodes), "g", list(inputs), [helper.make_empty_tensor_value_info(o) for o in outputs], list(inits)
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = min(model.ir_version, 10)
    return model


@pytest.mark.parametrize("opset", [11, 13, 17])
def test_pytorch_flatten_with_symbolic_batch(opset: int, rng: np.random.Generator) -> None:
    """x -> Shape -> Gather(0) -> Unsqueeze -> Concat([-1]) -> Reshape, as torch.flatten(x, 1) exports."""
    unsqueeze = (
        helper.make_node("Unsqueeze", ["n"], ["n1"], axes=[0])
        if opset < 13
        else helper.make_node("Unsqueeze", ["n", "zero_axis"], ["n1"])
    )
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
        unsqueeze,
        helper.make_node("Concat", ["n1", "minus_one"], ["target"], axis=0),
        helper.make_node("Reshape", ["x", "target"], ["y"]),
    ]
    inits = [
        numpy_helper.from_array(np.array(0, np.int64), "zero"),
        numpy_helper.from_array(i64(-1), "minus_one"),
        numpy_helper.from_array(i64(0), "zero_axis"),
    ]
    x_info = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4, 3, 3])
    model = _graph_model(nodes, [x_info], ["y"], opset, inits)
    for batch in (1, 3):
        x = f32(rng, batch, 4, 3, 3)
        (y,) = assert_matches_onnxruntime(model, {"x": x})
        assert y.shape == (batch, 36)
    # Conversion sees that the batch is copied in place: a static reshape of the other dims.
    assert "infer.reshape %x : (tensor<?x4x3x3xf32>) -> tensor<?x36xf32>" in str(infer.compile(model).module)


def _shape_nodes(x: str, start: int, end: int, tail: Sequence[int], out: str) -> tuple[list[object], list[object]]:
    """Nodes computing `concat(shape(x)[start:end], tail)` into `out`."""
    nodes = [
        helper.make_node("Shape", [x], [f"{out}_s"]),
        helper.make_node("Slice", [f"{out}_s", f"{out}_b", f"{out}_e"], [f"{out}_h"]),
        helper.make_node("Concat", [f"{out}_h", f"{out}_t"], [out], axis=0),
    ]
    inits = [
        numpy_helper.from_array(i64(start), f"{out}_b"),
        numpy_helper.from_array(i64(end), f"{out}_e"),
        numpy_helper.from_array(i64(*tail), f"{out}_t"),
    ]
    return nodes, inits


def test_reshape_keeping_two_dynamic_dims(rng: np.random.Generator) -> None:
    """[N, C, H, W] -> [N, C, H * W]: the shape is built at run time from shape_of."""
    nodes, inits = _shape_nodes("x", 0, 2, [-1], "target")
    nodes.append(helper.make_node("Reshape", ["x", "target"], ["y"]))
    x_info = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4, "H", "W"])
    model = _graph_model(nodes, [x_info], ["y"], 13, inits)
    for shape in ((1, 4, 3, 5), (2, 4, 6, 2)):
        assert_matches_onnxruntime(model, {"x": f32(rng, *shape)})
    ir = str(infer.compile(model).module)
    assert "-> tensor<?x4x?xf32>" in ir and "infer.select" not in ir


def test_reshape_to_the_batch_of_another_tensor(rng: np.random.Generator) -> None:
    """A shape holding a dim of another tensor: converted with ONNX's 0-copy rule checked at run time."""
    nodes, inits = _shape_nodes("x", 0, 1, [-1], "target")
    nodes.append(helper.make_node("Reshape", ["y", "target"], ["z"]))
    infos = [
        helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2]),
        helper.make_tensor_value_info("y", TensorProto.FLOAT, ["M"]),
    ]
    model = _graph_model(nodes, infos, ["z"], 13, inits)
    assert_matches_onnxruntime(model, {"x": f32(rng, 3, 2), "y": f32(rng, 12)})


def test_constant_of_shape_of_a_dynamic_shape(rng: np.random.Generator) -> None:
    nodes, inits = _shape_nodes("x", 0, 2, [5], "target")
    value = numpy_helper.from_array(np.array([3], np.int64))
    nodes.append(helper.make_node("ConstantOfShape", ["target"], ["y"], value=value))
    model = _graph_model(
        nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2, "W"])], ["y"], 13, inits
    )
    assert_matches_onnxruntime(model, {"x": f32(rng, 3, 2, 4)})
    assert "-> tensor<?x2x5xi64>" in str(infer.compile(model).module)


def test_shape_subgraph_on_static_dims_folds_to_constants(rng: np.random.Generator) -> None:
    """With static dims the whole shape computation becomes a constant and the reshape a static one."""
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Slice", ["s", "start", "end"], ["hw"]),
        helper.make_node("Concat", ["hw", "minus_one"], ["target"], axis=0),
        helper.make_node("Reshape", ["x", "target"], ["y"]),
    ]
    inits = [
        numpy_helper.from_array(i64(2), "start"),
        numpy_helper.from_array(i64(4), "end"),
        numpy_helper.from_array(i64(-1), "minus_one"),
    ]
    x = f32(rng, 2, 3, 4, 5)
    model = _graph_model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape)], ["y"], 13, inits)
    assert_matches_onnxruntime(model, {"x": x})
    ir = str(infer.compile(model).module)
    assert "infer.shape_of" not in ir and "infer.concat" not in ir
    assert "infer.reshape %x : (tensor<2x3x4x5xf32>) -> tensor<4x5x6xf32>" in ir


def test_dynamic_upsample_via_shape_arithmetic_free_subgraph(rng: np.random.Generator) -> None:
    """Shape -> Slice -> Concat -> Expand: a broadcast to a shape computed at run time."""
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Slice", ["s", "start", "end"], ["n"]),
        helper.make_node("Concat", ["n", "tail"], ["target"], axis=0),
        helper.make_node("Expand", ["b", "target"], ["y"]),
    ]
    inits = [
        numpy_helper.from_array(i64(0), "start"),
        numpy_helper.from_array(i64(1), "end"),
        numpy_helper.from_array(i64(1, 4), "tail"),
        numpy_helper.from_array(f32(rng, 3, 1), "b"),
    ]
    model = _graph_model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])], ["y"], 13, inits)
    for batch in (1, 5):
        assert_matches_onnxruntime(model, {"x": f32(rng, batch, 2)})


@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_resize_to_sizes_keeping_dynamic_dims(mode: str, rng: np.random.Generator) -> None:
    """sizes = concat(shape(x)[:2], [h, w]), as F.interpolate(x, size=(h, w)) exports under a dynamic batch."""
    nodes, inits = _shape_nodes("x", 0, 2, [12, 10], "sizes")
    nodes.append(helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], mode=mode))
    model = _graph_model(
        nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", "C", 6, 8])], ["y"], 13, inits
    )
    for shape in ((1, 3, 6, 8), (2, 1, 6, 8)):
        assert_matches_onnxruntime(model, {"x": f32(rng, *shape)})
    assert "sizes = array<i64: -1, -1, 12, 10>" in str(infer.compile(model).module)


def test_resize_sizes_at_run_time_is_a_diagnostic() -> None:
    x = np.zeros((1, 1, 2, 2), np.float32)
    model = node_model("Resize", {"x": x, "sizes": i64(1, 1, 4, 4)}, opset=13, node_inputs=["x", "", "", "sizes"])
    assert_diagnostic(model, "node 'resize_node'", "Resize, opset 13", "'sizes' must be a constant")
