"""Element types shared by every dialect: ONNX data types, xDSL types, numpy dtypes.

One table maps the three vocabularies onto each other so that the importer,
the verifiers, the interpreter and the C emitter agree on what `ui8` or `i1`
means. Signless integers (`i8` … `i64`) are signed; unsigned integers use
xDSL's unsigned types (`ui8` … `ui64`); ONNX `bool` is `i1`.

The narrow types numpy lacks (bfloat16, the float8, float6 and float4 types,
int4/uint4, int2/uint2) take their numpy dtypes from `ml_dtypes`. They are
stored one element per storage unit: two bytes for bfloat16, one byte for the
others (sub-byte integers sign-extended, as MLIR stores them). Arithmetic on
the narrow floats is defined as arithmetic in float32 rounded back to the
element type after each op (`compute_dtype`).
"""

from __future__ import annotations

from dataclasses import dataclass

import ml_dtypes
import numpy as np
from onnx import TensorProto
from xdsl.dialects.builtin import (
    BFloat16Type,
    ComplexType,
    Float4E2M1FNType,
    Float6E2M3FNType,
    Float6E3M2FNType,
    Float8E4M3FNType,
    Float8E4M3FNUZType,
    Float8E5M2FNUZType,
    Float8E5M2Type,
    Float8E8M0FNUType,
    Float16Type,
    Float32Type,
    Float64Type,
    IntegerType,
    Signedness,
    TensorType,
)
from xdsl.ir import Attribute


@dataclass(frozen=True)
class ElementType:
    """One element type, named in every vocabulary the project speaks."""

    onnx: int
    """`TensorProto.DataType` value."""
    onnx_name: str
    """The spelling used in ONNX type constraints: `float`, `int64`, `bool`."""
    mlir: Attribute
    numpy: np.dtype | None
    """None where no numpy dtype exists (complex types only have one in numpy)."""


def _int(width: int, signed: bool = True) -> IntegerType:
    return IntegerType(width, Signedness.SIGNLESS if signed else Signedness.UNSIGNED)


def _ml(scalar_type: type) -> np.dtype:
    """The numpy dtype of one of ml_dtypes' scalar types."""
    return np.dtype(scalar_type)


ELEMENT_TYPES: tuple[ElementType, ...] = (
    ElementType(TensorProto.FLOAT, "float", Float32Type(), np.dtype(np.float32)),
    ElementType(TensorProto.DOUBLE, "double", Float64Type(), np.dtype(np.float64)),
    ElementType(TensorProto.FLOAT16, "float16", Float16Type(), np.dtype(np.float16)),
    ElementType(TensorProto.BFLOAT16, "bfloat16", BFloat16Type(), _ml(ml_dtypes.bfloat16)),
    ElementType(TensorProto.INT8, "int8", _int(8), np.dtype(np.int8)),
    ElementType(TensorProto.INT16, "int16", _int(16), np.dtype(np.int16)),
    ElementType(TensorProto.INT32, "int32", _int(32), np.dtype(np.int32)),
    ElementType(TensorProto.INT64, "int64", _int(64), np.dtype(np.int64)),
    ElementType(TensorProto.UINT8, "uint8", _int(8, False), np.dtype(np.uint8)),
    ElementType(TensorProto.UINT16, "uint16", _int(16, False), np.dtype(np.uint16)),
    ElementType(TensorProto.UINT32, "uint32", _int(32, False), np.dtype(np.uint32)),
    ElementType(TensorProto.UINT64, "uint64", _int(64, False), np.dtype(np.uint64)),
    ElementType(TensorProto.BOOL, "bool", _int(1), np.dtype(np.bool_)),
    ElementType(TensorProto.COMPLEX64, "complex64", ComplexType(Float32Type()), np.dtype(np.complex64)),
    ElementType(TensorProto.COMPLEX128, "complex128", ComplexType(Float64Type()), np.dtype(np.complex128)),
    ElementType(TensorProto.FLOAT8E4M3FN, "float8e4m3fn", Float8E4M3FNType(), _ml(ml_dtypes.float8_e4m3fn)),
    ElementType(TensorProto.FLOAT8E4M3FNUZ, "float8e4m3fnuz", Float8E4M3FNUZType(), _ml(ml_dtypes.float8_e4m3fnuz)),
    ElementType(TensorProto.FLOAT8E5M2, "float8e5m2", Float8E5M2Type(), _ml(ml_dtypes.float8_e5m2)),
    ElementType(TensorProto.FLOAT8E5M2FNUZ, "float8e5m2fnuz", Float8E5M2FNUZType(), _ml(ml_dtypes.float8_e5m2fnuz)),
    ElementType(TensorProto.INT4, "int4", _int(4), _ml(ml_dtypes.int4)),
    ElementType(TensorProto.UINT4, "uint4", _int(4, False), _ml(ml_dtypes.uint4)),
    ElementType(TensorProto.INT2, "int2", _int(2), _ml(ml_dtypes.int2)),
    ElementType(TensorProto.UINT2, "uint2", _int(2, False), _ml(ml_dtypes.uint2)),
    ElementType(TensorProto.FLOAT4E2M1, "float4e2m1", Float4E2M1FNType(), _ml(ml_dtypes.float4_e2m1fn)),
    ElementType(TensorProto.FLOAT8E8M0, "float8e8m0", Float8E8M0FNUType(), _ml(ml_dtypes.float8_e8m0fnu)),
    ElementType(TensorProto.FLOAT6E2M3, "float6e2m3", Float6E2M3FNType(), _ml(ml_dtypes.float6_e2m3fn)),
    ElementType(TensorProto.FLOAT6E3M2, "float6e3m2", Float6E3M2FNType(), _ml(ml_dtypes.float6_e3m2fn)),
)

BY_ONNX: dict[int, ElementType] = {e.onnx: e for e in ELEMENT_TYPES}
BY_MLIR: dict[Attribute, ElementType] = {e.mlir: e for e in ELEMENT_TYPES}
BY_NUMPY: dict[np.dtype, ElementType] = {e.numpy: e for e in ELEMENT_TYPES if e.numpy is not None}


NARROW_FLOATS: frozenset[np.dtype] = frozenset(
    np.dtype(t)
    for t in (
        ml_dtypes.bfloat16,
        ml_dtypes.float8_e4m3fn,
        ml_dtypes.float8_e4m3fnuz,
        ml_dtypes.float8_e5m2,
        ml_dtypes.float8_e5m2fnuz,
        ml_dtypes.float8_e8m0fnu,
        ml_dtypes.float6_e2m3fn,
        ml_dtypes.float6_e3m2fn,
        ml_dtypes.float4_e2m1fn,
    )
)
"""The floats numpy lacks: ops compute on them in float32 and round back."""

NARROW_INTS: dict[np.dtype, tuple[int, bool]] = {
    _ml(ml_dtypes.int4): (4, True),
    _ml(ml_dtypes.uint4): (4, False),
    _ml(ml_dtypes.int2): (2, True),
    _ml(ml_dtypes.uint2): (2, False),
}
"""The sub-byte integers: bits and signedness."""


def is_narrow(dtype: np.dtype) -> bool:
    """Whether the dtype is one of ml_dtypes' (numpy's own ufuncs do not all accept them)."""
    return dtype in NARROW_FLOATS or dtype in NARROW_INTS


def is_float_dtype(dtype: np.dtype) -> bool:
    """Floating point, numpy's or a narrow one."""
    return dtype.kind == "f" or dtype in NARROW_FLOATS


def is_int_dtype(dtype: np.dtype) -> bool:
    """Integer (not bool), numpy's or a sub-byte one."""
    return dtype.kind in "iu" or dtype in NARROW_INTS


def int_range(dtype: np.dtype) -> tuple[int, int]:
    """The smallest and largest value of an integer dtype (sub-byte ones included)."""
    if dtype in NARROW_INTS:
        bits, signed = NARROW_INTS[dtype]
        return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


def compute_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype ops compute in: float32 for the narrow floats, else the dtype itself."""
    return np.dtype(np.float32) if dtype in NARROW_FLOATS else dtype


class UnsupportedElementType(ValueError):
    """An element type that one of the vocabularies cannot express."""


def from_onnx(data_type: int) -> Attribute:
    """The xDSL element type of an ONNX `TensorProto.DataType`."""
    if data_type not in BY_ONNX:
        name = TensorProto.DataType.Name(data_type) if data_type in TensorProto.DataType.values() else data_type
        raise UnsupportedElementType(f"ONNX element type {name} is not supported")
    return BY_ONNX[data_type].mlir


def to_numpy(element_type: Attribute) -> np.dtype:
    """The numpy dtype of an xDSL element type."""
    entry = BY_MLIR.get(element_type)
    if entry is None or entry.numpy is None:
        raise UnsupportedElementType(f"element type {element_type} has no numpy dtype")
    return entry.numpy


def from_numpy(dtype: np.dtype | type) -> Attribute:
    """The xDSL element type of a numpy dtype."""
    entry = BY_NUMPY.get(np.dtype(dtype))
    if entry is None:
        raise UnsupportedElementType(f"numpy dtype {np.dtype(dtype)} is not supported")
    return entry.mlir


def numpy_of_tensor(tensor_type: Attribute) -> np.dtype:
    """The numpy dtype of a tensor type's elements."""
    assert isinstance(tensor_type, TensorType)
    return to_numpy(tensor_type.element_type)
