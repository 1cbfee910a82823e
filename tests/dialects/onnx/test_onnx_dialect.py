"""The generated `onnx` dialect covers every ONNX operator and checks ops against their schema."""

from __future__ import annotations

import onnx
import onnx.defs
import pytest
from xdsl.dialects.builtin import FloatAttr, ModuleOp, NoneType, TensorType, f32
from xdsl.ir import Block, Region
from xdsl.utils.exceptions import VerifyException

from infer.dialects.onnx import OP_BY_NAME, NoValueOp, Onnx, opset_attr
from infer.dialects.onnx.base import SchemaViolation, canonical_domain
from infer.dialects.onnx.types import StringTensorAttr, onnx_type_string


def test_every_onnx_operator_has_an_op() -> None:
    schemas = onnx.defs.get_all_schemas_with_history()
    missing = {(s.domain, s.name) for s in schemas if (canonical_domain(s.domain), s.name) not in OP_BY_NAME}
    assert not missing
    assert len(OP_BY_NAME) == len({(s.domain, s.name) for s in schemas})
    assert {op.name for op in Onnx.operations} >= {"onnx.Conv", "onnx.ml.ZipMap", "onnx.preview.training.Adam"}


@pytest.mark.parametrize("name", ["Conv", "Resize", "LSTM", "Loop", "Split", "Clip"])
def test_operands_cover_every_version(name: str) -> None:
    op = OP_BY_NAME[("ai.onnx", name)]
    widest = max(len(s.inputs) for s in onnx.defs.get_all_schemas_with_history() if s.name == name and not s.domain)
    assert len(op.INPUTS) == widest


def _module(op_type: type, opset: int, operands: list, result_types: list, attributes: dict) -> tuple[ModuleOp, object]:
    block = Block(arg_types=[TensorType(f32, [2, 3])])
    none = NoValueOp()
    block.add_op(none)
    values = [block.args[0] if v == "x" else none.result for v in operands]
    op = op_type.create_from_flat(values, result_types, attributes)  # type: ignore[attr-defined]
    block.add_op(op)
    module = ModuleOp(Region(block))
    module.attributes["onnx.opset_import"] = opset_attr({"": opset})
    return module, op


def test_attribute_defaults_come_from_the_schema_at_the_module_opset() -> None:
    _, softmax_11 = _module(OP_BY_NAME[("ai.onnx", "Softmax")], 11, ["x"], [TensorType(f32, [2, 3])], {})
    _, softmax_13 = _module(OP_BY_NAME[("ai.onnx", "Softmax")], 13, ["x"], [TensorType(f32, [2, 3])], {})
    assert softmax_11.attr("axis") == 1  # type: ignore[attr-defined]
    assert softmax_13.attr("axis") == -1  # type: ignore[attr-defined]


def test_verify_schema_reports_op_and_opset() -> None:
    module, relu = _module(
        OP_BY_NAME[("ai.onnx", "LeakyRelu")], 16, ["x"], [TensorType(f32, [2, 3])], {"alpha": FloatAttr(0.1, f32)}
    )
    module.verify()
    relu.attributes["beta"] = FloatAttr(0.1, f32)  # type: ignore[attr-defined]
    with pytest.raises(SchemaViolation) as error:
        relu.verify_schema(16)  # type: ignore[attr-defined]
    assert error.value.where == "LeakyRelu at opset 16"
    assert error.value.detail == "unknown attribute 'beta'"
    with pytest.raises(VerifyException, match="LeakyRelu at opset 16: unknown attribute 'beta'"):
        module.verify()


def test_absent_optional_inputs_are_none() -> None:
    module, clip = _module(OP_BY_NAME[("ai.onnx", "Clip")], 13, ["x", "none", "none"], [TensorType(f32, [2, 3])], {})
    module.verify()
    assert clip.input(1) is None and clip.input(0) is not None  # type: ignore[attr-defined]
    assert isinstance(clip.operands[2].type, NoneType)  # type: ignore[attr-defined]


def test_string_tensor_attribute() -> None:
    attr = StringTensorAttr([b"a", b"\xff"], [2])
    assert attr.strings() == [b"a", b"\xff"]
    assert onnx_type_string(attr.get_type()) == "tensor(string)"
    with pytest.raises(VerifyException, match=r"has 2 values but its type tensor<3x!onnx\.string> needs 3"):
        StringTensorAttr([b"a", b"b"], [3])
