"""`fuse-conv-add`: a residual add after a conv (or a gemm) becomes the op's `residual` operand.

    %c = infer.conv %x, %w, %b {...} : (...) -> tensor<?x256x56x56xf32>
    %s = infer.add %c, %y : (tensor<?x256x56x56xf32>, tensor<?x256x56x56xf32>) -> tensor<?x256x56x56xf32>
    %r = infer.relu %s : (tensor<?x256x56x56xf32>) -> tensor<?x256x56x56xf32>
      ->
    %r = infer.conv %x, %w, %b residual %y {..., activation = "relu"} : (...) -> tensor<?x256x56x56xf32>

ResNet's skip connections (`relu(conv(x) + y)`, `y` the block's input or its
downsampling conv) and a transformer's `x + Linear(h)` (`infer.gemm`). The add
may take the conv's value as either operand; the other one, `y`, is any value
of the same type (no broadcasting: the conv's value, `y` and the sum have one
shape, a dynamic dim being dynamic in all three). The conv (or gemm) may have
no other use, no epilogue (an activation before the add cannot move after it)
and no residual yet. When both operands are such ops, the later one (in
program order) takes the other as its residual. The fused op is placed where
the add was, so `y` is defined before it.

An activation that is the sum's only user then moves into the fused op's
epilogue, as in `fuse-conv-activation` (the same activations, `x * sigmoid(x)`
included): `act(conv + bias + residual)`. The fused op computes the same bits
as the chain: the conv's biased sum is rounded to the result type, then the
residual added in that type (see `epilogue.py`). It gets the chain's fused
location.

Option `gemm` (default true) also fuses adds after an `infer.gemm`; a
rank-2 `infer.matmul` plus a bias is `fuse-matmul-add`'s (it becomes a gemm
with `c`, which this pass may then give a residual).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from infer.dialects.infer.base import InferOp, dims_of, element_of, int_of, ints_of, string_of
from infer.dialects.infer.elementwise import AddOp
from infer.dialects.infer.epilogue import residual_of
from infer.dialects.infer.matmul import GemmOp
from infer.dialects.infer.nn import ConvOp
from infer.transforms.fuse_conv_activation import FuseActivation
from infer.transforms.fuse_conv_bn import keep_attributes, replace_fused, with_result_type
from infer.transforms.patterns import only_use_is

ResidualProducer = ConvOp | GemmOp
"""The ops that take a residual operand."""


def with_residual(op: ResidualProducer, residual: SSAValue) -> ResidualProducer:
    """A copy of `op` (operands, properties, epilogue) that also adds `residual`."""
    if isinstance(op, GemmOp):
        return GemmOp(
            op.a,
            op.b,
            op.c,
            alpha=op.alpha_value,
            beta=op.beta_value,
            trans_a=op.trans_a is not None,
            trans_b=op.trans_b is not None,
            epilogue=op.epilogue,
            residual=residual,
        )
    return ConvOp(
        op.input,
        op.weight,
        op.bias,
        strides=ints_of(op.strides),
        dilations=ints_of(op.dilations),
        pads=ints_of(op.pads),
        groups=int_of(op.groups, 1),
        layout=string_of(op.layout, "nchw"),
        epilogue=op.epilogue,
        residual=residual,
    )


def _same_type(a: SSAValue, b: SSAValue) -> bool:
    return element_of(a.type) == element_of(b.type) and dims_of(a.type) == dims_of(b.type)


@dataclass
class FuseAdd(RewritePattern):
    """`add(producer(...), y)` (either order) -> `producer(...)` with residual `y`."""

    producers: tuple[type[Operation], ...]

    def _fusable(self, value: SSAValue, other: SSAValue, add: AddOp) -> bool:
        producer = value.owner
        if not isinstance(producer, self.producers) or not isinstance(producer, ResidualProducer):
            return False
        if value is other or not only_use_is(value, add):
            return False
        if producer.epilogue is not None or residual_of(producer) is not None:
            return False
        return _same_type(value, add.result) and _same_type(other, add.result)

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: AddOp, rewriter: PatternRewriter) -> None:
        candidates = [(v, o) for v, o in ((op.lhs, op.rhs), (op.rhs, op.lhs)) if self._fusable(v, o, op)]
        if not candidates:
            return
        block = op.parent
        assert block is not None
        # The later producer takes the other value (which is then defined before it).
        value, other = max(candidates, key=lambda c: block.get_operation_index(c[0].owner))  # type: ignore[arg-type]
        producer = value.owner
        assert isinstance(producer, ResidualProducer)
        fused = with_result_type(with_residual(producer, other), op.result.type)
        keep_attributes(producer, [fused])
        replace_fused(rewriter, [producer, op], [fused], fused.results[0])


class FuseActivationAfterResidual(FuseActivation):
    """An activation after a conv or gemm that has a residual (and no epilogue) -> its epilogue."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        match = self._match(op)
        if match is None or residual_of(match[0].owner) is None:  # type: ignore[arg-type]
            return
        super().match_and_rewrite(op, rewriter)


@dataclass(frozen=True)
class FuseConvAddPass(ModulePass):
    """Makes the value added to a conv's (or gemm's) result its `residual` operand, and
    the activation after that sum its epilogue.

    Options:
      gemm: also fuse adds after an `infer.gemm` (default true).
    """

    name = "fuse-conv-add"

    gemm: bool = True
    """Also fuse `gemm(...) + y` (and a following activation)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        producers: tuple[type[InferOp], ...] = (ConvOp, GemmOp) if self.gemm else (ConvOp,)
        patterns: list[RewritePattern] = [FuseAdd(producers), FuseActivationAfterResidual(producers)]
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns), apply_recursively=True).rewrite_module(op)
