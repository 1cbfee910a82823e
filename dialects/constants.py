"""Weights as bulk data: dense attributes built from and read as numpy bytes.

A model's weights never pass through Python lists. `numpy_to_dense` wraps an
array's bytes in a `DenseIntOrFPElementsAttr`; `dense_to_numpy` gives a
read-only numpy view of those bytes without copying. `ConstantPrinter` prints
dense attributes from their bytes (hex, or one value for a splat) and elides
large ones as `dense_resource<__elided__>`, the spelling MLIR uses, unless
asked to print them in full.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import (
    BytesAttr,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    TensorType,
)
from xdsl.ir import Attribute
from xdsl.printer import Printer

from infer.dialects.dtypes import from_numpy, to_numpy

ELIDED_RESOURCE = "__elided__"

DEFAULT_ELIDE_LIMIT = 16
"""Dense attributes with more elements than this print elided by default."""


def numpy_to_dense(array: np.ndarray, tensor_type: TensorType | None = None) -> DenseIntOrFPElementsAttr:
    """A dense attribute holding `array`'s bytes (little-endian, C order)."""
    array = np.asarray(array)
    if tensor_type is None:
        tensor_type = TensorType(from_numpy(array.dtype), array.shape)
    dtype = to_numpy(tensor_type.element_type)
    data = np.ascontiguousarray(array, dtype=dtype.newbyteorder("<"))
    return DenseIntOrFPElementsAttr(tensor_type, BytesAttr(data.tobytes()))  # type: ignore[arg-type]


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


def _is_splat(array: np.ndarray) -> bool:
    if array.size <= 1:
        return True
    flat = array.reshape(-1)
    first = flat[0]
    if isinstance(first, np.floating) and np.isnan(first):
        return False
    return bool((flat == first).all())


@dataclass(eq=False, repr=False)
class ConstantPrinter(Printer):
    """A printer that handles large dense attributes in bulk.

    `elide_limit` is the largest element count printed in full; None prints
    every constant in full (as hex, which parses back bit-exactly).
    """

    elide_limit: int | None = DEFAULT_ELIDE_LIMIT

    def print_attribute(self, attribute: Attribute) -> None:
        if not isinstance(attribute, DenseIntOrFPElementsAttr):
            return super().print_attribute(attribute)
        count = len(attribute.data.data) // max(1, np.dtype(to_numpy(attribute.get_element_type())).itemsize)
        if self.elide_limit is not None and count > self.elide_limit:
            self.print_string(f"dense_resource<{ELIDED_RESOURCE}> : ")
            self.print_attribute(attribute.type)
            return
        if count <= 100:
            return super().print_attribute(attribute)
        array = dense_to_numpy(attribute)
        if _is_splat(array):
            self.print_string("dense<")
            attribute._print_one_elem(array.reshape(-1)[0].item(), self)  # pyright: ignore[reportPrivateUsage]
            self.print_string(">")
        else:
            self.print_string(f'dense<"0x{attribute.data.data.hex().upper()}">')
        self.print_string(" : ")
        self.print_attribute(attribute.type)
