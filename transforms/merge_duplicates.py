"""`merge-duplicates`: one copy of each constant, and of each op on the same operands.

Two steps, in each function (each op isolated from above: SSA values cannot
cross that boundary, so constants of different functions stay apart):

1. Constants are merged by content: the same result type, the same
   discardable attributes and the same bytes. Each constant's bytes are
   hashed (blake2b over the numpy buffer, never Python lists) and equal
   hashes are confirmed byte for byte. A splat is keyed by its one element,
   and so is a dense constant whose elements all have the same bytes: a splat
   and its materialized form are one constant (the survivor keeps the splat
   storage). Floats compare by bytes, so `0.0` and `-0.0`, or NaNs with
   different payloads, stay apart. Elided constants (printed without their
   bytes) are never merged. The first constant in program order survives,
   with its location; when copies live in different blocks it moves to the
   top of the function's entry block, where it dominates every use.
2. Identical ops on identical operands are merged by xDSL's common
   subexpression elimination (`cse`), which keeps the first op and its
   location. Every `infer` op is `Pure`, so all of them take part.

How this differs from running `cse` alone: `cse` compares constants by
their attribute, so a splat and its dense equal, or copies in sibling
blocks, stay apart, and it hashes and compares the full attribute for every
constant; here constants are keyed once by content and hoisted when needed,
and the op merge that follows sees the merged constants, so the ops that use
them merge too (two convs of one input with byte-identical weights become
one). Like `cse`, the pass erases ops left without uses that have no side
effects.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, ModuleOp, TensorType
from xdsl.ir import Attribute, Block, Operation
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.traits import IsolatedFromAbove
from xdsl.transforms.common_subexpression_elimination import cse

from infer.dialects.constants import dense_to_numpy, numpy_to_dense
from infer.dialects.dtypes import UnsupportedElementType
from infer.dialects.infer.constant import ConstantOp
from infer.transforms.patterns import uniform

ConstantKey = tuple[Attribute, tuple[tuple[str, Attribute], ...], int, bytes]
"""(result type, discardable attributes, byte count, digest of the canonical bytes)."""


def canonical_bytes(op: ConstantOp) -> tuple[bytes, bool] | None:
    """The bytes that identify a constant's value within its type: one element for a
    splat or a constant whose elements are all equal, else every element; and whether
    it is stored as a splat. None for constants without bytes (elided)."""
    value = op.value
    if not isinstance(value, DenseIntOrFPElementsAttr):
        return None
    data = value.data.data
    try:
        if op.is_splat:
            return data, True
        array = dense_to_numpy(value)
    except UnsupportedElementType:
        return data, False  # bf16, f8, ...: every element's bytes
    if array.size > 1 and uniform(array):
        return array.reshape(-1)[:1].tobytes(), False
    return data, False


def constant_key(op: ConstantOp, data: bytes) -> ConstantKey:
    digest = hashlib.blake2b(memoryview(data), digest_size=16).digest()
    return (op.result.type, tuple(sorted(op.attributes.items())), len(data), digest)


def scope_constants(scope: Operation) -> Iterator[ConstantOp]:
    """The constants of an isolated op's regions, in program order, not entering
    nested isolated ops (which are scopes of their own)."""
    for region in scope.regions:
        for block in region.blocks:
            for op in block.ops:
                if isinstance(op, ConstantOp):
                    yield op
                elif not op.has_trait(IsolatedFromAbove):
                    yield from scope_constants(op)


def scopes(op: Operation) -> Iterator[Operation]:
    """`op` and every op isolated from above nested in it."""
    yield op
    for nested in op.walk():
        if nested is not op and nested.has_trait(IsolatedFromAbove):
            yield nested


def merge_constants(scope: Operation) -> int:
    """Merges the equal constants of one scope; returns how many were erased."""
    groups: dict[ConstantKey, list[tuple[ConstantOp, bytes, bool]]] = {}
    for op in scope_constants(scope):
        canonical = canonical_bytes(op)
        if canonical is None:
            continue
        data, is_splat = canonical
        groups.setdefault(constant_key(op, data), []).append((op, data, is_splat))
    erased = 0
    for members in groups.values():
        if len(members) < 2:
            continue
        survivor, data, survivor_is_splat = members[0]
        duplicates = [(op, splat) for op, d, splat in members[1:] if d == data]  # confirm the hash byte for byte
        if not duplicates:
            continue
        if not survivor_is_splat and any(splat for _, splat in duplicates):
            keep_splat_storage(survivor, data)
        entry = scope.regions[0].blocks.first
        if any(op.parent is not survivor.parent for op, _ in duplicates) and entry is not None:
            hoist(survivor, entry)
        for op, _ in duplicates:
            op.result.replace_all_uses_with(survivor.result)
            Rewriter.erase_op(op)
            erased += 1
    return erased


def keep_splat_storage(op: ConstantOp, element: bytes) -> None:
    """Stores a constant whose elements are all `element` as a splat."""
    value = op.value
    assert isinstance(value, DenseIntOrFPElementsAttr)
    element_type = value.get_element_type()
    scalar = np.frombuffer(element, dtype=dense_to_numpy(value).dtype).reshape(())
    op.properties["value"] = numpy_to_dense(scalar, TensorType(element_type, []))


def hoist(op: Operation, entry: Block) -> None:
    """Moves an op without operands to the top of `entry`."""
    first = entry.first_op
    if first is op:
        return
    op.detach()
    if first is None:
        entry.add_op(op)
    else:
        Rewriter.insert_op(op, InsertPoint.before(first))


@dataclass(frozen=True)
class MergeDuplicatesPass(ModulePass):
    """Merges equal constants (by type and bytes) and identical ops on identical operands.

    Constants are keyed by a hash of their bytes (a splat by its element) and
    merged within each function, the first one surviving; then xDSL's `cse`
    merges the ops that now have identical operands. See the module docstring
    for how this differs from `cse` alone.
    """

    name = "merge-duplicates"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for scope in list(scopes(op)):
            merge_constants(scope)
        cse(op)
