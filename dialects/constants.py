"""Weights as bulk data: dense attributes built from and read as numpy bytes.

A model's weights never pass through Python lists. `numpy_to_dense` wraps an
array's bytes in a `DenseIntOrFPElementsAttr` and `bytes_to_dense` wraps bytes
that are already laid out as the element type stores them (little-endian, C
order, one storage unit per element: a byte for `i4` or `f8E4M3FN`, two for
`bf16`); `dense_to_numpy` gives a read-only numpy view of those bytes without
copying.

`ConstantPrinter` prints dense attributes from their bytes and elides large
ones as `dense_resource<__elided__>`, the spelling MLIR uses, unless asked to
print them in full. A full print parses back bit for bit: values that xDSL's
decimal syntax cannot carry exactly (NaN payloads, infinities, booleans stored
as 0x01, the narrow types of ml_dtypes) and every constant of more than 100
elements print as hex, `dense<"0x0000803F...">`; a splat prints as one value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import (
    BytesAttr,
    ComplexType,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    TensorType,
)
from xdsl.ir import Attribute
from xdsl.printer import Printer

from infer.dialects.dtypes import BY_MLIR, NARROW_INTS, from_numpy, is_narrow, to_numpy

ELIDED_RESOURCE = "__elided__"

DEFAULT_ELIDE_LIMIT = 16
"""Dense attributes with more elements than this print elided by default."""

DECIMAL_LIMIT = 100
"""A full print writes at most this many elements as decimals; larger constants print as hex."""

_HEX_CHUNK = 1 << 20


def element_size(element_type: Attribute) -> int:
    """Bytes one element takes in a dense attribute (xDSL's storage size)."""
    size = getattr(element_type, "compile_time_size", None)
    if not isinstance(size, int) or size <= 0:
        raise ValueError(f"element type {element_type} has no storage size")
    return size


def numpy_to_dense(array: np.ndarray, tensor_type: TensorType | None = None) -> DenseIntOrFPElementsAttr:
    """A dense attribute holding `array`'s bytes (little-endian, C order)."""
    array = np.asarray(array)
    if tensor_type is None:
        tensor_type = TensorType(from_numpy(array.dtype), array.shape)
    dtype = to_numpy(tensor_type.element_type)
    data = np.ascontiguousarray(array, dtype=dtype.newbyteorder("<"))
    if dtype in NARROW_INTS and NARROW_INTS[dtype][1]:
        # ml_dtypes keeps a signed sub-byte value in the low bits; MLIR sign-extends it.
        data = data.astype(np.int8)
    return DenseIntOrFPElementsAttr(tensor_type, BytesAttr(data.tobytes()))  # type: ignore[arg-type]


def bytes_to_dense(data: bytes, tensor_type: TensorType) -> DenseIntOrFPElementsAttr:
    """A dense attribute over `data` as it is (no copy); its size must match the type."""
    expected = math.prod(tensor_type.get_shape()) * element_size(tensor_type.element_type)
    if len(data) != expected:
        raise ValueError(f"{len(data)} bytes do not fill {tensor_type} ({expected} bytes)")
    return DenseIntOrFPElementsAttr(tensor_type, BytesAttr(data))  # type: ignore[arg-type]


def dense_to_numpy(attr: DenseIntOrFPElementsAttr) -> np.ndarray:
    """A read-only view of a dense attribute's bytes as a numpy array (no copy)."""
    tensor_type = attr.type
    assert isinstance(tensor_type, TensorType)
    dtype = to_numpy(tensor_type.element_type).newbyteorder("<")
    shape = tuple(tensor_type.get_shape())
    flat = np.frombuffer(attr.data.data, dtype=dtype)
    if flat.size == 1 and int(np.prod(shape)) != 1:
        return np.broadcast_to(flat.reshape(()), shape)
    return flat.reshape(shape)


def is_elided(attr: Attribute) -> bool:
    """True for a constant whose bytes were dropped when it was printed."""
    return isinstance(attr, DenseResourceAttr) and attr.resource_handle.data == ELIDED_RESOURCE


def _elements(data: bytes, size: int) -> np.ndarray:
    """The bytes as one row per element."""
    return np.frombuffer(data, dtype=np.uint8).reshape(-1, size)


def _is_splat(rows: np.ndarray) -> bool:
    """Bitwise: every element has the bytes of the first (cheap for typical weights,
    which differ at their first or last element already)."""
    if len(rows) <= 1:
        return True
    first = rows[0]
    if not (np.array_equal(rows[-1], first) and np.array_equal(rows[len(rows) // 2], first)):
        return False
    return bool((rows == first).all())


def _decimal_safe(attr: DenseIntOrFPElementsAttr) -> bool:
    """Whether xDSL's decimal syntax gives back exactly these bytes: numpy knows the
    type, floats are finite (xDSL reads `0x7FC00000` in a list as an integer) and
    booleans are stored as xDSL stores them."""
    entry = BY_MLIR.get(attr.get_element_type())
    if entry is None or entry.numpy is None or is_narrow(entry.numpy):
        return False
    if entry.numpy.kind in "fc":
        return bool(np.isfinite(np.frombuffer(attr.data.data, dtype=entry.numpy.newbyteorder("<"))).all())
    if entry.numpy.kind == "b":
        # xDSL reads `true` as the byte 0xFF; numpy (and ONNX) write 0x01.
        return bool(np.isin(np.frombuffer(attr.data.data, dtype=np.uint8), (0x00, 0xFF)).all())
    return True


def element_count(attr: Attribute) -> int | None:
    """The number of elements of a constant attribute (dense or string), None for others."""
    from infer.dialects.onnx.types import StringTensorAttr

    if isinstance(attr, DenseIntOrFPElementsAttr):
        return len(attr.data.data) // element_size(attr.get_element_type())
    if isinstance(attr, StringTensorAttr):
        return len(attr.values.data)
    return None


@dataclass(eq=False, repr=False)
class ConstantPrinter(Printer):
    """A printer that handles large constants in bulk.

    `elide_limit` is the largest element count printed in full (splats always
    print, as one value); None prints every constant in full, bit-exactly.
    """

    elide_limit: int | None = DEFAULT_ELIDE_LIMIT

    def print_attribute(self, attribute: Attribute) -> None:
        count = element_count(attribute)
        if count is None:
            return super().print_attribute(attribute)
        splat = None
        if isinstance(attribute, DenseIntOrFPElementsAttr):
            rows = _elements(attribute.data.data, element_size(attribute.get_element_type()))
            splat = rows[0].tobytes() if count > 1 and _is_splat(rows) else None
        if self.elide_limit is not None and count > self.elide_limit and splat is None:
            self.print_string(f"dense_resource<{ELIDED_RESOURCE}> : ")
            self.print_attribute(attribute.get_type())  # type: ignore[attr-defined]
            return
        if not isinstance(attribute, DenseIntOrFPElementsAttr):
            return super().print_attribute(attribute)
        if count == 0:
            return super().print_attribute(attribute)
        decimal = _decimal_safe(attribute)
        if splat is not None:
            if decimal:
                self._print_splat(attribute)
            else:
                self.print_string(f'dense<"0x{splat.hex().upper()}">')
        elif decimal and count <= DECIMAL_LIMIT:
            return super().print_attribute(attribute)
        else:
            self._print_hex(attribute.data.data)
        self.print_string(" : ")
        self.print_attribute(attribute.type)

    def _print_splat(self, attribute: DenseIntOrFPElementsAttr) -> None:
        value = dense_to_numpy(attribute).reshape(-1)[0].item()
        if isinstance(attribute.get_element_type(), ComplexType):
            value = (value.real, value.imag)
        self.print_string("dense<")
        attribute._print_one_elem(value, self)  # pyright: ignore[reportPrivateUsage]
        self.print_string(">")

    def _print_hex(self, data: bytes) -> None:
        self.print_string('dense<"0x')
        view = memoryview(data)
        for start in range(0, len(data), _HEX_CHUNK):
            self.print_string(view[start : start + _HEX_CHUNK].hex().upper())
        self.print_string('">')
