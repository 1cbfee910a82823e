"""`batch-norm-to-scale-shift`: an inference batch norm with constant parameters as one mul and one add.

With its statistics known, `infer.batch_norm` is an affine map per channel:

    y = x * factor + shift,   factor = scale / sqrt(var + eps),   shift = bias - mean * factor

`fuse-conv-bn` folds the batch norms that follow a convolution into its
weights; this pass handles the rest (DenseNet's and Inception's
pre-activation batch norms, batch norms after a concat or a pool), so that no
batch norm is left for the kernels and the mul and add can fuse with their
neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from infer.dialects.dtypes import UnsupportedElementType, to_numpy
from infer.dialects.infer.base import dims_of, element_of, float_of, string_of
from infer.dialects.infer.constant import ConstantOp, constant_value
from infer.dialects.infer.elementwise import AddOp, MulOp
from infer.dialects.infer.epilogue import fused_location
from infer.dialects.infer.nn import channel_axis
from infer.dialects.infer.normalization import BatchNormOp
from infer.transforms.patterns import erase_dead_constants, per_channel


def per_channel_constant(values: np.ndarray, element: Attribute, axis: int, rank: int) -> ConstantOp:
    """A `[C]` float64 vector as a constant of `element` type and rank `rank` with C
    on `axis` (a splat when its elements are all equal)."""
    shape = [1] * rank
    shape[axis] = values.shape[0]
    cast = values.astype(to_numpy(element))
    if cast.size > 1 and bool((cast == cast[0]).all()):
        return ConstantOp.splat(cast[0], TensorType(element, shape))
    return ConstantOp(cast.reshape(shape))


@dataclass
class BatchNormToScaleShift(RewritePattern):
    """`infer.batch_norm` with constant scale, bias, mean and var -> `x * factor + shift`."""

    absorb_affine: bool = True

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: BatchNormOp, rewriter: PatternRewriter) -> None:
        params = [constant_value(v) for v in (op.scale, op.bias, op.mean, op.var)]
        if any(p is None for p in params):
            return
        element = element_of(op.input.type)
        try:
            dtype = to_numpy(element)
        except UnsupportedElementType:
            return
        scale, bias, mean, var = (np.asarray(p, np.float64) for p in params)  # type: ignore[arg-type]
        rank = len(dims_of(op.input.type))
        axis = channel_axis(string_of(op.layout, "nchw"), rank)
        channels = dims_of(op.input.type)[axis]
        if channels is None:
            # x * [1, C, 1, 1] would type the channel dim C where the batch norm's result has `?`.
            return
        factor = scale / np.sqrt(var + float_of(op.epsilon))
        shift = bias - mean * factor
        # Per-channel muls and adds by constants that follow (Caffe's Scale layer after its
        # BatchNorm) fold into the factor and the shift, in float64 too.
        absorbed: list[Operation] = []
        root: Operation = op
        while self.absorb_affine:
            result = root.results[0]
            user = result.get_user_of_unique_use()
            if not isinstance(user, MulOp | AddOp) or user.result.type != op.result.type:
                break
            other = user.rhs if user.lhs is result else user.lhs
            vector = None if other is result else per_channel(other, axis, channels)
            if vector is None:
                break
            if isinstance(user, MulOp):
                factor, shift = factor * vector, shift * vector
            else:
                shift = shift + vector
            absorbed.append(user)
            root = user
        new_ops: list[Operation] = []
        value: SSAValue = op.input
        if not bool((factor.astype(dtype) == 1).all()):
            factor_op = per_channel_constant(factor, element, axis, rank)
            new_ops += [factor_op, mul := MulOp(value, factor_op.result)]
            value = mul.result
        if not bool((shift.astype(dtype) == 0).all()):
            shift_op = per_channel_constant(shift, element, axis, rank)
            new_ops += [shift_op, add := AddOp(value, shift_op.result)]
            value = add.result
        location = fused_location([op, *absorbed])
        for new_op in new_ops:
            new_op.location = location
        parameters = {v for o in (op, *absorbed) for v in o.operands}
        rewriter.replace(root, new_ops, [value])
        for replaced in reversed([op, *absorbed[:-1]]):
            rewriter.erase(replaced)
        erase_dead_constants(rewriter, parameters)


@dataclass(frozen=True)
class BatchNormToScaleShiftPass(ModulePass):
    """Rewrites each batch norm with constant parameters as a per-channel mul and add.

    `factor = scale / sqrt(var + eps)` and `shift = bias - mean * factor` are
    computed with numpy in float64, then cast to the input's element type and
    shaped `[1, C, 1, ...]` (or `[1, ..., C]` for `nhwc`) to broadcast over the
    channel axis; a factor that is all ones drops the mul, a shift that is all
    zeros the add (an identity batch norm is replaced by its input).
    Per-channel constants holding one value stay splats. Both ops keep the
    batch norm's location. Batch norms with a parameter that is not a
    constant, or with a dynamic channel dim, are left as they are.

    With `absorb-affine` (the default), the muls and adds by per-channel
    constants that follow the batch norm (each the only use of the value
    before it; Caffe's Scale layer, as in DenseNet-121) fold into the factor
    and the shift, and the two ops are located at the fused locations of the
    batch norm and the folded ops.
    """

    name = "batch-norm-to-scale-shift"

    absorb_affine: bool = True
    """Fold the per-channel constant muls and adds that follow a batch norm into it."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        pattern = BatchNormToScaleShift(self.absorb_affine)
        PatternRewriteWalker(GreedyRewritePatternApplier([pattern], dce_enabled=False)).rewrite_module(op)
