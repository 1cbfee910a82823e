"""Types of the `onnx` dialect for the values ONNX has beyond tensors.

ONNX values are tensors, sequences of values, optional values and maps. Tensors
use the builtin `tensor<…>` types (`tensor<*xf32>` when the rank is unknown);
the rest get types of their own:

    !onnx.string                          element type of string tensors
    !onnx.seq<tensor<?xf32>>              a sequence
    !onnx.opt<tensor<3xi64>>              an optional value
    !onnx.map<i64, tensor<*xf32>>         a map (ai.onnx.ml)

String tensors (string initializers, `Constant` values and tensor attributes
of string type) hold their bytes as they are, one byte string per element:

    #onnx.strings<["a", "b\\FF"] : tensor<2x!onnx.string>>
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xdsl.dialects.builtin import (
    ArrayAttr,
    BytesAttr,
    ComplexType,
    NoneType,
    TensorType,
    UnrankedTensorType,
)
from xdsl.ir import Attribute, ParametrizedAttribute, TypeAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from infer.dialects.dtypes import BY_MLIR


@irdl_attr_definition
class StringType(ParametrizedAttribute, TypeAttribute):
    """The element type of ONNX string tensors: `tensor<2x!onnx.string>`."""

    name = "onnx.string"


@irdl_attr_definition
class SequenceType(ParametrizedAttribute, TypeAttribute):
    """An ONNX sequence of values of one type: `!onnx.seq<tensor<?xf32>>`."""

    name = "onnx.seq"

    element_type: Attribute


@irdl_attr_definition
class OptionalType(ParametrizedAttribute, TypeAttribute):
    """An ONNX optional value: `!onnx.opt<tensor<3xi64>>`."""

    name = "onnx.opt"

    element_type: Attribute


@irdl_attr_definition
class MapType(ParametrizedAttribute, TypeAttribute):
    """An ONNX map from a key type to a value type: `!onnx.map<i64, tensor<*xf32>>`."""

    name = "onnx.map"

    key_type: Attribute
    value_type: Attribute


@irdl_attr_definition
class UnknownType(ParametrizedAttribute, TypeAttribute):
    """The type of a value that ONNX shape inference could not determine."""

    name = "onnx.unknown"


@irdl_attr_definition
class StringTensorAttr(ParametrizedAttribute):
    """The value of a string tensor: `#onnx.strings<["a", "b"] : tensor<2x!onnx.string>>`.

    Elements are byte strings, as ONNX stores them (usually, not necessarily, UTF-8).
    """

    name = "onnx.strings"

    values: ArrayAttr[BytesAttr]
    type: TensorType

    def __init__(self, values: Sequence[bytes], shape: Sequence[int]) -> None:
        super().__init__(ArrayAttr([BytesAttr(v) for v in values]), TensorType(StringType(), shape))

    def get_type(self) -> TensorType:
        return self.type

    def strings(self) -> list[bytes]:
        return [v.data for v in self.values.data]

    def verify(self) -> None:
        if not isinstance(self.type.element_type, StringType):
            raise VerifyException(f"#onnx.strings needs a tensor of !onnx.string, got {self.type}")
        shape = self.type.get_shape()
        if any(d < 0 for d in shape):
            raise VerifyException(f"#onnx.strings needs a static shape, got {self.type}")
        if math.prod(shape) != len(self.values.data):
            raise VerifyException(
                f"#onnx.strings has {len(self.values.data)} values but its type {self.type} needs {math.prod(shape)}"
            )

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        parser.parse_punctuation("<", " in #onnx.strings")
        values = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, lambda: _parse_bytes(parser))
        parser.parse_punctuation(":", " in #onnx.strings")
        type = parser.parse_type()
        parser.parse_punctuation(">", " at the end of #onnx.strings")
        return [ArrayAttr([BytesAttr(v) for v in values]), type]

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            with printer.in_square_brackets():
                printer.print_list(self.values.data, lambda v: printer.print_bytes_literal(v.data))
            printer.print_string(" : ")
            printer.print_attribute(self.type)


def _parse_bytes(parser: AttrParser) -> bytes:
    """A string literal as bytes (the lexer tells valid UTF-8 from other bytes)."""
    text = parser.parse_optional_str_literal()
    if text is not None:
        return text.encode("utf-8")
    return parser.parse_bytes_literal(" in #onnx.strings")


def element_type_name(element: Attribute) -> str | None:
    """ONNX's spelling of an element type (`float`, `int64`, `string`), if it has one."""
    if isinstance(element, StringType):
        return "string"
    entry = BY_MLIR.get(element)
    if entry is not None:
        return entry.onnx_name
    if isinstance(element, ComplexType):
        return None
    return None


def onnx_type_string(t: Attribute) -> str | None:
    """The ONNX type-constraint spelling of a value type, e.g. `tensor(float)`,
    `seq(tensor(int64))`; None for `none` and for types ONNX cannot name."""
    if isinstance(t, NoneType):
        return None
    if isinstance(t, TensorType | UnrankedTensorType):
        name = element_type_name(t.element_type)
        return None if name is None else f"tensor({name})"
    if isinstance(t, SequenceType):
        inner = onnx_type_string(t.element_type)
        return None if inner is None else f"seq({inner})"
    if isinstance(t, OptionalType):
        inner = onnx_type_string(t.element_type)
        return None if inner is None else f"optional({inner})"
    if isinstance(t, MapType):
        # ONNX writes a map's tensor values by their element type: `map(string, float)`.
        key = element_type_name(t.key_type)
        value_type = t.value_type
        if isinstance(value_type, TensorType | UnrankedTensorType):
            value = element_type_name(value_type.element_type)
        else:
            value = onnx_type_string(value_type)
        return None if key is None or value is None else f"map({key}, {value})"
    return None


ONNX_TYPES: list[type[Attribute]] = [StringType, SequenceType, OptionalType, MapType, UnknownType, StringTensorAttr]
