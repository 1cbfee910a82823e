"""MatMul (numpy semantics, 1-D operands included) and Gemm."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.ir import SSAValue

from infer.dialects.infer import constant_value
from infer.dialects.infer.base import is_int
from infer.dialects.infer.matmul import GemmOp, MatmulOp
from infer.dialects.infer.tensor import SqueezeOp, UnsqueezeOp
from infer.lowering.onnx_to_infer.core import Conversion, converter
from infer.lowering.onnx_to_infer.ops.reduction import onnx_float, shape_checked


def _unsqueeze(c: Conversion, value: SSAValue, axes: Sequence[int]) -> SSAValue:
    array = constant_value(value)
    if array is not None:
        return c.constant(np.expand_dims(array, tuple(axes)))
    return c.emit(UnsqueezeOp(value, axes))


@converter("MatMul")
@shape_checked
def matmul(c: Conversion) -> SSAValue:
    return numpy_matmul(c, c.input(0), c.input(1))


def numpy_matmul(c: Conversion, a: SSAValue, b: SSAValue) -> SSAValue:
    """`numpy.matmul(a, b)` as `infer.matmul` with its operands' ranks made explicit."""
    rank_a, rank_b = c.rank(a), c.rank(b)
    if rank_a == 0 or rank_b == 0:
        c.error(f"operands must have rank >= 1, got ranks {rank_a} and {rank_b}")
    # numpy: a 1-D lhs is a row [1, K], a 1-D rhs a column [K, 1], each removed from the
    # result after; the operand of lower rank gets leading dims of size 1.
    rank = max(rank_a, rank_b, 2)
    if rank_a == 1:
        a = _unsqueeze(c, a, list(range(rank - 1)))
    if rank_b == 1:
        b = _unsqueeze(c, b, [*range(rank - 2), rank - 1])
    a, b = c.broadcast(a, b)
    y = c.emit(MatmulOp(a, b))
    squeezed = [rank - 2] * (rank_a == 1) + [rank - 1] * (rank_b == 1)
    return c.emit(SqueezeOp(y, squeezed)) if squeezed else y


@converter("Gemm")
@shape_checked
def gemm(c: Conversion) -> SSAValue:
    a, b = c.input(0), c.input(1)
    if c.rank(a) != 2 or c.rank(b) != 2:
        c.error(f"A and B must be matrices, got ranks {c.rank(a)} and {c.rank(b)}")
    alpha, beta = onnx_float(c.attr("alpha", 1.0)), onnx_float(c.attr("beta", 1.0))
    if is_int(c.element(a)) and (alpha != int(alpha) or beta != int(beta)):
        c.error(f"alpha {alpha} and beta {beta} must be integers for {c.element(a)} operands")
    # C is required before version 11; with beta = 0 it does not contribute (as in BLAS).
    bias = c.input(2) if c.version < 11 else c.optional_input(2)
    if bias is not None and beta == 0.0:
        bias = None
    if bias is not None:
        bias = c.to_rank(bias, 2)
    trans_a, trans_b = bool(c.attr("transA", 0)), bool(c.attr("transB", 0))
    return c.emit(GemmOp(a, b, bias, alpha=alpha, beta=beta, trans_a=trans_a, trans_b=trans_b))
