"""`fuse-conv-bias`: folds a per-channel constant added after a conv or conv_transpose into its bias.

    %y = infer.conv %x, %w, %b {...}                     %y = infer.conv %x, %w, %b2 {...}
    %z = infer.add %y, %c : (..., tensor<1x64x1x1xf32>)   ->     (b2 = b + c, one value per channel)

The constant varies along the conv's channel axis only (`[1, C, 1, 1]` for
`nchw`, `[1, 1, 1, C]` for `nhwc`, any dim 1 for one value for all
channels), so the add never broadcasts the conv's result; it may be either
operand of `infer.add`, or the subtrahend of `infer.sub` (`b2 = b - c`). A
conv without bias gets one. The conv's result may have no other use and the
conv no epilogue (an activation between them blocks the fold).

The new bias is computed with numpy in float64 and cast once: the result
differs from the unfused pair by rounding only. The fused op gets the fused
location of the conv and the add, the new bias constant a location derived from
it (`add#constant0`); constants left without uses are erased.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from infer.dialects.infer.base import dims_of
from infer.dialects.infer.elementwise import AddOp, SubOp
from infer.dialects.infer.nn import ConvOp, ConvTransposeOp
from infer.transforms.fuse_conv_bn import fold_affine, foldable_producer, output_axis
from infer.transforms.patterns import per_channel


def _conv_and_shift(
    value: SSAValue, other: SSAValue, op: AddOp | SubOp
) -> tuple[ConvOp | ConvTransposeOp, np.ndarray] | None:
    """The conv producing `value` (only used by `op`) and the per-channel constant `other`."""
    conv = foldable_producer(value, op)
    if not isinstance(conv, ConvOp | ConvTransposeOp):
        return None
    axis = output_axis(conv)
    assert axis is not None
    channels = dims_of(value.type)[axis]
    assert channels is not None
    shift = per_channel(other, axis, channels)
    return None if shift is None else (conv, np.array(shift))


class FoldAddIntoBias(RewritePattern):
    """`conv + c` or `c + conv`, `c` a per-channel constant -> conv with `bias + c`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: AddOp, rewriter: PatternRewriter) -> None:
        for value, other in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            found = _conv_and_shift(value, other, op)
            if found is not None and fold_affine(rewriter, found[0], op, None, found[1]):
                return


class FoldSubIntoBias(RewritePattern):
    """`conv - c`, `c` a per-channel constant -> conv with `bias - c`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: SubOp, rewriter: PatternRewriter) -> None:
        found = _conv_and_shift(op.lhs, op.rhs, op)
        if found is not None:
            fold_affine(rewriter, found[0], op, None, -found[1])


@dataclass(frozen=True)
class FuseConvBiasPass(ModulePass):
    """Folds per-channel constants added to (or subtracted from) a conv's or
    conv_transpose's result into its bias."""

    name = "fuse-conv-bias"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        patterns: list[RewritePattern] = [FoldAddIntoBias(), FoldSubIntoBias()]
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns), apply_recursively=True).rewrite_module(op)
