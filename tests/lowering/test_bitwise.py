"""BitShift, BitwiseAnd/Or/Xor/Not through convert-onnx-to-infer, against onnxruntime
(onnx's reference evaluator for BitShift-28, which onnxruntime lacks); broadcasting,
dynamic dims, shift amounts at and beyond the bit width."""

from __future__ import annotations

import numpy as np
import pytest
from onnx.reference import ReferenceEvaluator
from onnx_models import node_model, run_infer, run_onnxruntime

import infer

UNSIGNED = [np.uint8, np.uint16, np.uint32, np.uint64]
SIGNED = [np.int8, np.int16, np.int32, np.int64]


def _ints(rng: np.random.Generator, dtype: type, *shape: int) -> np.ndarray:
    info = np.iinfo(dtype)
    values = rng.integers(info.min, info.max, shape, endpoint=True, dtype=dtype)
    values.flat[:3] = [info.min, info.max, 0]
    return values


def _same(actual: list[np.ndarray], expected: list[np.ndarray]) -> None:
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected, strict=True):
        assert a.dtype == e.dtype and a.shape == e.shape
        np.testing.assert_array_equal(a, e)


@pytest.mark.parametrize("op", ["BitwiseAnd", "BitwiseOr", "BitwiseXor"])
@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint64])
def test_bitwise_binary(op: str, dtype: type, rng: np.random.Generator) -> None:
    a, b = _ints(rng, dtype, 2, 3, 4), _ints(rng, dtype, 3, 1)  # b broadcasts (fewer dims, a dim of 1)
    model = node_model(op, {"a": a, "b": b}, opset=18, input_shapes={"a": ["N", 3, "W"]})
    _same(run_infer(model, {"a": a, "b": b}), run_onnxruntime(model, {"a": a, "b": b}))
    _same(run_infer(model, {"a": a[:1, :, :2], "b": b}), run_onnxruntime(model, {"a": a[:1, :, :2], "b": b}))


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint8, np.uint16, np.uint64])
def test_bitwise_not(dtype: type, rng: np.random.Generator) -> None:
    x = _ints(rng, dtype, 3, 5)
    model = node_model("BitwiseNot", {"x": x}, opset=18, input_shapes={"x": [None, 5]})
    _same(run_infer(model, {"x": x}), run_onnxruntime(model, {"x": x}))


@pytest.mark.parametrize("direction", ["LEFT", "RIGHT"])
@pytest.mark.parametrize("dtype", UNSIGNED)
def test_bit_shift_11(direction: str, dtype: type, rng: np.random.Generator) -> None:
    bits = np.dtype(dtype).itemsize * 8
    x = _ints(rng, dtype, 4, 6)
    amounts = np.array([0, 1, 3, bits - 1, bits // 2, 2], dtype)  # within the width (version 11 leaves the rest open)
    model = node_model("BitShift", {"x": x, "s": amounts}, opset=11, attrs={"direction": direction})
    _same(run_infer(model, {"x": x, "s": amounts}), run_onnxruntime(model, {"x": x, "s": amounts}))


@pytest.mark.parametrize("direction", ["LEFT", "RIGHT"])
@pytest.mark.parametrize("dtype", SIGNED + UNSIGNED)
def test_bit_shift_28(direction: str, dtype: type, rng: np.random.Generator) -> None:
    bits = np.dtype(dtype).itemsize * 8
    x = _ints(rng, dtype, 3, 8)
    amounts = [0, 1, bits - 1, bits, bits + 3, 5, 2, 3]
    if np.issubdtype(dtype, np.signedinteger):
        amounts[5:7] = [-1, -bits]  # negative amounts shift every bit out
    model = node_model(
        "BitShift", {"x": x}, opset=28, attrs={"direction": direction}, initializers={"s": np.array(amounts, dtype)}
    )
    (expected,) = ReferenceEvaluator(model).run(None, {"x": x})
    _same(run_infer(model, {"x": x}), [expected])


def test_bit_shift_direction_is_a_diagnostic(rng: np.random.Generator) -> None:
    x = _ints(rng, np.uint8, 4)
    model = node_model("BitShift", {"x": x, "s": x}, opset=11, attrs={"direction": "UP"})
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    message = str(info.value)
    assert "\n" not in message
    for part in ("bitshift_node", "BitShift", "opset 11", "direction", "LEFT or RIGHT"):
        assert part in message, message
