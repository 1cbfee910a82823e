"""Building linalg ops on memrefs: indexing maps, `linalg.generic`, fills, elementwise maps.

Only what `convert-linalg-to-loops` lowers correctly is built: `linalg.generic`
(one or more outputs), `linalg.fill` and `linalg.matmul`; never
`linalg.broadcast` or `linalg.reduce`, which it silently leaves alone (see
XDSL_NOTES).

Broadcasting is in the indexing maps: an operand dim of static size 1 is read
at index 0 (`affine_map<(d0, d1) -> (0, d1)>`), any other dim at the loop's
index. A dynamic operand dim is therefore never stretched: the `infer`
dialect requires two dynamic dims that meet to be equal at run time, and the
lowering also takes a dynamic dim that meets a static one to be that size
(a dynamic dim of size 1 that should stretch is not supported).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from xdsl.builder import Builder
from xdsl.dialects.builtin import AffineMapAttr, MemRefType
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

    Memref operands have the rank of `output` and broadcast their static dims
    of size 1; one-value operands become constants in the body."""
    rank = len(shape_of(output.type))
    loops = list(range(rank))
    inputs = [(v, broadcast_map(v.type, loops, rank)) for v in operands if isinstance(v, SSAValue)]

    def body(s: Scalar, args: list[SSAValue]) -> list[SSAValue]:
        it = iter(args)
        elements = [next(it) if isinstance(v, SSAValue) else s.const(_python(v), from_numpy(v.dtype)) for v in operands]
        return [rule(s, elements)]

    generic(l, inputs, [(output, loop_map(rank, loops))], [PARALLEL] * rank, body)
    return output


def broadcast_sizes(l: Lowering, shapes: Sequence[Sequence[Size]]) -> list[Size]:
    """The dims of a rank-equal broadcast: per dim, the first size that is not a
    static 1 (dynamic dims are taken as equal to the others, see the module docstring)."""
    rank = len(shapes[0])
    result: list[Size] = []
    for i in range(rank):
        candidates = [s[i] for s in shapes if s[i] != 1]
        static = [c for c in candidates if c.is_static]
        result.append(static[0] if static else candidates[0] if candidates else l.static(1))
    return result
