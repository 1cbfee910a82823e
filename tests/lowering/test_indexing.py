"""The indexing family (CumSum, CumProd, Trilu, OneHot, GatherND, the scatters, TopK,
EyeLike, DepthToSpace, SpaceToDepth) through convert-onnx-to-infer, against
onnxruntime (or onnx's reference evaluator where onnxruntime lacks the op), run
by the interpreter and compiled to C."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
import pytest
from onnx.reference import ReferenceEvaluator
from onnx_models import node_model, run_onnxruntime

import infer

HAS_CC = shutil.which("cc") is not None or shutil.which("gcc") is not None


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("c_cache"))


def i64(*values: int) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def f32(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


def _compare(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray], what: str, tolerance: float) -> None:
    assert len(actual) == len(expected), what
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        assert a.dtype == e.dtype, f"{what} output {i}: dtype {a.dtype} != {e.dtype}"
        assert a.shape == e.shape, f"{what} output {i}: shape {a.shape} != {e.shape}"
        if e.dtype.kind == "f":
            np.testing.assert_allclose(a, e, rtol=tolerance, atol=tolerance, equal_nan=True, err_msg=f"{what} {i}")
        else:
            np.testing.assert_array_equal(a, e, err_msg=f"{what} output {i}")


def check(
    model: onnx.ModelProto,
    feeds_list: Sequence[Mapping[str, np.ndarray]],
    cache: str | None = None,
    *,
    oracle: str = "onnxruntime",
    tolerance: float = 1e-5,
) -> None:
    """The model through the interpreter and (with `cache`) through C matches the oracle on every feed."""
    interpreted = infer.compile(model)
    compiled = infer.compile(model, target="c", cache_dir=cache) if cache is not None and HAS_CC else None
    for feeds in feeds_list:
        if oracle == "onnxruntime":
            expected = run_onnxruntime(model, feeds)
        else:
            expected = ReferenceEvaluator(model).run(None, dict(feeds))
        expected = [np.asarray(e) for e in expected]
        _compare(list(interpreted.run(dict(feeds)).values()), expected, "interpreter", tolerance)
        if compiled is not None:
            _compare(list(compiled.run(dict(feeds)).values()), expected, "C", tolerance)


def assert_diagnostic(model: Any, *parts: str) -> None:
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    message = str(info.value)
    assert "\n" not in message, message
    for part in parts:
        assert part in message, message


# -- CumSum, CumProd ---------------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["CumSum", "CumProd"])
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
@pytest.mark.parametrize("exclusive", [0, 1])
@pytest.mark.parametrize("reverse", [0, 1])
def test_cumulative(op: str, axis: int, exclusive: int, reverse: int, rng: np.random.Generator, cache: str) -> None:
    x = rng.uniform(0.5, 1.5, (2, 3, 4)).astype(np.float32)
    opset = 14 if op == "CumSum" else 26
    model = node_model(
        op,
        {"x": x},
        opset=opset,
        attrs={"exclusive": exclusive, "reverse": reverse},
        initializers={"axis": np.array(axis, np.int64)},
        input_shapes={"x": ["N", 3, "W"]},
    )
    oracle = "onnxruntime" if op == "CumSum" else "reference"
    check(model, [{"x": x}, {"x": x[:1, :, :2]}], cache, oracle=oracle)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float64])
@pytest.mark.parametrize("opset", [11, 14])
def test_cumsum_types_and_opsets(dtype: type, opset: int, rng: np.random.Generator, cache: str) -> None:
    x = rng.integers(-50, 50, (3, 5)).astype(dtype)
    model = node_model("CumSum", {"x": x}, opset=opset, initializers={"axis": np.array(1, np.int32)})
    check(model, [{"x": x}], cache)


@pytest.mark.parametrize("op", ["CumSum", "CumProd"])
def test_cumulative_axis_at_run_time(op: str, rng: np.random.Generator, cache: str) -> None:
    x = rng.integers(-3, 4, (2, 3, 4)).astype(np.int32)
    opset = 14 if op == "CumSum" else 26
    model = node_model(op, {"x": x, "axis": np.array(0, np.int64)}, opset=opset, attrs={"reverse": 1, "exclusive": 1})
    feeds = [{"x": x, "axis": np.array(a, np.int64)} for a in (0, 1, 2, -1, -2)]
    check(model, feeds, cache, oracle="onnxruntime" if op == "CumSum" else "reference")


def test_cumsum_axis_out_of_range_at_run_time(rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3)
    model = node_model("CumSum", {"x": x, "axis": np.array(2, np.int64)}, opset=14)
    with pytest.raises(infer.InferError, match=r"infer\.cumsum axis 2 is out of range for rank 2"):
        infer.compile(model).run({"x": x, "axis": np.array(2, np.int64)})


def test_cumsum_bad_axis_is_a_diagnostic(rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3)
    model = node_model("CumSum", {"x": x}, opset=14, initializers={"axis": i64(2)})
    assert_diagnostic(model, "node 'cumsum_node' (CumSum, opset 14)", "axis 2 is out of range for rank 2")
    model = node_model("CumSum", {"x": x}, opset=14, initializers={"axis": i64(0, 1)})
    assert_diagnostic(model, "(CumSum, opset 14)", "input 'axis' must hold one value")


# -- Trilu ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(4, 5), (5, 3), (2, 3, 4), (1, 1)])
@pytest.mark.parametrize("upper", [0, 1])
@pytest.mark.parametrize("k", [None, -6, -1, 0, 2, 7])
def test_trilu(shape: tuple[int, ...], upper: int, k: int | None, rng: np.random.Generator, cache: str) -> None:
    x = f32(rng, *shape)
    initializers = {} if k is None else {"k": np.array(k, np.int64)}
    model = node_model("Trilu", {"x": x}, opset=14, attrs={"upper": upper}, initializers=initializers)
    check(model, [{"x": x}], cache)


@pytest.mark.parametrize("upper", [0, 1])
def test_trilu_dynamic_dims_and_k_at_run_time(upper: int, rng: np.random.Generator, cache: str) -> None:
    x = rng.integers(-9, 9, (2, 4, 5)).astype(np.int64)
    model = node_model(
        "Trilu",
        {"x": x, "k": np.array(0, np.int64)},
        opset=14,
        attrs={"upper": upper},
        input_shapes={"x": ["N", "H", "W"]},
    )
    feeds = [{"x": x, "k": np.array(k, np.int64)} for k in (-2, 0, 1, 9)]
    feeds.append({"x": x[:1, :3, :1], "k": np.array(-1, np.int64)})
    check(model, feeds, cache)
    model = node_model("Trilu", {"x": x}, opset=14, attrs={"upper": upper}, input_shapes={"x": [2, "H", "W"]})
    check(model, [{"x": x}, {"x": x[:, 1:, 2:]}], cache)


def test_trilu_rank_1_is_a_diagnostic(rng: np.random.Generator) -> None:
    model = node_model("Trilu", {"x": f32(rng, 4)}, opset=14)
    assert_diagnostic(model, "node 'trilu_node' (Trilu, opset 14)", "input must have rank >= 2, got rank 1")


# -- OneHot -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("opset", [9, 11])
@pytest.mark.parametrize("axis", [-1, 0, 1, -3])
def test_one_hot(opset: int, axis: int, cache: str) -> None:
    indices = np.array([[0, 3, -1], [9, -5, 2]], np.int64)
    values = np.array([-2.0, 5.0], np.float32)
    model = node_model(
        "OneHot",
        {"indices": indices},
        opset=opset,
        attrs={"axis": axis},
        initializers={"depth": np.array(5, np.int64), "values": values},
    )
    check(model, [{"indices": indices}], cache)


@pytest.mark.parametrize(
    ("index_type", "depth_type", "value_type"),
    [(np.float32, np.float32, np.float32), (np.int32, np.float32, np.int32), (np.int64, np.int64, np.int64)],
)
def test_one_hot_types_and_run_time_inputs(index_type: type, depth_type: type, value_type: type, cache: str) -> None:
    indices = np.array([[1, -2], [0, 4], [3, -4]], index_type)
    depth = np.array(4, depth_type)
    values = np.array([1, 7], value_type)
    model = node_model(
        "OneHot",
        {"indices": indices, "depth": depth, "values": values},
        opset=11,
        attrs={"axis": 1},
        input_shapes={"indices": ["N", 2]},
    )
    feeds = [
        {"indices": indices, "depth": depth, "values": values},
        {"indices": indices[:1], "depth": np.array(2, depth_type), "values": np.array([3, -1], value_type)},
    ]
    check(model, feeds, cache, oracle="reference")


def test_one_hot_bad_axis_is_a_diagnostic() -> None:
    indices = np.array([1, 2], np.int64)
    model = node_model(
        "OneHot",
        {"indices": indices},
        opset=11,
        attrs={"axis": 2},
        initializers={"depth": np.array(3, np.int64), "values": np.array([0, 1], np.float32)},
    )
    assert_diagnostic(model, "(OneHot, opset 11)", "axis 2 is out of range for indices of rank 1")


# -- EyeLike ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("opset", [9, 22])
@pytest.mark.parametrize("shape", [(3, 4), (4, 2), (1, 1)])
@pytest.mark.parametrize("k", [0, 1, -2, 5])
def test_eye_like(opset: int, shape: tuple[int, int], k: int, rng: np.random.Generator, cache: str) -> None:
    x = f32(rng, *shape)
    check(node_model("EyeLike", {"x": x}, opset=opset, attrs={"k": k}), [{"x": x}], cache)


@pytest.mark.parametrize("dtype", [onnx.TensorProto.INT64, onnx.TensorProto.DOUBLE, onnx.TensorProto.INT32])
def test_eye_like_dtype_and_dynamic_dims(dtype: int, rng: np.random.Generator, cache: str) -> None:
    x = f32(rng, 3, 5)
    model = node_model("EyeLike", {"x": x}, opset=9, attrs={"k": -1, "dtype": dtype}, input_shapes={"x": ["H", "W"]})
    check(model, [{"x": x}, {"x": x[:1, :2]}, {"x": f32(rng, 6, 2)}], cache)


def test_eye_like_rank_3_is_a_diagnostic(rng: np.random.Generator) -> None:
    model = node_model("EyeLike", {"x": f32(rng, 2, 2, 2)}, opset=9)
    assert_diagnostic(model, "(EyeLike, opset 9)", "input must have rank 2, got rank 3")


# -- GatherND -------------------------------------------------------------------------------------------


GATHER_ND = {
    # name: (data shape, indices, batch_dims)
    "elements": ((2, 2), [[0, 0], [1, 1]], 0),
    "rows": ((2, 2), [[1], [0]], 0),
    "nested": ((2, 2, 2), [[[0, 1]], [[1, 0]]], 0),
    "negative": ((3, 4, 2), [[-1, 2], [0, -4], [2, 0]], 0),
    "batch": ((2, 3, 4), [[1], [2]], 1),
    "batch_tuples": ((2, 3, 4, 2), [[[0, 1], [2, 3]], [[1, -1], [0, 0]]], 1),
    "two_batch_dims": ((2, 3, 4), [[[1], [0], [3]], [[2], [2], [-1]]], 2),
}


@pytest.mark.parametrize("name", GATHER_ND)
@pytest.mark.parametrize("opset", [11, 12, 13])
def test_gather_nd(name: str, opset: int, rng: np.random.Generator, cache: str) -> None:
    shape, index_list, batch_dims = GATHER_ND[name]
    if batch_dims and opset < 12:
        pytest.skip("batch_dims appears in version 12")
    data = f32(rng, *shape)
    indices = np.asarray(index_list, np.int64)
    attrs = {"batch_dims": batch_dims} if opset >= 12 else {}
    model = node_model("GatherND", {"data": data, "indices": indices}, opset=opset, attrs=attrs)
    check(model, [{"data": data, "indices": indices}], cache)


def test_gather_nd_dynamic_dims(rng: np.random.Generator, cache: str) -> None:
    data = rng.integers(-99, 99, (3, 4, 5)).astype(np.int32)
    indices = np.array([[[0, 1], [2, -1]], [[1, 3], [0, 0]], [[2, 2], [1, 1]]], np.int64)
    model = node_model(
        "GatherND",
        {"data": data, "indices": indices},
        opset=13,
        attrs={"batch_dims": 1},
        input_shapes={"data": ["N", 4, "W"], "indices": ["N", "K", 2]},
    )
    feeds = [{"data": data, "indices": indices}, {"data": data[:1, :, :2], "indices": indices[:1, :1]}]
    check(model, feeds, cache)


def test_gather_nd_index_out_of_range() -> None:
    data = np.zeros((2, 3), np.float32)
    model = node_model("GatherND", {"data": data, "indices": np.array([[0, 3]], np.int64)}, opset=13)
    with pytest.raises(infer.InferError, match=r"infer\.gather_nd index out of range"):
        infer.compile(model).run({"data": data, "indices": np.array([[0, 3]], np.int64)})


@pytest.mark.skipif(not HAS_CC, reason="no C compiler")
def test_gather_nd_index_out_of_range_in_c_is_clamped(cache: str) -> None:
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    indices = np.array([[0, 7], [-9, 1]], np.int64)
    model = node_model("GatherND", {"data": data, "indices": indices}, opset=13)
    (y,) = infer.compile(model, target="c", cache_dir=cache).run({"data": data, "indices": indices}).values()
    np.testing.assert_array_equal(y, [2.0, 1.0])


# -- ScatterND ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opset", "reduction"), [(11, None), (13, None), (16, "add"), (16, "mul"), (18, "max"), (18, "min"), (18, "none")]
)
def test_scatter_nd(opset: int, reduction: str | None, rng: np.random.Generator, cache: str) -> None:
    data = f32(rng, 4, 3, 2)
    duplicates = reduction not in (None, "none")
    indices = np.array([[1], [-1], [1]] if duplicates else [[1], [-1], [0]], np.int64)
    updates = f32(rng, 3, 3, 2)
    elements = np.array([[0, 2, 1], [3, 0, 0], [0, 2, 1]], np.int64)
    element_updates = f32(rng, 3)
    attrs = {} if reduction is None else {"reduction": reduction}
    model = node_model("ScatterND", {"data": data, "indices": indices, "updates": updates}, opset=opset, attrs=attrs)
    check(model, [{"data": data, "indices": indices, "updates": updates}], cache)
    if not duplicates:
        elements = elements[:2]
        element_updates = element_updates[:2]
    model = node_model(
        "ScatterND", {"data": data, "indices": elements, "updates": element_updates}, opset=opset, attrs=attrs
    )
    check(model, [{"data": data, "indices": elements, "updates": element_updates}], cache)


def test_scatter_nd_dynamic_dims(rng: np.random.Generator, cache: str) -> None:
    data = rng.integers(-9, 9, (5, 4)).astype(np.int64)
    indices = np.array([[4], [0]], np.int64)
    updates = rng.integers(-9, 9, (2, 4)).astype(np.int64)
    model = node_model(
        "ScatterND",
        {"data": data, "indices": indices, "updates": updates},
        opset=16,
        attrs={"reduction": "add"},
        input_shapes={"data": ["N", "W"], "indices": ["K", 1], "updates": ["K", "W"]},
    )
    feeds = [
        {"data": data, "indices": indices, "updates": updates},
        {"data": data[:2, :1], "indices": np.array([[1], [1], [-2]], np.int64), "updates": updates[[0, 1, 0], :1]},
    ]
    check(model, feeds, cache)


# -- ScatterElements, Scatter ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opset", "reduction"), [(11, None), (13, None), (16, "add"), (16, "mul"), (18, "max"), (18, "min")]
)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_scatter_elements(opset: int, reduction: str | None, axis: int, rng: np.random.Generator, cache: str) -> None:
    data = f32(rng, 3, 4)
    if reduction is None:
        # Distinct targets per line along the axis: the result does not depend on the order of updates.
        indices = np.array(
            [[2, 0, -1, 1], [0, 1, 0, -3]] if axis == 0 else [[3, 0, 1], [-1, 2, 0], [1, 3, 2]], np.int64
        )
    else:
        indices = np.array([[1, 1, 0, -1], [0, 1, 2, 1]] if axis == 0 else [[3, 3, 0], [-1, 2, 3], [1, 1, 1]], np.int64)
    if axis == 0:
        indices = indices[:, :4]
    updates = f32(rng, *indices.shape)
    attrs: dict[str, object] = {"axis": axis}
    if reduction is not None:
        attrs["reduction"] = reduction
    model = node_model(
        "ScatterElements", {"data": data, "indices": indices, "updates": updates}, opset=opset, attrs=attrs
    )
    check(model, [{"data": data, "indices": indices, "updates": updates}], cache)


@pytest.mark.parametrize("opset", [9, 10])
def test_scatter_legacy(opset: int, rng: np.random.Generator, cache: str) -> None:
    data = f32(rng, 3, 3)
    indices = np.array([[1, 0, 2], [0, 2, 1]], np.int64)
    updates = f32(rng, 2, 3)
    model = node_model("Scatter", {"data": data, "indices": indices, "updates": updates}, opset=opset)
    check(model, [{"data": data, "indices": indices, "updates": updates}], cache)


def test_scatter_elements_dynamic_dims(rng: np.random.Generator, cache: str) -> None:
    data = f32(rng, 4, 5)
    indices = np.array([[0, 4], [3, -1], [1, 2]], np.int64)
    updates = f32(rng, 3, 2)
    model = node_model(
        "ScatterElements",
        {"data": data, "indices": indices, "updates": updates},
        opset=18,
        attrs={"axis": 1, "reduction": "add"},
        input_shapes={"data": ["N", "W"], "indices": ["K", "J"], "updates": ["K", "J"]},
    )
    feeds = [
        {"data": data, "indices": indices, "updates": updates},
        {"data": data[:2, :3], "indices": indices[:2, :1] % 3, "updates": updates[:2, :1]},
    ]
    check(model, feeds, cache)


def test_scatter_index_out_of_range() -> None:
    data = np.zeros((2, 3), np.float32)
    feeds = {"data": data, "indices": np.array([[3]], np.int64), "updates": np.ones((1, 1), np.float32)}
    model = node_model("ScatterElements", feeds, opset=13, attrs={"axis": 1})
    with pytest.raises(infer.InferError, match=r"infer\.scatter_elements index out of range"):
        infer.compile(model).run(feeds)


def test_scatter_reduction_is_checked() -> None:
    feeds = {"data": np.zeros((2, 3), np.float32), "indices": np.zeros((1, 1), np.int64)}
    feeds["updates"] = np.ones((1, 3), np.float32)
    model = node_model("ScatterND", feeds, opset=18, attrs={"reduction": "sub"})
    assert_diagnostic(model, "(ScatterND, opset 18)", "attribute 'reduction' = 'sub' is not supported")


# -- TopK ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("opset", [1, 10, 11, 24])
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("largest", [0, 1])
def test_top_k(opset: int, axis: int, largest: int, cache: str) -> None:
    if opset < 11 and not largest:
        pytest.skip("largest appears in version 11")
    # Repeated values: equal entries come in index order.
    x = np.array([[3.0, 1.0, 3.0, -2.0, 1.0], [0.5, 0.5, 7.0, 0.5, -1.0], [2.0, 9.0, 2.0, 2.0, 9.0]], np.float32)
    k = 2
    attrs: dict[str, object] = {"axis": axis}
    if opset >= 11:
        attrs["largest"] = largest
    if opset < 10:
        attrs["k"] = k
        model = node_model("TopK", {"x": x}, opset=opset, attrs=attrs, outputs=("values", "indices"))
    else:
        model = node_model(
            "TopK", {"x": x}, opset=opset, attrs=attrs, initializers={"k": i64(k)}, outputs=("values", "indices")
        )
    check(model, [{"x": x}], cache)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float64])
def test_top_k_types_dynamic_dims_and_k_at_run_time(dtype: type, rng: np.random.Generator, cache: str) -> None:
    x = rng.integers(-4, 4, (3, 6)).astype(dtype)
    model = node_model(
        "TopK",
        {"x": x, "k": i64(3)},
        opset=11,
        attrs={"axis": 1, "largest": 1},
        input_shapes={"x": ["N", "W"]},
        outputs=("values", "indices"),
    )
    feeds = [{"x": x, "k": i64(k)} for k in (0, 1, 3, 6)]
    feeds.append({"x": x[:1, :2], "k": i64(2)})
    check(model, feeds, cache)


@pytest.mark.skipif(not HAS_CC, reason="no C compiler")
def test_top_k_nan_is_above_every_number(cache: str) -> None:
    x = np.array([[1.0, np.nan, 3.0, np.nan, -np.inf, 3.0]], np.float32)
    for largest in (0, 1):
        model = node_model(
            "TopK",
            {"x": x},
            opset=11,
            attrs={"largest": largest},
            initializers={"k": i64(6)},
            outputs=("values", "indices"),
        )
        expected = [4, 0, 2, 5, 1, 3] if not largest else [1, 3, 2, 5, 0, 4]
        for target in ("interp", "c"):
            values, indices = infer.compile(model, target=target, cache_dir=cache).run({"x": x}).values()
            assert indices.tolist() == [expected], (target, largest)
            np.testing.assert_array_equal(values, x[:, expected])


def test_top_k_bad_k_is_a_diagnostic(rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3)
    model = node_model("TopK", {"x": x}, opset=11, initializers={"k": i64(4)}, outputs=("values", "indices"))
    assert_diagnostic(model, "node 'topk_node' (TopK, opset 11)", "k = 4 is outside [0, 3] (the size of axis 1)")


def test_top_k_too_large_at_run_time(rng: np.random.Generator) -> None:
    x = f32(rng, 2, 3)
    model = node_model("TopK", {"x": x, "k": i64(1)}, opset=11, outputs=("values", "indices"))
    with pytest.raises(infer.InferError, match=r"infer\.top_k k = 5 is outside \[0, 3\]"):
        infer.compile(model).run({"x": x, "k": i64(5)})


# -- DepthToSpace, SpaceToDepth ---------------------------------------------------------------------------


@pytest.mark.parametrize(("opset", "mode"), [(1, None), (11, "DCR"), (13, "CRD"), (13, None), (28, "CRD")])
@pytest.mark.parametrize("blocksize", [1, 2, 3])
def test_depth_to_space(opset: int, mode: str | None, blocksize: int, rng: np.random.Generator, cache: str) -> None:
    x = f32(rng, 2, 2 * blocksize * blocksize, 3, 4)
    attrs: dict[str, object] = {"blocksize": blocksize}
    if mode is not None:
        attrs["mode"] = mode
    model = node_model("DepthToSpace", {"x": x}, opset=opset, attrs=attrs)
    check(model, [{"x": x}], cache, oracle="onnxruntime" if opset < 28 else "reference")


@pytest.mark.parametrize(("opset", "mode"), [(1, None), (13, None), (28, "DCR"), (28, "CRD")])
@pytest.mark.parametrize("blocksize", [1, 2, 3])
def test_space_to_depth(opset: int, mode: str | None, blocksize: int, rng: np.random.Generator, cache: str) -> None:
    x = f32(rng, 2, 3, 2 * blocksize, 3 * blocksize)
    attrs: dict[str, object] = {"blocksize": blocksize}
    if mode is not None:
        attrs["mode"] = mode
    model = node_model("SpaceToDepth", {"x": x}, opset=opset, attrs=attrs)
    check(model, [{"x": x}], cache, oracle="onnxruntime" if opset < 28 else "reference")


@pytest.mark.parametrize("op", ["DepthToSpace", "SpaceToDepth"])
@pytest.mark.parametrize("dynamic", [["N", 8, 4, 6], ["N", "C", "H", "W"], [2, 8, "H", "W"]])
def test_blocks_dynamic_dims(op: str, dynamic: list[object], rng: np.random.Generator, cache: str) -> None:
    x = rng.integers(-99, 99, (2, 8, 4, 6)).astype(np.float32)
    attrs: dict[str, object] = {"blocksize": 2}
    if op == "DepthToSpace":
        attrs["mode"] = "CRD"
    model = node_model(op, {"x": x}, opset=13, attrs=attrs, input_shapes={"x": dynamic})
    feeds = [{"x": x}]
    if dynamic[0] == "N":
        feeds.append({"x": x[:1]})
    if dynamic[2] == "H":
        feeds.append({"x": x[:, :, :2, :4]})
    check(model, feeds, cache)


def test_blocks_diagnostics(rng: np.random.Generator) -> None:
    model = node_model("DepthToSpace", {"x": f32(rng, 1, 6, 2, 2)}, opset=13, attrs={"blocksize": 2})
    assert_diagnostic(model, "(DepthToSpace, opset 13)", "channels (6) must be a multiple of blocksize^2 (4)")
    model = node_model("SpaceToDepth", {"x": f32(rng, 1, 2, 3, 4)}, opset=13, attrs={"blocksize": 2})
    assert_diagnostic(model, "(SpaceToDepth, opset 13)", "dim 2 (3) must be a multiple of blocksize (2)")
    model = node_model("SpaceToDepth", {"x": f32(rng, 2, 4, 4)}, opset=13, attrs={"blocksize": 2})
    assert_diagnostic(model, "(SpaceToDepth, opset 13)", "input must have rank 4 ([N, C, H, W]), got rank 3")
