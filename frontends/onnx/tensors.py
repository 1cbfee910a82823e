"""ONNX `TensorProto` -> constant attribute, in bulk.

Every encoding ONNX allows ends in the bytes of a `DenseIntOrFPElementsAttr`
without passing through Python numbers:

- `raw_data` is used as it is (one copy out of the protobuf);
- the typed fields (`float_data`, `int64_data`, `int32_data`, ...) are read
  with `np.asarray`, which copies the protobuf's packed array in one go, then
  narrowed to the element's storage (`int32_data` holds float16, bfloat16,
  float8, int8/16, uint8/16 and bool, one per entry);
- sub-byte types (int4, uint4, float4e2m1, int2, uint2, float6) are unpacked
  to one byte per element, as MLIR stores them (signed ones sign-extended);
- external data is read from a file inside the model's directory, and only
  there (a path that leaves it, directly or through a symlink, is an error);
- string tensors become `#onnx.strings`, sparse tensors dense ones.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, TensorType
from xdsl.ir import Attribute

from infer.diagnostics import InferError, UnsupportedError
from infer.dialects import dtypes
from infer.dialects.constants import bytes_to_dense, dense_to_numpy, element_size, numpy_to_dense
from infer.dialects.onnx.types import StringTensorAttr

_PACKED: dict[int, tuple[int, bool]] = {
    TensorProto.INT4: (4, True),
    TensorProto.UINT4: (4, False),
    TensorProto.FLOAT4E2M1: (4, False),
    TensorProto.INT2: (2, True),
    TensorProto.UINT2: (2, False),
    TensorProto.FLOAT6E2M3: (6, False),
    TensorProto.FLOAT6E3M2: (6, False),
}
"""Element types stored packed (bits per element, signed)."""

_TYPED_FIELDS = {
    "float_data": np.float32,
    "double_data": np.float64,
    "int32_data": np.int32,
    "int64_data": np.int64,
    "uint64_data": np.uint64,
}


def element_count(tensor: TensorProto) -> int:
    return math.prod(tensor.dims)


class TensorReader:
    """Turns tensors into constant attributes; `directory` is where external data may live."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    def read(self, tensor: TensorProto) -> Attribute:
        """The constant attribute of a tensor (dense, or `#onnx.strings`)."""
        if tensor.HasField("segment"):
            raise UnsupportedError(f"tensor '{tensor.name}' is a segment of a larger tensor, which is not supported")
        if any(d < 0 for d in tensor.dims):
            raise InferError(f"tensor '{tensor.name}' has a negative dim in its shape {list(tensor.dims)}")
        if tensor.data_type == TensorProto.STRING:
            return self._strings(tensor)
        if tensor.data_type == TensorProto.UNDEFINED:
            raise InferError(f"tensor '{tensor.name}' has no element type")
        try:
            element = dtypes.from_onnx(tensor.data_type)
        except dtypes.UnsupportedElementType as e:
            raise UnsupportedError(f"tensor '{tensor.name}': {e}") from None
        tensor_type = TensorType(element, list(tensor.dims))
        if tensor.data_location == TensorProto.EXTERNAL:
            data = self._external_bytes(tensor, _stored_size(tensor))
            return self._from_stored(tensor, tensor_type, data)
        if tensor.HasField("raw_data"):
            return self._from_stored(tensor, tensor_type, tensor.raw_data)
        return self._from_typed_field(tensor, tensor_type)

    # -- encodings -----------------------------------------------------------------

    def _from_stored(self, tensor: TensorProto, tensor_type: TensorType, data: bytes) -> DenseIntOrFPElementsAttr:
        """From the little-endian byte layout of `raw_data` (and of external data)."""
        if tensor.data_type in _PACKED:
            return self._unpacked(tensor, tensor_type, np.frombuffer(data, dtype=np.uint8))
        size = element_size(tensor_type.element_type)
        count = element_count(tensor)
        if len(data) != count * size:
            raise InferError(
                f"tensor '{tensor.name}' has {len(data)} bytes of data but its shape {list(tensor.dims)} "
                f"needs {count * size}"
            )
        if sys.byteorder == "big":
            data = np.frombuffer(data, dtype=f"<u{size}").astype(f">u{size}").tobytes() if size > 1 else data
        return bytes_to_dense(data, tensor_type)

    def _from_typed_field(self, tensor: TensorProto, tensor_type: TensorType) -> DenseIntOrFPElementsAttr:
        field = onnx.helper.tensor_dtype_to_field(tensor.data_type)
        values = np.asarray(getattr(tensor, field), dtype=_TYPED_FIELDS[field])
        if tensor.data_type in _PACKED and _PACKED[tensor.data_type][0] != 6:
            # 4- and 2-bit types keep their packed bytes, one per int32_data entry.
            return self._unpacked(tensor, tensor_type, values.view(np.uint32).astype(np.uint8))
        size = element_size(tensor_type.element_type)
        entry = dtypes.BY_ONNX[tensor.data_type]
        if field == "int32_data" and size <= 2:
            # float16, bfloat16, float8, float6, int8/16, uint8/16, bool: bits in the low bytes of each entry.
            stored = values.view(np.uint32).astype(f"<u{size}")
            if tensor.data_type in _PACKED:
                stored &= np.uint8(0x3F)
        elif entry.numpy is not None and entry.numpy.kind == "c":
            stored = values.astype(f"<f{size // 2}", copy=False)
        elif entry.numpy is not None:
            stored = values.astype(entry.numpy.newbyteorder("<"), copy=False)
        else:
            raise UnsupportedError(f"tensor '{tensor.name}' stores {entry.onnx_name} in {field}: not supported")
        count = element_count(tensor)
        if stored.nbytes != count * size:
            raise InferError(
                f"tensor '{tensor.name}' holds {stored.nbytes // size} values but its shape {list(tensor.dims)} "
                f"needs {count}"
            )
        return bytes_to_dense(stored.tobytes(), tensor_type)

    def _unpacked(self, tensor: TensorProto, tensor_type: TensorType, packed: np.ndarray) -> DenseIntOrFPElementsAttr:
        """Sub-byte elements, one byte each; signed ones sign-extended."""
        bits, signed = _PACKED[tensor.data_type]
        count = element_count(tensor)
        if bits == 6:
            probe = TensorProto(data_type=tensor.data_type, dims=tensor.dims, raw_data=packed.tobytes())
            try:
                unpacked = numpy_helper.to_array(probe).view(np.uint8).reshape(-1)
            except ValueError as e:
                raise InferError(f"tensor '{tensor.name}' is malformed: {e}") from None
        else:
            per_byte = 8 // bits
            mask = (1 << bits) - 1
            if packed.size != -(-count // per_byte):
                raise InferError(
                    f"tensor '{tensor.name}' has {packed.size} bytes of packed {bits}-bit data "
                    f"but its shape {list(tensor.dims)} needs {-(-count // per_byte)}"
                )
            unpacked = np.empty((packed.size, per_byte), dtype=np.uint8)
            for i in range(per_byte):
                unpacked[:, i] = (packed >> (bits * i)) & mask
            unpacked = unpacked.reshape(-1)[:count]
        if signed:
            # Sign-extend: the top bit of the element fills the rest of its byte.
            unpacked = unpacked | np.where(unpacked >> (bits - 1), np.uint8(0xFF << bits & 0xFF), np.uint8(0))
        return bytes_to_dense(np.ascontiguousarray(unpacked, dtype=np.uint8).tobytes(), tensor_type)

    def _strings(self, tensor: TensorProto) -> StringTensorAttr:
        if tensor.data_location == TensorProto.EXTERNAL:
            raise InferError(f"string tensor '{tensor.name}' has external data, which ONNX does not allow")
        values = list(tensor.string_data)
        if len(values) != element_count(tensor):
            raise InferError(
                f"string tensor '{tensor.name}' holds {len(values)} strings but its shape {list(tensor.dims)} "
                f"needs {element_count(tensor)}"
            )
        return StringTensorAttr(values, list(tensor.dims))

    def read_sparse(self, sparse: onnx.SparseTensorProto) -> Attribute:
        """A sparse tensor as the dense tensor it stands for."""
        values = self.read(sparse.values)
        if not isinstance(values, DenseIntOrFPElementsAttr):
            raise UnsupportedError(f"sparse tensor '{sparse.values.name}' of strings is not supported")
        try:
            flat_values = dense_to_numpy(values).reshape(-1)
        except dtypes.UnsupportedElementType as e:
            raise UnsupportedError(f"sparse tensor '{sparse.values.name}': {e}") from None
        indices_attr = self.read(sparse.indices)
        assert isinstance(indices_attr, DenseIntOrFPElementsAttr)
        indices = dense_to_numpy(indices_attr).astype(np.int64)
        shape = tuple(sparse.dims)
        dense = np.zeros(shape, dtype=flat_values.dtype)
        try:
            if indices.ndim == 1:
                dense.reshape(-1)[indices] = flat_values
            else:
                dense[tuple(indices.T)] = flat_values
        except (IndexError, ValueError) as e:
            raise InferError(f"sparse tensor '{sparse.values.name}' is malformed: {e}") from None
        return numpy_to_dense(dense)

    # -- external data -------------------------------------------------------------------

    def _external_bytes(self, tensor: TensorProto, expected: int) -> bytes:
        info = {e.key: e.value for e in tensor.external_data}
        location = info.get("location")
        if not location:
            raise InferError(f"tensor '{tensor.name}' has external data without a location")
        if self.directory is None:
            raise InferError(
                f"tensor '{tensor.name}' has its data in '{location}' but the model was not loaded from a file",
                hint="load the model from its path, or pass base_dir",
            )
        path = _inside(self.directory, location)
        if path is None:
            raise InferError(
                f"tensor '{tensor.name}' points at external data '{location}', which is outside the model's directory",
                hint="external data must live inside the directory of the .onnx file (no '..', absolute paths or "
                "symlinks out)",
            )
        try:
            offset = int(info.get("offset", 0))
            length = int(info.get("length", expected))
        except ValueError:
            raise InferError(f"tensor '{tensor.name}' has a malformed external data offset or length") from None
        try:
            size = path.stat().st_size
            if length != expected or offset < 0 or offset + length > size:
                raise InferError(
                    f"external data of tensor '{tensor.name}' ({length} bytes at offset {offset} of '{location}', "
                    f"a file of {size} bytes) does not hold the {expected} bytes its shape {list(tensor.dims)} needs"
                )
            with path.open("rb") as f:
                f.seek(offset)
                data = f.read(length)
        except OSError as e:
            raise InferError(
                f"cannot read external data '{location}' of tensor '{tensor.name}': {e.strerror}",
                hint="keep the data file next to the .onnx file",
            ) from None
        if len(data) != length:
            raise InferError(f"external data '{location}' of tensor '{tensor.name}' is truncated")
        return data


def _stored_size(tensor: TensorProto) -> int:
    """Bytes the tensor's data takes in `raw_data` or external data."""
    count = element_count(tensor)
    if tensor.data_type in _PACKED:
        bits = _PACKED[tensor.data_type][0]
        return -(-count * bits // 8)
    return count * element_size(dtypes.from_onnx(tensor.data_type))


def _inside(directory: Path, location: str) -> Path | None:
    """`location` resolved inside `directory` (symlinks followed), None if it leaves it."""
    if os.path.isabs(location) or Path(location).drive:
        return None
    base = directory.resolve()
    path = (base / location).resolve()
    if path != base and base not in path.parents:
        return None
    return path
