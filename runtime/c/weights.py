"""The weights blob: the bytes of every `memref.global`, beside the library.

Layout of `weights.bin` (little-endian):

    offset 0   8 bytes   magic "INFERWB1"
           8   4 bytes   format version (1)
          12   4 bytes   header size (64)
          16   8 bytes   key: a hash of everything below; the library checks it at create
          24   8 bytes   total size of the file
          32   8 bytes   number of globals
          40  24 bytes   zero
          64   ...       each global's stored bytes at an offset aligned to 64 (or its
                         own alignment when larger): all its elements, or one element
                         for a splat (filled at load), nothing if uninitialized

A global marked `infer.pack` is stored as it is (its elements) and packed by
the runtime when the model is created; the packing is part of the key.
Booleans are stored as one byte, 0 or 1. Nothing in the blob is parsed by
Python on the way: the bytes come straight from the dense attributes.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from xdsl.dialects import memref
from xdsl.dialects.builtin import DenseArrayBase, DenseIntOrFPElementsAttr, MemRefType, StringAttr, UnitAttr

from infer.diagnostics import UnsupportedError
from infer.runtime.c.ctype import ctype_of
from infer.runtime.c.emitter import (
    PACK_ATTR,
    PACK_PARAMS_ATTR,
    PACK_SIZE_PARAMS_ATTR,
    GlobalEntry,
    PackInfo,
    emit_error,
)

MAGIC = b"INFERWB1"
VERSION = 1
HEADER = 64
ALIGN = 64


def _stored_bytes(data: bytes, elem_size: int, count: int) -> bytes | memoryview:
    """The bytes to store: one element when all elements are the same."""
    if count <= 1 or len(data) == elem_size:
        return data
    rows = np.frombuffer(data, dtype=np.uint8).reshape(count, elem_size)
    first = rows[0]
    if np.array_equal(rows[-1], first) and (rows == first).all():
        return bytes(first)
    return memoryview(data)


def global_entry_of(op: memref.GlobalOp, index: int) -> GlobalEntry:
    t = op.type
    if not isinstance(t, MemRefType):
        raise emit_error(op, f"global of type {t}")
    try:
        elem = ctype_of(t.element_type)
    except UnsupportedError as e:
        raise emit_error(op, e.message, e.hint) from None
    shape = tuple(t.get_shape())
    if any(d < 0 for d in shape):
        raise emit_error(op, "a global with dynamic dims")
    count = 1
    for d in shape:
        count *= d
    value = op.initial_value
    data: bytes | memoryview | None
    if isinstance(value, UnitAttr):
        data = None
    elif isinstance(value, DenseIntOrFPElementsAttr):
        raw = value.data.data
        if elem.kind == "bool":
            raw = (np.frombuffer(raw, dtype=np.uint8) != 0).astype(np.uint8).tobytes()
        if len(raw) not in (elem.size, count * elem.size):
            raise emit_error(op, f"initial value of {len(raw)} bytes for {t}")
        data = _stored_bytes(raw, elem.size, count)
    else:
        raise emit_error(op, f"initial value {type(value).__name__} is not supported")
    alignment = max(ALIGN, op.alignment.value.data if op.alignment is not None else 0)
    pack = pack_info_of(op)
    if pack is not None and (op.constant is None or data is None or elem.name != "float"):
        raise emit_error(op, f"only initialized f32 constants can be prepacked ({PACK_ATTR})")
    return GlobalEntry(op.sym_name.data, index, elem, shape, data, op.constant is not None, alignment, pack=pack)


def pack_info_of(op: memref.GlobalOp) -> PackInfo | None:
    """The packing a global is marked for (`infer.pack` and its parameters), or None."""
    packer = op.attributes.get(PACK_ATTR)
    if packer is None:
        return None
    size_params = op.attributes.get(PACK_SIZE_PARAMS_ATTR)
    params = op.attributes.get(PACK_PARAMS_ATTR)
    if (
        not isinstance(packer, StringAttr)
        or not re.fullmatch(r"\w+", packer.data)
        or not isinstance(size_params, DenseArrayBase)
        or not isinstance(params, DenseArrayBase)
    ):
        raise emit_error(
            op, f"{PACK_ATTR} needs a packer name and the arrays {PACK_SIZE_PARAMS_ATTR} and {PACK_PARAMS_ATTR}"
        )
    return PackInfo(
        packer.data, tuple(int(v) for v in size_params.get_values()), tuple(int(v) for v in params.get_values())
    )


def layout(entries: Sequence[GlobalEntry]) -> tuple[int, int]:
    """Assigns each entry its offset; returns the blob's size and key."""
    offset = HEADER
    digest = hashlib.blake2b(digest_size=8)
    for entry in entries:
        stored = entry.data if entry.data is not None else b""
        offset = (offset + entry.alignment - 1) // entry.alignment * entry.alignment
        entry.offset = offset
        offset += len(stored)
        digest.update(struct.pack("<QQQ", entry.offset, len(stored), entry.nbytes))
        digest.update(stored)
        if entry.pack is not None:
            digest.update(repr(entry.pack).encode())
    key = int.from_bytes(digest.digest(), "little") or 1
    return offset, key


def header(size: int, key: int, count: int) -> bytes:
    return MAGIC + struct.pack("<IIQQQ", VERSION, HEADER, key, size, count) + bytes(24)


def write_blob(path: Path, entries: Sequence[GlobalEntry], size: int, key: int) -> None:
    """Writes the blob laid out by `layout`."""
    with open(path, "wb") as f:
        f.write(header(size, key, len(entries)))
        position = HEADER
        for entry in entries:
            if entry.data is None or len(entry.data) == 0:
                continue
            f.write(bytes(entry.offset - position))
            f.write(entry.data)
            position = entry.offset + len(entry.data)
        f.write(bytes(size - position))
