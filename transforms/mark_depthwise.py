"""`mark-depthwise`: tags depthwise convolutions for kernel selection.

A depthwise convolution (MobileNet, ShuffleNet, EfficientNet) filters each
input channel on its own: `groups` equals the number of input channels, so
each group reads one channel (the weight is `[C * multiplier, 1, k...]`). It
is memory-bound where an ordinary convolution is compute-bound, and wants its
own kernel; the mark saves every later stage from recomputing the test.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, UnitAttr
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from infer.dialects.infer.base import dims_of, int_of
from infer.dialects.infer.nn import ConvOp

DEPTHWISE = "infer.depthwise"
"""The discardable unit attribute that marks a depthwise `infer.conv`."""


def is_depthwise(op: ConvOp) -> bool:
    """`groups` > 1 equals the input channels: each group reads one channel.

    The shape rule makes the input channels `weight[1] * groups`, so the test
    holds for a dynamic channel dim too."""
    return int_of(op.groups, 1) > 1 and dims_of(op.weight.type)[1] == 1


class MarkDepthwise(RewritePattern):
    """Sets `infer.depthwise` on depthwise convs, and drops it from the others."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ConvOp, rewriter: PatternRewriter) -> None:
        marked = DEPTHWISE in op.attributes
        if is_depthwise(op) == marked:
            return
        if marked:
            del op.attributes[DEPTHWISE]
        else:
            op.attributes[DEPTHWISE] = UnitAttr()
        rewriter.notify_op_modified(op)


@dataclass(frozen=True)
class MarkDepthwisePass(ModulePass):
    """Marks each depthwise `infer.conv` with the unit attribute `infer.depthwise`.

    A conv is depthwise when `groups` > 1 and `groups` equals its input
    channels (the weight's second dim is 1), whatever the channel multiplier
    (`out_channels / groups`, 1 or more), layout, spatial rank, strides,
    dilations or pads. The attribute is discardable: it states a fact about
    the op for kernel selection, and dropping it changes no semantics. The
    pass is idempotent, and removes a stale mark from a conv that is not
    depthwise.
    """

    name = "mark-depthwise"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier([MarkDepthwise()], dce_enabled=False)).rewrite_module(op)
