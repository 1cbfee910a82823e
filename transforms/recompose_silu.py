"""`recompose-silu`: rebuilds `infer.silu` from `x * sigmoid(x)`.

Exporters without a SiLU (swish) operator write it as a Sigmoid and a Mul
(PyTorch's `nn.SiLU`, Keras' `swish`, EfficientNet's and YOLO's activations);
`infer.silu` keeps it as one op for fusion and kernels.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from infer.dialects.infer.activation import SiluOp
from infer.dialects.infer.elementwise import MulOp, SigmoidOp
from infer.transforms.patterns import replace_pattern


class RecomposeSilu(RewritePattern):
    """`x * sigmoid(x)` or `sigmoid(x) * x` -> `infer.silu x`, when the sigmoid has no other use."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: MulOp, rewriter: PatternRewriter) -> None:
        for x, other in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            sigmoid = other.owner
            if not isinstance(sigmoid, SigmoidOp) or sigmoid.input is not x or x.type != op.result.type:
                continue
            if replace_pattern(rewriter, op, [sigmoid], SiluOp(x)):
                return


@dataclass(frozen=True)
class RecomposeSiluPass(ModulePass):
    """Rebuilds `infer.silu` from `x * sigmoid(x)`.

    Either operand order matches, when the sigmoid's value is used by the
    multiplication only. The silu is located at the fused locations of the
    sigmoid and the multiplication.
    """

    name = "recompose-silu"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier([RecomposeSilu()], dce_enabled=False)).rewrite_module(op)
