"""infer.constant prints and parses back in each of its forms, from bytes, without copies."""

import numpy as np
import pytest
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType, f32, i64
from xdsl.ir import Block, Region

import infer
from infer.dialects.infer import ConstantOp


def _round_trip(op: ConstantOp) -> ConstantOp:
    block = Block([op, func.ReturnOp(op.result)])
    module = ModuleOp([func.FuncOp("f", ([], [op.result.type]), Region(block))])
    text = infer.print_ir(module, constants=True)
    parsed = infer.parse_ir(text)
    (constant,) = [o for o in parsed.walk() if isinstance(o, ConstantOp)]
    assert infer.print_ir(parsed, constants=True) == text
    return constant


@pytest.mark.parametrize("shape", [[1, 1, 1], [], [64, 3, 7, 7]])
def test_splat_keeps_one_element(shape: list[int]) -> None:
    op = ConstantOp.splat(0.02, TensorType(f32, shape))
    assert len(op.value.data.data) == 4
    parsed = _round_trip(op)
    assert parsed.result.type == TensorType(f32, shape)
    np.testing.assert_array_equal(parsed.to_numpy(), np.full(shape, 0.02, np.float32))


def test_dense_round_trips_bit_exactly() -> None:
    values = np.random.default_rng(0).standard_normal((3, 50)).astype(np.float32)
    values[0, 0] = np.nan
    values[0, 1] = -0.0
    parsed = _round_trip(ConstantOp(values))
    np.testing.assert_array_equal(parsed.to_numpy().view(np.int32), values.view(np.int32))


def test_to_numpy_is_a_view_of_the_bytes() -> None:
    op = ConstantOp(np.arange(6, dtype=np.int64).reshape(2, 3))
    assert op.result.type == TensorType(i64, [2, 3])
    array = op.to_numpy()
    assert not array.flags.writeable and not array.flags.owndata


def test_boolean_splat_round_trips() -> None:
    from xdsl.dialects.builtin import i1

    parsed = _round_trip(ConstantOp.splat(True, TensorType(i1, [2, 3])))
    np.testing.assert_array_equal(parsed.to_numpy(), np.ones((2, 3), bool))


def test_bfloat16_constant_prints() -> None:
    from xdsl.dialects.builtin import BFloat16Type, BytesAttr, DenseIntOrFPElementsAttr

    data = BytesAttr(np.array([0x3F80, 0x4000], np.uint16).tobytes())  # 1.0, 2.0
    op = ConstantOp(DenseIntOrFPElementsAttr(TensorType(BFloat16Type(), [2]), data))
    assert not op.is_splat
    assert "infer.constant" in str(op)
