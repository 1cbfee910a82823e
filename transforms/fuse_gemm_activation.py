"""`fuse-gemm-activation`: moves the activation after a gemm into its epilogue.

    %y = infer.gemm %x, %w, %c {trans_b}        %r = infer.gemm %x, %w, %c {trans_b, activation = "relu"}
    %r = infer.relu %y                     ->

The activations are those of the epilogue table (`dialects/infer/epilogue.py`),
recognized as in `fuse-conv-activation` (`x * sigmoid(x)` included). A rank-2
`infer.matmul` followed by an activation becomes a gemm (no `c`, alpha 1:
the same product) with that epilogue. The gemm's result may have no other use,
and a gemm carries one activation (a second one stays separate). On integer
results only relu and clip (integral bounds) fuse. The epilogue computes exactly
what the standalone op does; the fused op gets the fused location of the gemm
and the activation.

Option `only` restricts the fusion to some activations, by their epilogue
names: `--fuse-gemm-activation=only=relu`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import GreedyRewritePatternApplier, PatternRewriteWalker

from infer.dialects.infer.matmul import GemmOp, MatmulOp
from infer.transforms.fuse_conv_activation import FuseActivation, parse_only


@dataclass(frozen=True)
class FuseGemmActivationPass(ModulePass):
    """Moves the activation after a gemm (or a rank-2 matmul) into the gemm's epilogue.

    Options:
      only: the activations to fuse, by epilogue name (default: all).
      matmul: also turn a rank-2 matmul followed by an activation into a gemm (default true).
    """

    name = "fuse-gemm-activation"

    only: tuple[str, ...] = ()
    """Fuse only these activations (names from the epilogue table); empty: all."""

    matmul: bool = True
    """Also fuse the activation after a rank-2 `infer.matmul` (which becomes an `infer.gemm`)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        producers = (GemmOp, MatmulOp) if self.matmul else (GemmOp,)
        pattern = FuseActivation(producers, parse_only(self.only, self.name))
        PatternRewriteWalker(GreedyRewritePatternApplier([pattern]), apply_recursively=True).rewrite_module(op)
