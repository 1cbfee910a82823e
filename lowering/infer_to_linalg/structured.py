"""Building linalg ops on memrefs: indexing maps, `linalg.generic`, fills, elementwise maps.

Only what `convert-linalg-to-loops` lowers correctly is built: `linalg.generic`
(one or more outputs), `linalg.fill` and `linalg.matmul`; never
`linalg.broadcast` or `linalg.reduce`, which it silently leaves alone (see
XDSL_NOTES).

Broadcasting is in the indexing maps: an operand dim of static size 1 is read
at index 0 (`affine_map<(d0, d1) -> (0, d1)>`), any other dim at the loop's
index. A dynamic operand dim that may be 1 at run time where the result's is
not (it meets a static dim, or another dynamic one) stretches at run time, as
numpy's: `map_elements` then writes scf loops that read it at `i * (dim != 1)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from xdsl.builder import Builder
from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import AffineMapAttr, IndexType, MemRefType
from xdsl.dialects.linalg.attrs import IteratorType, IteratorTypeAttr
from xdsl.dialects.linalg.ops import FillOp, GenericOp, YieldOp
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap
from xdsl.rewriter import InsertPoint

from infer.dialects.dtypes import from_numpy
from infer.lowering.infer_to_linalg.core import Lowering, Size, shape_of
from infer.lowering.infer_to_linalg.scalar import Scalar

PARALLEL, REDUCTION = "parallel", "reduction"

Operand = SSAValue | np.generic
"""An input of an elementwise map: a memref, or one value for every element (a
constant's splat, which becomes an `arith.constant` in the body)."""

BodyFn = Callable[[Scalar, list[SSAValue]], Sequence[SSAValue]]
"""Builds a linalg body: from the block arguments (inputs, then outputs) to the yielded values."""


def loop_map(num_loops: int, results: Sequence[int | None]) -> AffineMap:
    """A map from `num_loops` loops to `results`: a loop position, or None for index 0."""
    return AffineMap(
        num_loops,
        0,
        tuple(AffineExpr.constant(0) if r is None else AffineExpr.dimension(r) for r in results),
    )


def broadcast_positions(shape: Sequence[int | None], loops: Sequence[int]) -> list[int | None]:
    """The loop read along each dim of a shape whose dims run along `loops`: None (index
    0) for a static dim of size 1, which broadcasts."""
    assert len(shape) == len(loops)
    return [None if d == 1 else loop for d, loop in zip(shape, loops, strict=True)]


def broadcast_map(operand_type: Attribute, loops: Sequence[int], num_loops: int) -> AffineMap:
    """The map reading an operand whose dims run along `loops`; its static dims of size
    1 are read at index 0 (they broadcast)."""
    return loop_map(num_loops, broadcast_positions(shape_of(operand_type), loops))


def generic(
    l: Lowering,
    inputs: Sequence[tuple[SSAValue, AffineMap]],
    outputs: Sequence[tuple[SSAValue, AffineMap]],
    iterators: Sequence[str],
    body: BodyFn,
) -> GenericOp:
    """Inserts a `linalg.generic` over memrefs; `body` builds its scalar computation."""
    values = [v for v, _ in (*inputs, *outputs)]
    block = Block(arg_types=[v.type.element_type if isinstance(v.type, MemRefType) else v.type for v in values])
    scalar = Scalar(Builder(InsertPoint.at_end(block)))
    yielded = body(scalar, list(block.args))
    scalar.builder.insert(YieldOp(*yielded))
    op = GenericOp(
        [v for v, _ in inputs],
        [v for v, _ in outputs],
        Region(block),
        [AffineMapAttr(m) for m in (*(m for _, m in inputs), *(m for _, m in outputs))],
        [IteratorTypeAttr(IteratorType(it)) for it in iterators],
    )
    l.emit(op)
    return op


def fill(l: Lowering, buffer: SSAValue, value: SSAValue) -> None:
    """Sets every element of `buffer` to the scalar `value` (`linalg.fill`)."""
    l.emit(FillOp([value], [buffer], res=()))


def fill_value(l: Lowering, buffer: SSAValue, value: float | int | bool | np.generic) -> None:
    """Sets every element of `buffer` to a constant."""
    t = buffer.type
    assert isinstance(t, MemRefType)
    fill(l, buffer, l.scalar.const(_python(value), t.element_type))


def _python(value: float | int | bool | np.generic) -> float | int | bool:
    return value.item() if isinstance(value, np.generic) else value


def map_elements(
    l: Lowering,
    operands: Sequence[Operand],
    rule: Callable[[Scalar, list[SSAValue]], SSAValue],
    output: SSAValue,
) -> SSAValue:
    """Writes `rule` of the operands' elements into every element of `output`.

    Memref operands have the rank of `output` and broadcast: a static dim of
    size 1 is read at index 0 (in the indexing map of a `linalg.generic`). A
    dynamic dim that may differ from the output's (it may be 1 at run time)
    broadcasts at run time: the op becomes scf loops that read such a dim at
    `i * (dim != 1)`. One-value operands become constants in the body."""
    rank = len(shape_of(output.type))
    out_sizes = l.sizes(output)
    stretch: dict[tuple[int, int], SSAValue] = {}
    for k, v in enumerate(operands):
        if not isinstance(v, SSAValue):
            continue
        for i, size in enumerate(l.sizes(v)):
            if not size.is_static and size != out_sizes[i]:
                stretch[(k, i)] = _stretch_factor(l, size)
    if stretch:
        return _map_elements_in_loops(l, operands, rule, output, out_sizes, stretch)
    loops = list(range(rank))
    inputs = [(v, broadcast_map(v.type, loops, rank)) for v in operands if isinstance(v, SSAValue)]

    def body(s: Scalar, args: list[SSAValue]) -> list[SSAValue]:
        it = iter(args)
        return [rule(s, [next(it) if isinstance(v, SSAValue) else _constant(s, v) for v in operands])]

    generic(l, inputs, [(output, loop_map(rank, loops))], [PARALLEL] * rank, body)
    return output


def _constant(s: Scalar, value: np.generic) -> SSAValue:
    return s.const(_python(value), from_numpy(value.dtype))


def _stretch_factor(l: Lowering, size: Size) -> SSAValue:
    """0 if a dim is 1 at run time (it broadcasts), else 1: what its index is multiplied by."""
    s = l.scalar
    one, zero = l.static(1).value, l.static(0).value
    return s.select(s.cmp("eq", size.value, one), zero, one)


def _map_elements_in_loops(
    l: Lowering,
    operands: Sequence[Operand],
    rule: Callable[[Scalar, list[SSAValue]], SSAValue],
    output: SSAValue,
    out_sizes: Sequence[Size],
    stretch: dict[tuple[int, int], SSAValue],
) -> SSAValue:
    """`map_elements` as an scf loop nest, for operands that broadcast at run time."""
    zero, one = l.static(0).value, l.static(1).value
    builder = l.builder
    indices: list[SSAValue] = []
    loops: list[scf.ForOp] = []
    for size in out_sizes:
        loop = scf.ForOp(zero, size.value, one, [], Region(Block(arg_types=[IndexType()])))
        builder.insert(loop)
        builder = Builder(InsertPoint.at_end(loop.body.block))
        indices.append(loop.body.block.args[0])
        loops.append(loop)
    s = Scalar(builder)
    elements: list[SSAValue] = []
    for k, v in enumerate(operands):
        if not isinstance(v, SSAValue):
            elements.append(_constant(s, v))
            continue
        at = []
        for i, d in enumerate(shape_of(v.type)):
            if d == 1:
                at.append(zero)
            elif (k, i) in stretch:
                at.append(s.insert(arith.MuliOp(indices[i], stretch[(k, i)])))
            else:
                at.append(indices[i])
        elements.append(s.insert(memref.LoadOp.get(v, at)))
    builder.insert(memref.StoreOp.get(rule(s, elements), output, indices))
    for loop in loops:
        Builder(InsertPoint.at_end(loop.body.block)).insert(scf.YieldOp())
    return output


def broadcast_sizes(l: Lowering, shapes: Sequence[Sequence[Size]]) -> list[Size]:
    """The dims of a rank-equal broadcast: per dim, a static size other than 1 if an
    operand has one, else the largest of the dynamic ones (a dynamic dim may be 1 at
    run time and stretch, see `map_elements`), else 1."""
    rank = len(shapes[0])
    result: list[Size] = []
    for i in range(rank):
        candidates = [s[i] for s in shapes if s[i] != 1]
        static = [c for c in candidates if c.is_static]
        if static:
            result.append(static[0])
            continue
        dynamic: list[Size] = []
        for c in candidates:
            if all(c != d for d in dynamic):
                dynamic.append(c)
        size = dynamic[0] if dynamic else l.static(1)
        for other in dynamic[1:]:
            size = size.max(other)
        result.append(size)
    return result
