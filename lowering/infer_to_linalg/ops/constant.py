"""`infer.constant` and `infer.fill`.

A constant becomes a private constant `memref.global` (its bytes shared with
the `infer.constant`, never copied) read with `memref.get_global`:

    memref.global "private" constant @__constant_w : memref<16x3x3x3xf32> = dense<"0x...">
    %w = memref.get_global @__constant_w : memref<16x3x3x3xf32>

A splat keeps one element: its global's initial value is a dense attribute
of the full type holding one element's bytes (MLIR's splat, printed
`dense<5.000000e-01> : tensor<16x3x3x3xf32>`); a consumer of the loop level
recognizes it by its byte count (one element for more than one) and stores
one element, filled at load time. Most splats never get a global: an
elementwise op reads a one-element constant operand as a constant of its
body, and a global that nothing reads is dropped.

`infer.fill` reads its shape operand at run time and fills a new buffer.
"""

from __future__ import annotations

from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, TensorType
from xdsl.ir import SSAValue

from infer.dialects.constants import is_elided
from infer.dialects.infer import ConstantOp, FillOp
from infer.lowering.infer_to_linalg.core import Lowering, lowering, shape_of
from infer.lowering.infer_to_linalg.structured import fill_value


@lowering(ConstantOp)
def constant(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, ConstantOp)
    value = op.value
    if is_elided(value) or not isinstance(value, DenseIntOrFPElementsAttr):
        l.error("the constant's bytes were elided when it was printed", hint="print the IR with --print-constants")
    t = op.result.type
    assert isinstance(t, TensorType)
    if value.type != t:
        # A splat stored as one element of another (rank-0 or 1-element) type.
        value = DenseIntOrFPElementsAttr(t, value.data)  # type: ignore[arg-type]
    return l.global_constant(value, l.result_type())


@lowering(FillOp)
def fill(l: Lowering) -> SSAValue:
    op = l.op
    assert isinstance(op, FillOp)
    shape = l.operand(0)
    rank = shape_of(op.result.type)
    sizes = [l.index_at(shape, [i]) for i in range(len(rank))]
    buffer = l.alloc_result(0, sizes)
    fill_value(l, buffer, op.value.value.data)
    return buffer
