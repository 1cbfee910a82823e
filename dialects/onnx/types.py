"""Types of the `onnx` dialect for the values ONNX has beyond tensors.

ONNX values are tensors, sequences of values, optional values and maps. Tensors
use the builtin `tensor<…>` types (`tensor<*xf32>` when the rank is unknown);
the rest get types of their own:

    !onnx.string                          element type of string tensors
    !onnx.seq<tensor<?xf32>>              a sequence
    !onnx.opt<tensor<3xi64>>              an optional value
    !onnx.map<i64, tensor<*xf32>>         a map (ai.onnx.ml)
"""

from __future__ import annotations

from xdsl.dialects.builtin import (
    ComplexType,
    NoneType,
    TensorType,
    UnrankedTensorType,
)
from xdsl.ir import Attribute, ParametrizedAttribute, TypeAttribute
from xdsl.irdl import irdl_attr_definition

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
        key = element_type_name(t.key_type)
        value = onnx_type_string(t.value_type)
        return None if key is None or value is None else f"map({key}, {value})"
    return None


ONNX_TYPES: list[type[Attribute]] = [StringType, SequenceType, OptionalType, MapType, UnknownType]
