"""scf loop nests written by a lowering: loops, conditionals, loads and stores, index arithmetic.

For ops whose indexing is not an affine map without symbols (windows clamped
to the input, offsets known at run time, indices read from a tensor), a
lowering writes the loops itself. Inside a loop body, `Size` arithmetic,
`Lowering.scalar` and `Lowering.emit` insert into that body: the builder of
the function is moved into it while the body is built.

    def body(i: list[Size]) -> None:
        store(l, load(l, x, [i[0], i[1] + offset]), y, i)

    loop_nest(l, l.sizes(y), body)

A loop over a static range of one iteration is no loop: the body is built
once with the index as a static `Size`, so that arithmetic on it folds. Every
size a body needs from `Lowering.size` must be read before the loops (a
`memref.dim` made inside a body would be cached there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import IndexType, i1
from xdsl.ir import Block, Region, SSAValue
from xdsl.rewriter import InsertPoint

from infer.lowering.infer_to_linalg.core import Lowering, Size

LoopBody = Callable[[Size, list[SSAValue]], Sequence[SSAValue]]
"""Builds one iteration: from the induction variable and the carried values to the next ones."""


def size(l: Lowering, value: Size | int) -> Size:
    return value if isinstance(value, Size) else l.static(value)


def index_value(l: Lowering, value: SSAValue) -> Size:
    """An `index` SSA value as a size."""
    return Size(l.function, value=value)


@contextmanager
def inserting_into(l: Lowering, block: Block) -> Iterator[None]:
    """Moves the function's builder to the end of `block` for the duration."""
    builder = l.function.builder
    saved = builder.insertion_point
    builder.insertion_point = InsertPoint.at_end(block)
    try:
        yield
    finally:
        builder.insertion_point = saved


def for_loop(
    l: Lowering,
    lower: Size | int,
    upper: Size | int,
    body: LoopBody,
    carried: Sequence[SSAValue] = (),
    step: int = 1,
) -> list[SSAValue]:
    """`for i in range(lower, upper, step)` carrying `carried` through `body`; the final values.

    Static bounds of one iteration build the body once, with no loop; of none, no body."""
    lower, upper = size(l, lower), size(l, upper)
    if lower.is_static and upper.is_static:
        assert lower.static is not None and upper.static is not None
        count = max(0, -(-(upper.static - lower.static) // step))
        if count == 0:
            return list(carried)
        if count == 1:
            return list(body(lower, list(carried)))
    block = Block(arg_types=[IndexType(), *(v.type for v in carried)])
    with inserting_into(l, block):
        yielded = body(index_value(l, block.args[0]), list(block.args[1:]))
        l.emit(scf.YieldOp(*yielded))
    loop = scf.ForOp(lower.value, upper.value, l.static(step).value, list(carried), Region(block))
    l.emit(loop)
    return list(loop.results)


def loop_nest(l: Lowering, uppers: Sequence[Size | int], body: Callable[[list[Size]], None]) -> None:
    """Loops over every index of a box `[0, upper)` per dim, outermost first."""
    box_nest(l, [(0, upper) for upper in uppers], body)


def box_nest(l: Lowering, ranges: Sequence[tuple[Size | int, Size | int]], body: Callable[[list[Size]], None]) -> None:
    """Loops over every index of a box `[lower, upper)` per dim, outermost first."""

    def level(k: int, indices: list[Size]) -> None:
        if k == len(ranges):
            body(indices)
            return

        def iteration(i: Size, _: list[SSAValue]) -> list[SSAValue]:
            level(k + 1, [*indices, i])
            return []

        for_loop(l, ranges[k][0], ranges[k][1], iteration)

    level(0, [])


def reduction_nest(
    l: Lowering,
    ranges: Sequence[tuple[Size | int, Size | int]],
    initial: SSAValue,
    body: Callable[[list[Size], SSAValue], SSAValue],
) -> SSAValue:
    """Folds `body(indices, accumulated)` over every index of the box `[lower, upper)` per dim."""

    def level(k: int, indices: list[Size], accumulated: SSAValue) -> SSAValue:
        if k == len(ranges):
            return body(indices, accumulated)
        lower, upper = ranges[k]

        def iteration(i: Size, carried: list[SSAValue]) -> list[SSAValue]:
            return [level(k + 1, [*indices, i], carried[0])]

        (result,) = for_loop(l, lower, upper, iteration, [accumulated])
        return result

    return level(0, [], initial)


def if_else(
    l: Lowering,
    condition: SSAValue,
    then: Callable[[], Sequence[SSAValue]],
    otherwise: Callable[[], Sequence[SSAValue]],
) -> list[SSAValue]:
    """`scf.if` yielding what `then` or `otherwise` builds (both the same types)."""
    blocks = []
    types = None
    for build in (then, otherwise):
        block = Block()
        with inserting_into(l, block):
            values = list(build())
            l.emit(scf.YieldOp(*values))
        types = [v.type for v in values]
        blocks.append(block)
    assert types is not None
    op = scf.IfOp(condition, types, Region(blocks[0]), Region(blocks[1]))
    l.emit(op)
    return list(op.results)


def when(l: Lowering, condition: SSAValue, then: Callable[[], None]) -> None:
    """`scf.if` without results or else branch."""
    block = Block()
    with inserting_into(l, block):
        then()
        l.emit(scf.YieldOp())
    l.emit(scf.IfOp(condition, [], Region(block)))


# -- memory ----------------------------------------------------------------------------------


def load(l: Lowering, buffer: SSAValue, indices: Sequence[Size | int]) -> SSAValue:
    return l.emit(memref.LoadOp.get(buffer, [size(l, i).value for i in indices])).results[0]


def store(l: Lowering, value: SSAValue, buffer: SSAValue, indices: Sequence[Size | int]) -> None:
    l.emit(memref.StoreOp.get(value, buffer, [size(l, i).value for i in indices]))


def load_index(l: Lowering, buffer: SSAValue, indices: Sequence[Size | int]) -> Size:
    """An integer element as an `index` size."""
    return index_value(l, l.scalar.index(load(l, buffer, indices)))


# -- index arithmetic beyond `Size` --------------------------------------------------------------


def compare(l: Lowering, predicate: str, a: Size | int, b: Size | int) -> SSAValue | bool:
    """`a <predicate> b` on sizes (`eq`, `ne`, `lt`, `le`, `gt`, `ge`): a bool when both are static."""
    a, b = size(l, a), size(l, b)
    if a.static is not None and b.static is not None:
        return {
            "eq": a.static == b.static,
            "ne": a.static != b.static,
            "lt": a.static < b.static,
            "le": a.static <= b.static,
            "gt": a.static > b.static,
            "ge": a.static >= b.static,
        }[predicate]
    return l.scalar.cmp(predicate, a.value, b.value)


def select(l: Lowering, condition: SSAValue | bool, a: Size | int, b: Size | int) -> Size:
    """`a if condition else b` on sizes."""
    if isinstance(condition, bool):
        return size(l, a if condition else b)
    a, b = size(l, a), size(l, b)
    if a == b:
        return a
    return index_value(l, l.scalar.select(condition, a.value, b.value))


def both(l: Lowering, a: SSAValue | bool, b: SSAValue | bool) -> SSAValue | bool:
    """Logical and of conditions, folding static ones."""
    if isinstance(a, bool):
        return b if a else False
    if isinstance(b, bool):
        return a if b else False
    return l.scalar.and_(a, b)


def either(l: Lowering, a: SSAValue | bool, b: SSAValue | bool) -> SSAValue | bool:
    """Logical or of conditions, folding static ones."""
    if isinstance(a, bool):
        return True if a else b
    if isinstance(b, bool):
        return True if b else a
    return l.scalar.or_(a, b)


def remainder(l: Lowering, a: Size, b: Size, truncated: bool = False) -> Size:
    """`a mod b` taking the sign of `b` (Python's `%`); `b` must not be 0 when it is run.
    With `truncated`, the plain `arith.remsi` (sign of `a`): for operands known to be
    non-negative, or a test for 0."""
    if a.static is not None and b.static is not None:
        return l.static(a.static % b.static)
    r = index_value(l, l.emit(arith.RemSIOp(a.value, b.value)).results[0])
    if truncated:
        return r
    # The truncated remainder has the sign of a: move it to b's side.
    differ = l.scalar.xor(_as_value(l, compare(l, "lt", r, 0)), _as_value(l, compare(l, "lt", b, 0)))
    return select(l, both(l, differ, compare(l, "ne", r, 0)), r + b, r)


def _as_value(l: Lowering, condition: SSAValue | bool) -> SSAValue:
    return l.scalar.const(condition, i1) if isinstance(condition, bool) else condition
