"""QuantizeLinear, DequantizeLinear (and the integer ops built on them) through
convert-onnx-to-infer, against onnxruntime (or onnx's reference evaluator where
onnxruntime lacks a variant); the decompositions of the composites; the same
models compiled to C."""

from __future__ import annotations

import shutil
from collections.abc import Mapping

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, parse
from onnx import TensorProto
from onnx.reference import ReferenceEvaluator
from onnx_models import node_model, run_infer, run_onnxruntime
from quantized_cases import QUANT_IR, TIES, quant_inputs

import infer
from infer.transforms.decompose_composites import DecomposeCompositesPass

needs_cc = pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None, reason="no C compiler")


def _assert_same(actual: list[np.ndarray], expected: list[np.ndarray]) -> None:
    assert len(actual) == len(expected)
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        assert a.dtype == e.dtype, f"output {i}: dtype {a.dtype} != {e.dtype}"
        assert a.shape == e.shape, f"output {i}: shape {a.shape} != {e.shape}"
        np.testing.assert_array_equal(a, e, err_msg=f"output {i}")


def _exact(model: onnx.ModelProto, feeds: Mapping[str, np.ndarray], oracle: str = "onnxruntime") -> None:
    """infer's interpreter gives exactly the oracle's results (quantized values are integers)."""
    if oracle == "onnxruntime":
        expected = run_onnxruntime(model, feeds)
    else:
        expected = list(ReferenceEvaluator(model).run(None, dict(feeds)))
    _assert_same(run_infer(model, feeds), expected)


def _x(rng: np.random.Generator, *shape: int, scale: float = 60.0) -> np.ndarray:
    x = (rng.standard_normal(shape) * scale).astype(np.float32)
    x.flat[: min(x.size, TIES.size)] = TIES[: x.size]
    return x


def _assert_one_line(info: pytest.ExceptionInfo[infer.InferError], *parts: str) -> None:
    message = str(info.value)
    assert "\n" not in message
    for part in parts:
        assert part in message, message


# -- QuantizeLinear ------------------------------------------------------------------------


@pytest.mark.parametrize("opset", [10, 13, 19, 21, 23, 24, 25])
@pytest.mark.parametrize("zero_point", [np.uint8(0), np.uint8(128), np.uint8(255), np.int8(0), np.int8(-7), np.int8(5)])
def test_quantize_per_tensor(opset: int, zero_point: np.generic, rng: np.random.Generator) -> None:
    x = _x(rng, 3, 8)
    model = node_model(
        "QuantizeLinear", {"x": x}, opset=opset, initializers={"s": np.float32(0.5), "z": np.asarray(zero_point)}
    )
    _exact(model, {"x": x})


@pytest.mark.parametrize("opset", [21, 23, 25])
@pytest.mark.parametrize("dtype", [np.int16, np.uint16])
def test_quantize_16_bit(opset: int, dtype: type, rng: np.random.Generator) -> None:
    # Beyond int32 the reference wraps around before it saturates: stay within it (and still saturate).
    x = np.clip(_x(rng, 4, 6, scale=1e4), -1e5, 1e5)
    zero_point = np.asarray(-300 if dtype == np.int16 else 40000, dtype)
    model = node_model("QuantizeLinear", {"x": x}, opset=opset, initializers={"s": np.float32(0.25), "z": zero_point})
    # onnxruntime has no 16-bit QuantizeLinear on the CPU: onnx's reference is the oracle.
    _exact(model, {"x": x}, oracle="reference")


@pytest.mark.parametrize("axis", [1, -2, 0])
def test_quantize_per_axis_dynamic(axis: int, rng: np.random.Generator) -> None:
    x = _x(rng, 3, 4, 5)
    size = x.shape[axis]
    params = {
        "s": rng.uniform(0.05, 2.0, size).astype(np.float32),
        "z": rng.integers(-20, 20, size).astype(np.int8),
    }
    shapes = {"x": ["A" if axis != 0 else 3, "B" if axis % 3 != 1 else 4, "C"]}
    model = node_model(
        "QuantizeLinear", {"x": x}, opset=13, attrs={"axis": axis}, initializers=params, input_shapes=shapes
    )
    _exact(model, {"x": x})
    if axis != 0:
        _exact(model, {"x": _x(rng, 2, 4, 1)[:, :, :] if axis % 3 == 1 else _x(rng, 2, 4, 3)})


@pytest.mark.parametrize("block_size", [2, 3, 4])
def test_quantize_blocked(block_size: int, rng: np.random.Generator) -> None:
    x = _x(rng, 3, 8)
    blocks = -(-8 // block_size)
    params = {
        "s": rng.uniform(0.05, 2.0, (3, blocks)).astype(np.float32),
        "z": rng.integers(0, 255, (3, blocks)).astype(np.uint8),
    }
    model = node_model(
        "QuantizeLinear", {"x": x}, opset=21, attrs={"axis": -1, "block_size": block_size}, initializers=params
    )
    _exact(model, {"x": x})


def test_quantize_without_zero_point(rng: np.random.Generator) -> None:
    x = _x(rng, 2, 6)
    scale = np.array(0.3, np.float32)
    model = node_model("QuantizeLinear", {"x": x, "s": scale}, opset=13)
    _exact(model, {"x": x, "s": scale})
    # output_dtype (version 21) picks the type when there is no zero point.
    model = node_model(
        "QuantizeLinear",
        {"x": x},
        opset=21,
        attrs={"output_dtype": TensorProto.INT8},
        initializers={"s": np.float32(0.3)},
    )
    _exact(model, {"x": x})


@pytest.mark.parametrize("opset", [19, 21])
def test_quantize_float16(opset: int, rng: np.random.Generator) -> None:
    # The reference wraps infinite quotients around: keep them finite (and still saturating).
    x = np.clip(_x(rng, 2, 6), -1e4, 1e4).astype(np.float16)
    model = node_model(
        "QuantizeLinear", {"x": x}, opset=opset, initializers={"s": np.float16(0.5), "z": np.asarray(np.int8(3))}
    )
    _exact(model, {"x": x}, oracle="reference")


def test_quantize_runtime_scale(rng: np.random.Generator) -> None:
    x = _x(rng, 2, 3)
    feeds = {"x": x, "s": rng.uniform(0.1, 1, 3).astype(np.float32), "z": np.array([0, 10, 250], np.uint8)}
    model = node_model("QuantizeLinear", feeds, opset=13, attrs={"axis": 1})
    _exact(model, feeds)


# -- DequantizeLinear ------------------------------------------------------------------------


@pytest.mark.parametrize("opset", [10, 13, 19, 21, 23, 24, 25])
@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int32])
def test_dequantize_per_tensor(opset: int, dtype: type, rng: np.random.Generator) -> None:
    info = np.iinfo(dtype)
    x = rng.integers(max(info.min, -(2**20)), min(info.max, 2**20), (3, 7), endpoint=True).astype(dtype)
    x.flat[:2] = [info.min, info.max]
    zero_point = {np.int8: -5, np.uint8: 200, np.int32: 0}[dtype]
    params = {"s": np.float32(0.37), "z": np.asarray(zero_point, dtype)}
    model = node_model("DequantizeLinear", {"x": x}, opset=opset, initializers=params)
    _exact(model, {"x": x})


@pytest.mark.parametrize("dtype", [np.int16, np.uint16])
def test_dequantize_16_bit(dtype: type, rng: np.random.Generator) -> None:
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max, (4, 5), endpoint=True).astype(dtype)
    params = {"s": rng.uniform(0.1, 2, 5).astype(np.float32), "z": rng.integers(info.min, info.max, 5).astype(dtype)}
    model = node_model("DequantizeLinear", {"x": x}, opset=21, attrs={"axis": -1}, initializers=params)
    _exact(model, {"x": x}, oracle="reference")


def test_dequantize_per_axis_dynamic(rng: np.random.Generator) -> None:
    x = rng.integers(-128, 128, (2, 3, 4)).astype(np.int8)
    params = {"s": rng.uniform(0.1, 2, 3).astype(np.float32), "z": np.array([-128, 0, 127], np.int8)}
    model = node_model(
        "DequantizeLinear",
        {"x": x},
        opset=13,
        attrs={"axis": 1},
        initializers=params,
        input_shapes={"x": ["N", 3, "W"]},
    )
    _exact(model, {"x": x})
    _exact(model, {"x": x[:1, :, :2]})


def test_dequantize_blocked_and_output_dtype(rng: np.random.Generator) -> None:
    x = rng.integers(0, 256, (4, 10)).astype(np.uint8)
    params = {"s": rng.uniform(0.1, 2, (2, 10)).astype(np.float32), "z": rng.integers(0, 256, (2, 10)).astype(np.uint8)}
    model = node_model("DequantizeLinear", {"x": x}, opset=21, attrs={"axis": 0, "block_size": 3}, initializers=params)
    _exact(model, {"x": x})
    model = node_model(
        "DequantizeLinear",
        {"x": x},
        opset=23,
        attrs={"axis": 0, "block_size": 3, "output_dtype": TensorProto.FLOAT16},
        initializers=params,
    )
    _exact(model, {"x": x}, oracle="reference")


def test_dequantize_float16_scale(rng: np.random.Generator) -> None:
    x = rng.integers(-128, 128, (3, 4)).astype(np.int8)
    params = {"s": np.float16(0.1), "z": np.asarray(np.int8(-3))}
    model = node_model("DequantizeLinear", {"x": x}, opset=19, initializers=params)
    _exact(model, {"x": x}, oracle="reference")


# -- diagnostics -------------------------------------------------------------------------------


def test_unsupported_types_are_diagnostics(rng: np.random.Generator) -> None:
    x = _x(rng, 4)
    model = node_model(
        "QuantizeLinear",
        {"x": x},
        opset=21,
        attrs={"output_dtype": TensorProto.INT4},
        initializers={"s": np.float32(1)},
    )
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, "quantizelinear_node", "QuantizeLinear", "opset 21", "int4 is not supported")
    model = node_model(
        "QuantizeLinear",
        {"x": x},
        opset=21,
        attrs={"output_dtype": TensorProto.FLOAT8E4M3FN},
        initializers={"s": np.float32(1)},
    )
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, "QuantizeLinear", "float8e4m3fn is not supported")


def test_scale_of_rank_two_needs_block_size(rng: np.random.Generator) -> None:
    x = _x(rng, 2, 4)
    model = node_model("QuantizeLinear", {"x": x}, opset=21, initializers={"s": np.ones((2, 4), np.float32)})
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, "QuantizeLinear", "opset 21", "scalar or 1-D", "block_size")


# -- decompositions ------------------------------------------------------------------------------


def test_decompositions_preserve_semantics(rng: np.random.Generator) -> None:
    for _ in range(3):
        assert_pass_preserves(parse(QUANT_IR), DecomposeCompositesPass(), quant_inputs(rng), same_bits=True)


@needs_cc
@pytest.mark.parametrize("opset", [13, 21])
def test_onnx_models_compiled_to_c(
    opset: int, tmp_path_factory: pytest.TempPathFactory, rng: np.random.Generator
) -> None:
    cache = str(tmp_path_factory.mktemp("c_cache"))
    x = _x(rng, 2, 3, 4)
    params = {"s": rng.uniform(0.1, 2, 3).astype(np.float32), "z": np.array([-128, 0, 127], np.int8)}
    model = node_model("QuantizeLinear", {"x": x}, opset=opset, attrs={"axis": 1}, initializers=params)
    feeds = {"x": x}
    _assert_same(
        list(infer.compile(model, target="c", cache_dir=cache).run(feeds).values()), run_onnxruntime(model, feeds)
    )
    q = rng.integers(0, 256, (2, 3, 4)).astype(np.uint8)
    params = {"s": np.float32(0.02), "z": np.asarray(np.uint8(129))}
    model = node_model("DequantizeLinear", {"q": q}, opset=opset, initializers=params, input_shapes={"q": ["N", 3, 4]})
    feeds = {"q": q}
    _assert_same(
        list(infer.compile(model, target="c", cache_dir=cache).run(feeds).values()), run_onnxruntime(model, feeds)
    )


# -- DynamicQuantizeLinear -------------------------------------------------------------------


def _dynamic_inputs(rng: np.random.Generator) -> list[np.ndarray]:
    mixed = (rng.standard_normal((3, 4)) * 5).astype(np.float32)
    mixed.flat[:3] = [0.0, 2.5, -2.5]
    return [
        mixed,
        np.abs(rng.standard_normal((2, 5))).astype(np.float32) + 1,  # all positive: min widened to 0
        -np.abs(rng.standard_normal(7)).astype(np.float32),  # all negative: zero point 255
        np.zeros((2, 2), np.float32),  # a range of 0
        np.array(3.0, np.float32),  # rank 0
    ]


def test_dynamic_quantize(rng: np.random.Generator) -> None:
    for x in _dynamic_inputs(rng):
        model = node_model("DynamicQuantizeLinear", {"x": x}, opset=11, outputs=("y", "scale", "zero_point"))
        _exact(model, {"x": x})


def test_dynamic_quantize_dynamic_dims(rng: np.random.Generator) -> None:
    x = (rng.standard_normal((3, 4)) * 5).astype(np.float32)
    model = node_model(
        "DynamicQuantizeLinear", {"x": x}, opset=11, outputs=("y", "s", "z"), input_shapes={"x": ["N", None]}
    )
    _exact(model, {"x": x})
    _exact(model, {"x": x[:1, :2] * 100})


@needs_cc
def test_dynamic_quantize_compiled_to_c(tmp_path_factory: pytest.TempPathFactory, rng: np.random.Generator) -> None:
    cache = str(tmp_path_factory.mktemp("c_cache"))
    for x in _dynamic_inputs(rng):
        model = node_model(
            "DynamicQuantizeLinear",
            {"x": x},
            opset=11,
            outputs=("y", "s", "z"),
            input_shapes={"x": [None] * x.ndim},
        )
        feeds = {"x": x}
        _assert_same(
            list(infer.compile(model, target="c", cache_dir=cache).run(feeds).values()), run_onnxruntime(model, feeds)
        )
