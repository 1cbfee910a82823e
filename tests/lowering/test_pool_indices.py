"""MaxPool's Indices output (`infer.max_pool_with_indices`) and MaxUnpool
(`infer.max_unpool`) against onnxruntime, through the interpreter and the C target,
with dynamic dims; and their round trip pool -> unpool."""

from __future__ import annotations

import shutil
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from onnx_models import run_onnxruntime

import infer
from infer.diagnostics import InferError

TARGETS = ["interp", pytest.param("c", marks=pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler"))]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("c_cache"))


def _run(model: onnx.ModelProto, feeds: dict[str, np.ndarray], target: str, cache: str) -> list[np.ndarray]:
    compiled = infer.compile(model, target=target, cache_dir=cache, opt_level=2)
    return list(compiled.run(feeds).values())


def _pool_model(shape: list[Any], opset: int, **attrs: Any) -> onnx.ModelProto:
    node = helper.make_node("MaxPool", ["x"], ["y", "i"], **attrs)
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [
            helper.make_tensor_value_info("y", TensorProto.FLOAT, None),
            helper.make_tensor_value_info("i", TensorProto.INT64, None),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


POOLS = [
    ({"kernel_shape": [2, 2], "strides": [2, 2]}, (2, 3, 8, 8), 12),
    ({"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}, (1, 2, 7, 9), 12),
    ({"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "storage_order": 1}, (2, 2, 7, 9), 12),
    ({"kernel_shape": [3, 2], "strides": [2, 3], "ceil_mode": 1}, (1, 3, 9, 8), 12),
    ({"kernel_shape": [2, 2], "dilations": [2, 2], "pads": [1, 0, 1, 0]}, (1, 2, 6, 7), 12),
    ({"kernel_shape": [3], "strides": [2], "pads": [1, 1]}, (2, 3, 11), 8),
    ({"kernel_shape": [2, 2, 2], "strides": [2, 1, 2], "storage_order": 1}, (1, 2, 4, 5, 6), 22),
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(("attrs", "shape", "opset"), POOLS)
def test_max_pool_indices(
    attrs: dict[str, Any], shape: tuple[int, ...], opset: int, target: str, cache: str, rng: np.random.Generator
) -> None:
    x = rng.standard_normal(shape).astype(np.float32)
    # Ties inside windows: the first maximum wins.
    x[..., :2] = 1.5
    static = _pool_model(list(shape), opset, **attrs)
    expected = run_onnxruntime(static, {"x": x})
    dynamic = _pool_model(["n", shape[1], *(f"d{i}" for i in range(len(shape) - 2))], opset, **attrs)
    for model in (static, dynamic):
        values, indices = _run(model, {"x": x}, target, cache)
        np.testing.assert_array_equal(values, expected[0])
        assert indices.dtype == np.int64
        np.testing.assert_array_equal(indices, expected[1])


def test_max_pool_indices_nan_is_the_maximum(cache: str) -> None:
    x = np.array([[[[1.0, np.nan, 3.0, 2.0], [-np.inf, -np.inf, 0.0, np.nan]]]], np.float32)
    model = _pool_model([1, 1, 2, 4], 12, kernel_shape=[2, 2], strides=[2, 2])
    for target in ("interp", "c"):
        values, indices = _run(model, {"x": x}, target, cache)
        assert np.isnan(values[0, 0, 0, 0]) and indices[0, 0, 0, 0] == 1
        assert np.isnan(values[0, 0, 0, 1]) and indices[0, 0, 0, 1] == 7


def _unpool_model(
    x_shape: list[Any], attrs: dict[str, Any], output_shape: list[int] | None, opset: int = 22
) -> onnx.ModelProto:
    nodes = [helper.make_node("MaxPool", ["x"], ["y", "i"], **attrs)]
    inputs = ["y", "i"]
    initializers = []
    if output_shape is not None:
        initializers.append(helper.make_tensor("shape", TensorProto.INT64, [len(output_shape)], output_shape))
        inputs.append("shape")
    unpool_attrs = {k: v for k, v in attrs.items() if k in ("kernel_shape", "strides", "pads")}
    nodes.append(helper.make_node("MaxUnpool", inputs, ["u"], **unpool_attrs))
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info("u", TensorProto.FLOAT, None)],
        initializer=initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


UNPOOLS = [
    ({"kernel_shape": [2, 2], "strides": [2, 2]}, (2, 3, 8, 8), None),
    ({"kernel_shape": [2, 2], "strides": [2, 2]}, (1, 2, 9, 9), [1, 2, 9, 9]),
    ({"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}, (1, 2, 7, 7), None),
    ({"kernel_shape": [3], "strides": [3]}, (2, 2, 9), None),
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(("attrs", "shape", "output_shape"), UNPOOLS)
def test_max_unpool(
    attrs: dict[str, Any],
    shape: tuple[int, ...],
    output_shape: list[int] | None,
    target: str,
    cache: str,
    rng: np.random.Generator,
) -> None:
    x = rng.standard_normal(shape).astype(np.float32)
    model = _unpool_model(list(shape), attrs, output_shape)
    (expected,) = run_onnxruntime(model, {"x": x})
    (got,) = _run(model, {"x": x}, target, cache)
    np.testing.assert_array_equal(got, expected)
    if output_shape is None:
        # Dynamic batch: the same values per image.
        dynamic = _unpool_model(["n", *shape[1:]], attrs, None)
        (twice,) = _run(dynamic, {"x": np.concatenate([x, x])}, target, cache)
        np.testing.assert_array_equal(twice, np.concatenate([expected, expected]))


def test_max_unpool_index_out_of_range(cache: str) -> None:
    """The interpreter reports an index outside the result; the C target skips it."""
    node = helper.make_node("MaxUnpool", ["x", "i"], ["u"], kernel_shape=[2], strides=[2])
    graph = helper.make_graph(
        [node],
        "g",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 2]),
            helper.make_tensor_value_info("i", TensorProto.INT64, [1, 1, 2]),
        ],
        [helper.make_tensor_value_info("u", TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    feeds = {"x": np.array([[[5.0, 7.0]]], np.float32), "i": np.array([[[3, 9]]], np.int64)}
    with pytest.raises((InferError, ValueError), match="outside the result"):
        _run(model, feeds, "interp", cache)
    (got,) = _run(model, feeds, "c", cache)
    np.testing.assert_array_equal(got, [[[0.0, 0.0, 0.0, 5.0]]])
