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


@pytest.mark.parametrize("opset", [10, 19, 21])
def test_quantize_int32_input(opset: int) -> None:
    # An int32 input (and, from version 19, an int32 scale) divides in f64, as numpy does.
    x = np.array([[-1000, -7, -5, -3, -1, 0, 1, 3, 5, 7, 1000, 2**30]], np.int32)
    scale = np.float32(2.0) if opset < 19 else np.int32(2)
    model = node_model("QuantizeLinear", {"x": x}, opset=opset, initializers={"s": scale, "z": np.int8(1)})
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


# -- MatMulInteger, QLinearMatMul ----------------------------------------------------------------


def _ints(rng: np.random.Generator, dtype: type, *shape: int) -> np.ndarray:
    info = np.iinfo(dtype)
    values = rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype)
    values.flat[:2] = [info.min, info.max][: values.size]
    return values


@pytest.mark.parametrize("a_type", [np.uint8, np.int8])
@pytest.mark.parametrize("b_type", [np.uint8, np.int8])
@pytest.mark.parametrize("shapes", [((4, 5), (5, 3)), ((2, 4, 5), (5, 3)), ((5,), (5, 3)), ((2, 1, 4, 5), (3, 5, 2))])
def test_matmul_integer(
    a_type: type, b_type: type, shapes: tuple[tuple[int, ...], tuple[int, ...]], rng: np.random.Generator
) -> None:
    a, b = _ints(rng, a_type, *shapes[0]), _ints(rng, b_type, *shapes[1])
    zero_points = {"az": np.asarray(a_type(3)), "bz": np.asarray(b_type(-2 if b_type == np.int8 else 200))}
    model = node_model("MatMulInteger", {"a": a, "b": b}, opset=10, initializers=zero_points)
    _exact(model, {"a": a, "b": b})
    # Without zero points.
    model = node_model("MatMulInteger", {"a": a, "b": b}, opset=10)
    _exact(model, {"a": a, "b": b})


def test_matmul_integer_per_row_and_column(rng: np.random.Generator) -> None:
    # onnxruntime and onnx's reference take per-tensor zero points only: numpy is the oracle.
    a, b = _ints(rng, np.uint8, 4, 6), _ints(rng, np.int8, 6, 3)
    a_zero, b_zero = _ints(rng, np.uint8, 4), _ints(rng, np.int8, 3)
    model = node_model(
        "MatMulInteger",
        {"a": a},
        opset=10,
        initializers={"b": b, "az": a_zero, "bz": b_zero},
        input_shapes={"a": [4, "K"]},
    )
    expected = (a.astype(np.int32) - a_zero[:, None].astype(np.int32)) @ (b.astype(np.int32) - b_zero.astype(np.int32))
    _assert_same(run_infer(model, {"a": a}), [expected])


def test_matmul_integer_dynamic(rng: np.random.Generator) -> None:
    a, b = _ints(rng, np.uint8, 3, 4, 5), _ints(rng, np.uint8, 5, 2)
    model = node_model(
        "MatMulInteger",
        {"a": a},
        opset=10,
        initializers={"b": b, "az": np.uint8(128), "bz": np.uint8(7)},
        input_shapes={"a": ["N", "M", 5]},
    )
    _exact(model, {"a": a})
    _exact(model, {"a": a[:1, :2]})


def _qlinear_matmul_params(
    rng: np.random.Generator, a_type: type, out_type: type, columns: int
) -> dict[str, np.ndarray]:
    return {
        "a_scale": np.float32(0.02),
        "a_zero": np.asarray(a_type(120 if a_type == np.uint8 else -5)),
        "b": _ints(rng, a_type, 5, columns),
        "b_scale": np.float32(0.03),
        "b_zero": np.asarray(a_type(130 if a_type == np.uint8 else 4)),
        "y_scale": np.float32(0.05),
        "y_zero": np.asarray(out_type(128 if out_type == np.uint8 else -3)),
    }


@pytest.mark.parametrize("opset", [10, 21])
@pytest.mark.parametrize("a_type", [np.uint8, np.int8])
@pytest.mark.parametrize("out_type", [np.uint8, np.int8])
def test_qlinear_matmul(opset: int, a_type: type, out_type: type, rng: np.random.Generator) -> None:
    a = _ints(rng, a_type, 2, 4, 5)
    params = _qlinear_matmul_params(rng, a_type, out_type, 3)
    names = ["a", "a_scale", "a_zero", "b", "b_scale", "b_zero", "y_scale", "y_zero"]
    model = node_model("QLinearMatMul", {"a": a}, opset=opset, initializers=params, node_inputs=names)
    # onnxruntime's output has the input's type: onnx's reference is the oracle for the others.
    _exact(model, {"a": a}, oracle="onnxruntime" if a_type == out_type else "reference")


def test_qlinear_matmul_per_column_and_saturating(rng: np.random.Generator) -> None:
    a = _ints(rng, np.uint8, 6, 5)
    params = _qlinear_matmul_params(rng, np.uint8, np.uint8, 4)
    params["b_scale"] = rng.uniform(0.01, 0.5, 4).astype(np.float32)  # large products saturate at both ends
    params["b_zero"] = _ints(rng, np.uint8, 4)
    names = ["a", "a_scale", "a_zero", "b", "b_scale", "b_zero", "y_scale", "y_zero"]
    model = node_model("QLinearMatMul", {"a": a}, opset=10, initializers=params, node_inputs=names)
    (y,) = run_onnxruntime(model, {"a": a})
    assert y.min() == 0 and y.max() == 255
    _exact(model, {"a": a})


def test_qlinear_matmul_float16_scales(rng: np.random.Generator) -> None:
    a = _ints(rng, np.int8, 3, 5)
    params = _qlinear_matmul_params(rng, np.int8, np.int8, 2)
    for name in ("a_scale", "b_scale", "y_scale"):
        params[name] = params[name].astype(np.float16)
    names = ["a", "a_scale", "a_zero", "b", "b_scale", "b_zero", "y_scale", "y_zero"]
    model = node_model("QLinearMatMul", {"a": a}, opset=21, initializers=params, node_inputs=names)
    _exact(model, {"a": a})


# -- ConvInteger, QLinearConv ------------------------------------------------------------------------


@pytest.mark.parametrize("x_type", [np.uint8, np.int8])
@pytest.mark.parametrize("attrs", [{}, {"pads": [1, 1, 1, 1]}, {"strides": [2, 1], "auto_pad": "SAME_UPPER"}])
def test_conv_integer(x_type: type, attrs: dict, rng: np.random.Generator) -> None:
    x, w = _ints(rng, x_type, 2, 3, 6, 5), _ints(rng, np.uint8, 4, 3, 3, 3)
    params = {"w": w, "x_zero": np.asarray(x_type(7)), "w_zero": np.asarray(np.uint8(128))}
    model = node_model("ConvInteger", {"x": x}, opset=10, attrs=attrs, initializers=params)
    _exact(model, {"x": x})


def test_conv_integer_per_channel_groups_dynamic(rng: np.random.Generator) -> None:
    # onnxruntime takes a per-tensor weight zero point only: onnx's reference is the oracle.
    x, w = _ints(rng, np.uint8, 2, 4, 5, 5), _ints(rng, np.uint8, 6, 2, 3, 3)
    params = {"w": w, "x_zero": np.asarray(np.uint8(100)), "w_zero": _ints(rng, np.uint8, 6)}
    model = node_model(
        "ConvInteger",
        {"x": x},
        opset=10,
        attrs={"group": 2, "pads": [1, 0, 1, 0]},
        initializers=params,
        input_shapes={"x": ["N", 4, "H", "W"]},
    )
    _exact(model, {"x": x}, oracle="reference")
    _exact(model, {"x": x[:1, :, :3, :4]}, oracle="reference")


@pytest.mark.parametrize("x_type", [np.uint8, np.int8])
@pytest.mark.parametrize("per_channel", [False, True])
@pytest.mark.parametrize("bias", [False, True])
def test_qlinear_conv(x_type: type, per_channel: bool, bias: bool, rng: np.random.Generator) -> None:
    x, w = _ints(rng, x_type, 1, 3, 7, 6), _ints(rng, np.int8, 4, 3, 3, 3)
    params = {
        "x_scale": np.float32(0.02),
        "x_zero": np.asarray(x_type(110 if x_type == np.uint8 else -10)),
        "w": w,
        "w_scale": rng.uniform(0.005, 0.05, 4).astype(np.float32) if per_channel else np.float32(0.02),
        "w_zero": np.zeros(4, np.int8) if per_channel else np.asarray(np.int8(0)),
        "y_scale": np.float32(0.3),
        "y_zero": np.asarray(x_type(120 if x_type == np.uint8 else 2)),
    }
    if bias:
        params["B"] = rng.integers(-5000, 5000, 4).astype(np.int32)
    model = node_model(
        "QLinearConv", {"x": x}, opset=10, attrs={"pads": [1, 1, 1, 1], "strides": [2, 2]}, initializers=params
    )
    _exact(model, {"x": x})


def test_float8_operands_are_diagnostics() -> None:
    float8 = TensorProto.FLOAT8E4M3FN
    scale = onnx.numpy_helper.from_array(np.float32(0.1), "s")
    graph = onnx.helper.make_graph(
        [onnx.helper.make_node("QLinearMatMul", ["a", "s", "z", "a", "s", "z", "s", "z"], ["y"], name="qmm")],
        "float8_qlinear_matmul",
        [onnx.helper.make_tensor_value_info("a", float8, [2, 2]), onnx.helper.make_tensor_value_info("z", float8, [])],
        [onnx.helper.make_tensor_value_info("y", float8, [2, 2])],
        [scale],
    )
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 21)])
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, "qmm", "QLinearMatMul", "opset 21", "float8e4m3fn is not supported", "int8, uint8")


# -- C target -------------------------------------------------------------------------------------------


@needs_cc
def test_integer_products_compiled_to_c(tmp_path_factory: pytest.TempPathFactory, rng: np.random.Generator) -> None:
    cache = str(tmp_path_factory.mktemp("c_cache"))
    a = _ints(rng, np.int8, 3, 4, 5)
    names = ["a", "a_scale", "a_zero", "b", "b_scale", "b_zero", "y_scale", "y_zero"]
    params = _qlinear_matmul_params(rng, np.int8, np.int8, 3)
    params["b_scale"] = rng.uniform(0.01, 0.2, 3).astype(np.float32)
    models = [
        (
            node_model(
                "QLinearMatMul",
                {"a": a},
                opset=10,
                initializers=params,
                node_inputs=names,
                input_shapes={"a": ["N", "M", 5]},
            ),
            {"a": a},
        ),
        (
            node_model(
                "MatMulInteger", {"a": a, "b": _ints(rng, np.int8, 5, 2)}, opset=10, initializers={"az": np.int8(-4)}
            ),
            {"a": a, "b": _ints(rng, np.int8, 5, 2)},
        ),
    ]
    x = _ints(rng, np.uint8, 2, 3, 6, 6)
    conv_params = {
        "x_scale": np.float32(0.02),
        "x_zero": np.asarray(np.uint8(128)),
        "w": _ints(rng, np.uint8, 4, 3, 3, 3),
        "w_scale": rng.uniform(0.005, 0.05, 4).astype(np.float32),
        "w_zero": np.asarray(np.uint8(100)),
        "y_scale": np.float32(0.4),
        "y_zero": np.asarray(np.uint8(100)),
        "B": rng.integers(-5000, 5000, 4).astype(np.int32),
    }
    models.append(
        (
            node_model(
                "QLinearConv",
                {"x": x},
                opset=10,
                attrs={"pads": [1, 1, 1, 1]},
                initializers=conv_params,
                input_shapes={"x": ["N", 3, "H", "W"]},
            ),
            {"x": x},
        )
    )
    conv_integer = {
        "w": _ints(rng, np.uint8, 4, 3, 2, 2),
        "x_zero": np.asarray(np.uint8(3)),
        "w_zero": np.asarray(np.uint8(250)),
    }
    models.append(
        (node_model("ConvInteger", {"x": x}, opset=10, attrs={"strides": [2, 2]}, initializers=conv_integer), {"x": x})
    )
    for model, feeds in models:
        compiled = infer.compile(model, target="c", cache_dir=cache)
        _assert_same(list(compiled.run(feeds).values()), run_onnxruntime(model, feeds))


# -- a small quantized model --------------------------------------------------------------------------


def quantized_model(rng: np.random.Generator) -> onnx.ModelProto:
    """Quantize -> QLinearConv (per-channel weights, bias) -> Reshape -> QLinearMatMul ->
    Dequantize, seeded weights, a dynamic batch."""
    from onnx import helper, numpy_helper

    def init(name: str, value: np.ndarray | np.generic) -> onnx.TensorProto:
        return numpy_helper.from_array(np.asarray(value), name)

    initializers = [
        init("x_scale", np.float32(0.05)),
        init("x_zero", np.uint8(128)),
        init("w", rng.integers(-127, 128, (8, 3, 3, 3)).astype(np.int8)),
        init("w_scale", rng.uniform(0.002, 0.01, 8).astype(np.float32)),
        init("w_zero", np.zeros(8, np.int8)),
        init("c_scale", np.float32(0.04)),
        init("c_zero", np.uint8(100)),
        init("bias", rng.integers(-2000, 2000, 8).astype(np.int32)),
        init("shape", np.array([-1, 128], np.int64)),
        init("m", rng.integers(0, 256, (128, 10)).astype(np.uint8)),
        init("m_scale", np.float32(0.003)),
        init("m_zero", np.uint8(120)),
        init("y_scale", np.float32(0.2)),
        init("y_zero", np.uint8(90)),
    ]
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zero"], ["xq"], name="quantize"),
        helper.make_node(
            "QLinearConv",
            ["xq", "x_scale", "x_zero", "w", "w_scale", "w_zero", "c_scale", "c_zero", "bias"],
            ["c"],
            name="conv",
            pads=[1, 1, 1, 1],
            strides=[2, 2],
        ),
        helper.make_node("Reshape", ["c", "shape"], ["flat"], name="flatten"),
        helper.make_node(
            "QLinearMatMul",
            ["flat", "c_scale", "c_zero", "m", "m_scale", "m_zero", "y_scale", "y_zero"],
            ["yq"],
            name="fc",
        ),
        helper.make_node("DequantizeLinear", ["yq", "y_scale", "y_zero"], ["y"], name="dequantize"),
    ]
    graph = helper.make_graph(
        nodes,
        "quantized",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


@pytest.mark.parametrize("target", ["interp", pytest.param("c", marks=needs_cc)])
def test_quantized_model_end_to_end(
    target: str, tmp_path_factory: pytest.TempPathFactory, rng: np.random.Generator
) -> None:
    model = quantized_model(rng)
    cache = str(tmp_path_factory.mktemp("c_cache"))
    compiled = infer.compile(model, target=target, cache_dir=cache)
    for batch in (1, 3):
        feeds = {"x": rng.standard_normal((batch, 3, 8, 8)).astype(np.float32) * 3}
        (expected,) = run_onnxruntime(model, feeds)
        (actual,) = compiled.run(feeds).values()
        assert len(np.unique(expected)) > expected.size // 3  # not saturated everywhere
        _assert_same([actual], [expected])
