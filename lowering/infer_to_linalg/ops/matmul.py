"""`infer.matmul`: `linalg.matmul` for matrices, a `linalg.generic` for batches.

The result is filled with zeros, then accumulated into:

    %y = memref.alloc(%m) : memref<?x5xf32>
    linalg.fill ins(%zero : f32) outs(%y : memref<?x5xf32>)
    linalg.matmul ins(%a, %b : memref<?x4xf32>, memref<4x5xf32>) outs(%y : memref<?x5xf32>)

Batch dims broadcast in the indexing maps of the generic (a batch dim of
static size 1 is read at index 0): loops `(batch..., m, n, k)`, the last a
reduction. Floats narrower than f32 are multiplied and summed in f32, in a
scratch buffer rounded into the result at the end (as the reference does).
`infer.gemm` is a composite: `decompose-composites` makes it a matmul with
its transposes, scaling, bias and epilogue activation.
"""

from __future__ import annotations

from xdsl.dialects.builtin import AnyFloat, f32
from xdsl.dialects.linalg.ops import MatmulOp as LinalgMatmulOp
from xdsl.ir import Attribute, SSAValue
from xdsl.ir.affine import AffineMap

from infer.dialects.infer.matmul import MatmulOp
from infer.lowering.infer_to_linalg.core import Lowering, lowering, shape_of
from infer.lowering.infer_to_linalg.scalar import Scalar
from infer.lowering.infer_to_linalg.structured import (
    PARALLEL,
    REDUCTION,
    broadcast_positions,
    fill_value,
    generic,
    loop_map,
    map_elements,
)


def accumulator_type(element: Attribute) -> Attribute:
    """The type products and sums are accumulated in: f32 for narrower floats."""
    if isinstance(element, AnyFloat) and element.bitwidth < 32:
        return f32
    return element


@lowering(MatmulOp)
def matmul(l: Lowering) -> SSAValue:
    a, b = l.operand(0), l.operand(1)
    result = l.alloc_result()
    element = l.result_type().element_type
    accumulator_element = accumulator_type(element)
    accumulator = result if accumulator_element == element else l.scratch(accumulator_element, l.sizes(result))
    fill_value(l, accumulator, 0)
    rank = len(shape_of(a.type))
    if rank == 2 and accumulator is result:
        l.emit(LinalgMatmulOp([a, b], [result]))
        return result
    # Loops: batch dims, then m, n, k.
    batch = list(range(rank - 2))
    m, n, k = rank - 2, rank - 1, rank
    loops = rank + 1

    def body(s: Scalar, args: list[SSAValue]) -> list[SSAValue]:
        x, y, acc = args
        x, y = s.cast(x, accumulator_element), s.cast(y, accumulator_element)
        return [s.add(acc, s.mul(x, y))]

    def operand_map(value: SSAValue, inner: list[int]) -> AffineMap:
        # Batch dims broadcast; the matrix dims are read as they are (they bound the loops).
        return loop_map(loops, [*broadcast_positions(shape_of(value.type)[:-2], batch), *inner])

    generic(
        l,
        [(a, operand_map(a, [m, k])), (b, operand_map(b, [k, n]))],
        [(accumulator, loop_map(loops, [*batch, m, n]))],
        [PARALLEL] * (rank) + [REDUCTION],
        body,
    )
    if accumulator is not result:
        map_elements(l, [accumulator], lambda s, v: s.cast(v[0], element), result)
    return result
