"""Helpers the rewrite passes share: reading constants, checking uses, replacing matched ops.

- element types and constants: `float_dtype`, `uniform` (every element has the
  bytes of the first), `uniform_value` (the one value a float constant holds),
  `per_channel` (a constant varying along one axis, as a vector), `tolerance`
  and `close` for matching constants with exact numbers;
- uses: `only_use_is`, `uses_stay_inside`;
- replacing: `replace_pattern` (a matched pattern by new ops at the fused
  locations of its nodes, as the recomposition passes do) and
  `erase_dead_constants`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import cmp_to_key

import numpy as np
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter
from xdsl.rewriter import InsertPoint

from infer.dialects.dtypes import UnsupportedElementType, to_numpy
from infer.dialects.infer.base import element_of
from infer.dialects.infer.constant import ConstantOp, constant_value
from infer.dialects.infer.epilogue import fused_location

UNIFORM_CHUNK = 1 << 16
"""Elements compared at a time when checking that an array is uniform."""

# -- element types and constants ----------------------------------------------------------


def float_dtype(value: SSAValue) -> np.dtype | None:
    """The numpy dtype of a floating-point tensor value, None for other (or non-numpy) types."""
    try:
        dtype = to_numpy(element_of(value.type))
    except (UnsupportedElementType, ValueError):
        return None
    return dtype if np.issubdtype(dtype, np.floating) else None


def uniform(array: np.ndarray) -> bool:
    """True if every element has the bytes of the first (cheap to refute for most
    data; compared in chunks, so a large array costs no large temporary)."""
    if array.size <= 1 or all(s == 0 for s in array.strides):
        return True
    flat = array.reshape(-1)
    first = flat[:1].tobytes()
    if flat[-1:].tobytes() != first or flat[flat.size // 2 : flat.size // 2 + 1].tobytes() != first:
        return False
    rows = flat[:1].view(np.uint8)
    for begin in range(0, flat.size, UNIFORM_CHUNK):
        chunk = np.ascontiguousarray(flat[begin : begin + UNIFORM_CHUNK]).view(np.uint8)
        if not (chunk.reshape(-1, rows.size) == rows).all():
            return False
    return True


def uniform_value(value: SSAValue) -> float | None:
    """The one value every element of a floating-point constant holds, else None
    (elements compared as numbers, where `uniform` compares bytes)."""
    if float_dtype(value) is None:
        return None
    array = constant_value(value)
    if array is None or array.size == 0:
        return None
    flat = array.reshape(-1)
    first = flat[0]
    if isinstance(value.owner, ConstantOp) and value.owner.is_splat:
        return float(first)
    # A weight differs from its first element early: no need to scan all of it.
    if not bool((flat[:64] == first).all()):
        return None
    return float(first) if bool((array == first).all()) else None


def per_channel(value: SSAValue, axis: int, channels: int) -> np.ndarray | None:
    """The float64 `[channels]` vector of a floating-point constant that varies along
    `axis` only: every other dim is 1, and dim `axis` is `channels` or 1 (one value
    for all). None for anything else."""
    array = constant_value(value)
    if array is None or not np.issubdtype(array.dtype, np.floating):
        return None
    shape = array.shape
    if any(d != 1 for i, d in enumerate(shape) if i != axis) or shape[axis] not in (1, channels):
        return None
    return np.broadcast_to(np.asarray(array, np.float64).reshape(-1), (channels,))


def tolerance(value: SSAValue) -> float:
    """Relative tolerance for matching a constant of `value`'s element type with an exact number."""
    dtype = float_dtype(value)
    return max(1e-5, float(np.finfo(dtype).eps)) if dtype is not None else 0.0


def close(actual: float, expected: float, rtol: float) -> bool:
    """`actual` equals `expected` within the relative tolerance `rtol`."""
    return math.isfinite(actual) and abs(actual - expected) <= rtol * abs(expected)


# -- uses ------------------------------------------------------------------------------------


def only_use_is(value: SSAValue, op: Operation) -> bool:
    """True when `op` is the one user of `value` (through one operand)."""
    return value.has_one_use() and next(iter(value.uses)).operation is op


def uses_stay_inside(matched: Sequence[Operation], root: Operation) -> bool:
    """True when every result of the matched ops but `root` is used by matched ops only."""
    inside = set(matched)
    for op in matched:
        if op is root:
            continue
        for result in op.results:
            if any(use.operation not in inside for use in result.uses):
                return False
    return True


# -- replacing -------------------------------------------------------------------------------


def program_order(ops: Iterable[Operation]) -> list[Operation]:
    """Ops of one block, sorted in program order."""

    def compare(a: Operation, b: Operation) -> int:
        return 0 if a is b else (-1 if a.is_before_in_block(b) else 1)

    return sorted(set(ops), key=cmp_to_key(compare))


def erase_dead_constants(rewriter: PatternRewriter, values: Iterable[SSAValue | None]) -> None:
    """Erases the constants among `values`' producers that are left without uses."""
    for value in values:
        if value is None:
            continue
        owner = value.owner
        if isinstance(owner, ConstantOp) and not owner.result.uses and owner.parent is not None:
            rewriter.erase(owner)


def replace_pattern(
    rewriter: PatternRewriter,
    root: Operation,
    matched: Sequence[Operation],
    new_ops: Operation | Sequence[Operation],
) -> bool:
    """Replaces the pattern `matched` (ending at `root`) by `new_ops`, the last of
    which computes `root`'s value; the new ops are located at the fused
    locations of the matched nodes. Erases the matched ops and the constants
    only they used. Does nothing and returns False when an intermediate value
    has a use outside the pattern."""
    ops = program_order([*matched, root])
    if ops[-1] is not root or not uses_stay_inside(ops, root):
        return False
    new_ops = [new_ops] if isinstance(new_ops, Operation) else list(new_ops)
    location = fused_location(ops)
    for new_op in new_ops:
        new_op.location = location
    operands = {operand for op in ops for operand in op.operands}
    for new_op in new_ops[:-1]:
        rewriter.insert(new_op, InsertPoint.before(root))
    rewriter.replace(root, new_ops[-1])
    for op in reversed(ops[:-1]):
        rewriter.erase(op)
    erase_dead_constants(rewriter, operands)
    return True
