"""Element types as the emitted C spells them, and C literals of constants.

Signless integers (`i8` … `i64`) are stored as `intN_t`, unsigned ones (`ui8`
… `ui64`) as `uintN_t`, `i1` as `bool`, `index` as `int64_t`, `f16` as
`infer_f16` (gcc's `_Float16`: arithmetic on it is done in `float` and rounded
back after every op, as numpy does), `f32` as `float`, `f64` as `double`.

The narrow floats (`bf16`, `f8E4M3FN`, `f8E4M3FNUZ`, `f8E5M2`, `f8E5M2FNUZ`,
`f8E8M0FNU`, `f4E2M1FN`) are stored as their bits (`uint16_t`, `uint8_t`,
kind `narrow`): the only loop-level ops on them are loads, stores, selects,
constants (their bits) and the conversions `arith.extf` / `arith.truncf` to and
from the wider floats, which call the runtime's `infer_<fmt>_to_f32` and
`infer_<fmt>_from_f64`. The sub-byte integers (`i4`, `ui4`, `i2`, `ui2`) take
one `int8_t` / `uint8_t` each (signed ones sign-extended) and wrap modulo 2^bits.
The dtype codes are ONNX's `TensorProto.DataType` values, as in `model.h`.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import (
    BFloat16Type,
    Float4E2M1FNType,
    Float8E4M3FNType,
    Float8E4M3FNUZType,
    Float8E5M2FNUZType,
    Float8E5M2Type,
    Float8E8M0FNUType,
    Float16Type,
    Float32Type,
    Float64Type,
    IndexType,
    IntegerType,
    Signedness,
)
from xdsl.ir import Attribute

from infer.diagnostics import UnsupportedError


@dataclass(frozen=True)
class CType:
    """One scalar type of the loop-level IR, as C stores and computes it."""

    name: str
    """The C spelling of the storage type."""
    kind: str
    """`float`, `int` (signless: stored signed), `uint` (stored unsigned), `bool` (i1) or `index`."""
    bits: int
    size: int
    """Bytes one element takes in memory."""
    dtype: int
    """ONNX `TensorProto.DataType` code (the dtype of a tensor descriptor)."""
    fmt: str = ""
    """For the narrow floats: the name of the runtime's conversions (`bf16`, `f8e4m3fn`, ...)."""

    @property
    def is_narrow(self) -> bool:
        return self.kind == "narrow"

    @property
    def storage_bits(self) -> int:
        """Bits of the C type holding one element (8 for the sub-byte integers)."""
        return self.size * 8

    @property
    def is_float(self) -> bool:
        return self.kind == "float"

    @property
    def is_f16(self) -> bool:
        return self.kind == "float" and self.bits == 16

    @property
    def compute(self) -> str:
        """The C type arithmetic is done in: `float` for f16, the type itself otherwise."""
        return "float" if self.is_f16 else self.name

    @property
    def signed_name(self) -> str:
        """The signed C type of the same width (`int32_t` for i1, whose true is -1)."""
        if self.kind == "bool":
            return "int32_t"
        return f"int{self.storage_bits}_t"

    @property
    def unsigned_name(self) -> str:
        if self.kind == "bool":
            return "uint32_t"
        return f"uint{self.storage_bits}_t"

    @property
    def wide_unsigned(self) -> str:
        """The unsigned type wrapping arithmetic is done in (never promoted to `int`)."""
        return "uint64_t" if self.bits > 32 else "uint32_t"

    @property
    def min_value(self) -> int:
        """The smallest value in the signed interpretation (-1 for i1)."""
        return -(1 << (self.bits - 1))

    @property
    def max_value(self) -> int:
        return (1 << (self.bits - 1)) - 1

    @property
    def umax_value(self) -> int:
        return (1 << self.bits) - 1

    def signed(self, x: str) -> str:
        """`x` read as a signed integer."""
        if self.kind == "bool":
            return f"(-(int32_t){x})"
        if self.kind in ("int", "index"):
            return x
        return f"({self.signed_name}){x}"

    def unsigned(self, x: str) -> str:
        """`x` read as an unsigned integer."""
        if self.kind == "bool":
            return f"(uint32_t){x}"
        if self.kind == "uint":
            return x
        return f"({self.unsigned_name}){x}"

    def wrap(self, x: str) -> str:
        """Brings an integer expression (any width) back to this type, modulo 2^bits."""
        if self.kind == "bool":
            return f"(bool)(({x}) & 1u)"
        if self.bits < self.storage_bits:
            mask = (1 << self.bits) - 1
            if self.kind == "uint":
                return f"({self.name})(({x}) & {mask}u)"
            # Sign-extend the low bits: shift them to the top of the byte and back.
            shift = self.storage_bits - self.bits
            return f"({self.name})((int8_t)(uint8_t)((uint32_t)({x}) << {shift}) >> {shift})"
        return f"({self.name})({x})"


F16 = CType("infer_f16", "float", 16, 2, 10)
F32 = CType("float", "float", 32, 4, 1)
F64 = CType("double", "float", 64, 8, 11)
BOOL = CType("bool", "bool", 1, 1, 9)
INDEX = CType("int64_t", "index", 64, 8, 7)
SIGNED = {
    8: CType("int8_t", "int", 8, 1, 3),
    16: CType("int16_t", "int", 16, 2, 5),
    32: CType("int32_t", "int", 32, 4, 6),
    64: CType("int64_t", "int", 64, 8, 7),
}
UNSIGNED = {
    8: CType("uint8_t", "uint", 8, 1, 2),
    16: CType("uint16_t", "uint", 16, 2, 4),
    32: CType("uint32_t", "uint", 32, 4, 12),
    64: CType("uint64_t", "uint", 64, 8, 13),
}
BF16 = CType("uint16_t", "narrow", 16, 2, 16, "bf16")
NARROW_FLOATS: dict[type[Attribute], CType] = {
    BFloat16Type: BF16,
    Float8E4M3FNType: CType("uint8_t", "narrow", 8, 1, 17, "f8e4m3fn"),
    Float8E4M3FNUZType: CType("uint8_t", "narrow", 8, 1, 18, "f8e4m3fnuz"),
    Float8E5M2Type: CType("uint8_t", "narrow", 8, 1, 19, "f8e5m2"),
    Float8E5M2FNUZType: CType("uint8_t", "narrow", 8, 1, 20, "f8e5m2fnuz"),
    Float8E8M0FNUType: CType("uint8_t", "narrow", 8, 1, 24, "e8m0"),
    Float4E2M1FNType: CType("uint8_t", "narrow", 4, 1, 23, "f4e2m1fn"),
}
SUB_BYTE = {
    (4, True): CType("int8_t", "int", 4, 1, 22),
    (4, False): CType("uint8_t", "uint", 4, 1, 21),
    (2, True): CType("int8_t", "int", 2, 1, 26),
    (2, False): CType("uint8_t", "uint", 2, 1, 25),
}
BY_DTYPE_NAME = {
    "float16": F16,
    "float32": F32,
    "float64": F64,
    "bool": BOOL,
    **{f"int{b}": t for b, t in SIGNED.items()},
    **{f"uint{b}": t for b, t in UNSIGNED.items()},
    "bfloat16": BF16,
    "float8_e4m3fn": NARROW_FLOATS[Float8E4M3FNType],
    "float8_e4m3fnuz": NARROW_FLOATS[Float8E4M3FNUZType],
    "float8_e5m2": NARROW_FLOATS[Float8E5M2Type],
    "float8_e5m2fnuz": NARROW_FLOATS[Float8E5M2FNUZType],
    "float8_e8m0fnu": NARROW_FLOATS[Float8E8M0FNUType],
    "float4_e2m1fn": NARROW_FLOATS[Float4E2M1FNType],
    "int4": SUB_BYTE[(4, True)],
    "uint4": SUB_BYTE[(4, False)],
    "int2": SUB_BYTE[(2, True)],
    "uint2": SUB_BYTE[(2, False)],
}
"""The C type of each numpy dtype name (ml_dtypes' names for the narrow types)."""


def ctype_of(t: Attribute) -> CType:
    """The C type of a scalar type of the loop-level IR."""
    if isinstance(t, IndexType):
        return INDEX
    if isinstance(t, Float32Type):
        return F32
    if isinstance(t, Float64Type):
        return F64
    if isinstance(t, Float16Type):
        return F16
    if type(t) in NARROW_FLOATS:
        return NARROW_FLOATS[type(t)]
    if isinstance(t, IntegerType):
        width = t.width.data
        if width == 1 and t.signedness.data != Signedness.UNSIGNED:
            return BOOL
        if (width, t.signedness.data != Signedness.UNSIGNED) in SUB_BYTE:
            return SUB_BYTE[(width, t.signedness.data != Signedness.UNSIGNED)]
        table = UNSIGNED if t.signedness.data == Signedness.UNSIGNED else SIGNED
        if width in table:
            return table[width]
    raise UnsupportedError(
        f"element type {t} has no C type",
        hint="the C target supports f16, f32, f64, bf16, f8E4M3FN, f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ, f8E8M0FNU, "
        "f4E2M1FN, i1, i2, i4, i8-i64, ui2, ui4, ui8-ui64 and index",
    )


def _int_literal(value: int, t: CType) -> str:
    if t.kind == "bool":
        return "true" if value & 1 else "false"
    bits = t.bits
    value &= (1 << bits) - 1
    if t.kind == "uint":
        suffix = "u" if bits <= 32 else ""
        if bits == 64 and value > 0xFFFFFFFF:
            return f"UINT64_C({value})"
        return f"{value}{suffix}"
    if value >> (bits - 1):
        value -= 1 << bits
    if value == -(1 << 63):
        return "INT64_MIN"
    if value == -(1 << 31) and bits == 32:
        return "INT32_MIN"
    if -(1 << 31) < value < (1 << 31):
        return str(value)
    return f"INT64_C({value})"


def _float_literal(value: float, t: CType) -> str:
    if t.bits == 64:
        if math.isnan(value):
            (bits,) = struct.unpack("<Q", struct.pack("<d", value))
            return f"infer_f64_from_bits(UINT64_C(0x{bits:016X}))"
        if math.isinf(value):
            return "INFINITY" if value > 0 else "-INFINITY"
        return repr(float(value))
    narrow = np.float16(value) if t.bits == 16 else np.float32(value)
    if math.isnan(value):
        text = f"infer_f32_from_bits(0x{int(np.float32(value).view(np.uint32)):08X}u)"
    elif math.isinf(value):
        text = "INFINITY" if value > 0 else "-INFINITY"
    else:
        # An f16 value is exactly a float: its shortest float spelling is exact.
        text = f"{np.float32(narrow)!s}f"
    return f"(infer_f16){text}" if t.is_f16 else text


def narrow_bits(value: float, t: CType) -> int:
    """The storage bits of `value` rounded to the narrow float type `t` (to nearest even)."""
    from infer.dialects.dtypes import BY_ONNX

    dtype = BY_ONNX[t.dtype].numpy
    assert dtype is not None
    with np.errstate(all="ignore"):
        narrow = np.array([value], np.float64).astype(dtype)
    return int(narrow.view(np.uint16 if t.size == 2 else np.uint8)[0])


def literal(value: int | float, t: CType) -> str:
    """A C literal of `value` as type `t` (floats bit-exact, integers modulo 2^bits,
    narrow floats as their storage bits)."""
    if t.is_narrow:
        bits = narrow_bits(float(value), t)
        return f"({t.name})0x{bits:0{t.size * 2}X}u"
    if t.is_float:
        return _float_literal(float(value), t)
    return _int_literal(int(value), t)
