"""`infer.constant` and `infer.fill`: values known at compile time, and constant fills.

A constant holds its value as a dense attribute built from numpy bytes. A
*splat* (every element equal) keeps one element, whatever the shape, so a
100 MB fill costs 4 bytes until something needs its bytes.

    %w = infer.constant dense<"0x3F800000..."> : tensor<64x3x7x7xf32>
    %b = infer.constant splat<2.000000e-02> : tensor<64x3x7x7xf32>
    %e = infer.constant dense_resource<__elided__> : tensor<64x3x7x7xf32>   // printed without its bytes

`infer.fill` makes a tensor of one value whose shape is a run-time operand
(ONNX ConstantOfShape):

    %f = infer.fill %shape {value = 0.0 : f32} : (tensor<4xi64>) -> tensor<?x?x?x?xf32>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from xdsl.dialects.builtin import (
    AnyFloat,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    TensorType,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import base, irdl_op_definition, operand_def, prop_def, result_def, traits_def
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import ConstantLike, Pure
from xdsl.utils.exceptions import VerifyException

from infer.dialects.constants import dense_to_numpy, is_elided, numpy_to_dense
from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import InferOp, ShapeError, dims_of, tensor_type


@irdl_op_definition
class ConstantOp(InferOp):
    """A tensor known at compile time; a one-element value is a splat of the result shape."""

    name = "infer.constant"
    value = prop_def(base(DenseIntOrFPElementsAttr) | base(DenseResourceAttr))
    result = result_def(TensorType)
    traits = traits_def(Pure(), ConstantLike())

    def __init__(self, value: np.ndarray | DenseIntOrFPElementsAttr, result_type: TensorType | None = None) -> None:
        attr = value if isinstance(value, DenseIntOrFPElementsAttr) else numpy_to_dense(np.asarray(value))
        super().__init__(properties={"value": attr}, result_types=[result_type or attr.type])

    @staticmethod
    def splat(value: float | int | np.generic, result_type: TensorType) -> ConstantOp:
        """A constant of `result_type` whose every element is `value`."""
        dtype = to_numpy(result_type.element_type)
        scalar = numpy_to_dense(np.asarray(value, dtype=dtype).reshape(()))
        return ConstantOp(scalar, result_type)

    @property
    def is_splat(self) -> bool:
        """True when the value is one element broadcast to the result shape."""
        value = self.value
        if not isinstance(value, DenseIntOrFPElementsAttr):
            return False
        t = self.result.type
        assert isinstance(t, TensorType)
        value_type = value.type
        assert isinstance(value_type, TensorType)
        return value_type.element_count() == 1 and t.element_count() != 1

    def to_numpy(self) -> np.ndarray:
        """The value as a read-only numpy array of the result's shape (no copy; a
        splat is a broadcast view)."""
        value = self.value
        if is_elided(value) or not isinstance(value, DenseIntOrFPElementsAttr):
            raise ValueError("the constant's bytes were elided when it was printed; print with --print-constants")
        array = dense_to_numpy(value)
        t = self.result.type
        assert isinstance(t, TensorType)
        shape = tuple(t.get_shape())
        return array if array.shape == shape else np.broadcast_to(array.reshape(-1)[0], shape)

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        value = properties["value"]
        assert isinstance(value, DenseIntOrFPElementsAttr | DenseResourceAttr)
        return [value.type]

    def verify_(self) -> None:
        t = self.result.type
        assert isinstance(t, TensorType)
        if not t.has_static_shape():
            raise VerifyException("infer.constant must have a static shape")
        value = self.value
        if value.type == t:
            return
        if isinstance(value, DenseIntOrFPElementsAttr) and isinstance(value.type, TensorType):
            if value.type.element_type != t.element_type:
                raise VerifyException(f"value has element type {value.type.element_type}, result {t.element_type}")
            if value.type.element_count() == 1:
                return
        raise VerifyException(f"value of type {value.type} does not fit result type {t}")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        if self.is_splat:
            assert isinstance(self.value, DenseIntOrFPElementsAttr)
            printer.print_string("splat<")
            scalar = self.to_numpy().reshape(-1)[0].item()
            self.value._print_one_elem(scalar, printer)  # pyright: ignore[reportPrivateUsage]
            printer.print_string("> : ")
            printer.print_attribute(self.result.type)
        elif isinstance(self.value, DenseIntOrFPElementsAttr) and self.value.type != self.result.type:
            # One element stored for a one-element result of another shape.
            printer.print_attribute(DenseIntOrFPElementsAttr(self.result.type, self.value.data))  # type: ignore[arg-type]
        else:
            printer.print_attribute(self.value)
        if self.attributes:
            printer.print_op_attributes(self.attributes)

    @classmethod
    def parse(cls, parser: Parser) -> ConstantOp:
        if parser.parse_optional_keyword("splat") is not None:
            parser.parse_punctuation("<")
            boolean = parser.parse_optional_boolean()
            number = int(boolean) if boolean is not None else parser.parse_number()
            parser.parse_punctuation(">")
            parser.parse_punctuation(":")
            t = parser.parse_type()
            if not isinstance(t, TensorType):
                parser.raise_error("infer.constant splat needs a tensor type")
            op = ConstantOp.splat(number, t)
        else:
            value = parser.parse_attribute()
            if not isinstance(value, DenseIntOrFPElementsAttr | DenseResourceAttr):
                parser.raise_error("infer.constant expects a dense attribute or splat<...>")
            op = cls.create(properties={"value": value}, result_types=[value.type])
        op.attributes |= parser.parse_optional_attr_dict()
        return op


def constant_value(value: SSAValue) -> np.ndarray | None:
    """The numpy value of an SSA value produced by `infer.constant`, else None."""
    owner = value.owner
    if isinstance(owner, ConstantOp) and not is_elided(owner.value):
        return owner.to_numpy()
    return None


@irdl_op_definition
class FillOp(InferOp):
    """A tensor of shape `shape` (a 1-D i64 tensor) with every element `value`."""

    name = "infer.fill"
    shape = operand_def(TensorType)
    value = prop_def(base(FloatAttr) | base(IntegerAttr))
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$shape attr-dict `:` functional-type(operands, results)"

    def __init__(self, shape: SSAValue, value: FloatAttr | IntegerAttr, result_type: TensorType | None = None) -> None:
        self._build([shape], {"value": value}, None if result_type is None else [result_type])

    @classmethod
    def shape_rule(cls, operand_types: Sequence[Attribute], properties: Mapping[str, Attribute]) -> list[Attribute]:
        shape_dims = dims_of(operand_types[0])
        if len(shape_dims) != 1 or shape_dims[0] is None:
            raise ShapeError("infer.fill needs a 1-D shape operand of static length")
        value = properties["value"]
        assert isinstance(value, FloatAttr | IntegerAttr)
        element = value.type
        if not isinstance(element, AnyFloat | IntegerType):
            raise ShapeError(f"infer.fill value has unsupported type {element}")
        return [tensor_type(element, [None] * shape_dims[0])]
