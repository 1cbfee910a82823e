"""`fuse-conv-activation`: moves the activation after a conv or conv_transpose into its epilogue.

    %y = infer.conv %x, %w, %b {...}
    %r = infer.clip %y {min = 0.0 : f64, max = 6.0 : f64}
      ->
    %r = infer.conv %x, %w, %b {..., activation = "clip", activation_params = array<f64: 0.0, 6.0>}

The activations are those of the epilogue table (`dialects/infer/epilogue.py`):
`infer.relu`, `infer.clip` with both bounds (relu6 is a clip 0..6; a clip with
only `min = 0` is a relu), `infer.leaky_relu`, `infer.sigmoid`,
`infer.hard_sigmoid`, `infer.hard_swish`, `infer.silu`, `infer.tanh` and
`infer.gelu`; `x * sigmoid(x)` (a SiLU that was not recomposed) fuses as
`silu` when the conv's result has no other use than the sigmoid and the mul.

A conv with a `residual` takes the activation too: it applies to the
sum with the residual (`act(conv + bias + residual)`, see `fuse-conv-add`).
The conv's result may have no other use (its pre-activation value would
otherwise be lost), and a conv carries one activation: one that already has
an epilogue keeps the next activation separate. The epilogue computes exactly
what the standalone op does, so the numbers do not change. The fused op gets
the fused location of the conv and the activation.

Option `only` restricts the fusion to some activations (for a backend whose
kernels implement only those), by their epilogue names:
`--fuse-conv-activation=only=relu,clip`.
"""

from __future__ import annotations

from collections.abc import Sequence
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
)

from infer.diagnostics import InferError
from infer.dialects.infer.base import InferOp, ShapeError, element_of, int_of, ints_of, string_of
from infer.dialects.infer.elementwise import MulOp, SigmoidOp
from infer.dialects.infer.epilogue import ACTIVATIONS, Epilogue, activation_of
from infer.dialects.infer.matmul import GemmOp, MatmulOp
from infer.dialects.infer.nn import ConvOp, ConvTransposeOp
from infer.transforms.fuse_conv_bn import keep_attributes, replace_fused, with_result_type

EpilogueProducer = ConvOp | ConvTransposeOp | GemmOp
"""The ops that carry an epilogue."""


def with_epilogue(op: EpilogueProducer | MatmulOp, epilogue: Epilogue) -> EpilogueProducer:
    """A copy of `op` (operands and properties) that also applies `epilogue`; a
    matmul becomes a gemm (rank 2 only)."""
    if isinstance(op, MatmulOp):
        return GemmOp(op.lhs, op.rhs, epilogue=epilogue)
    if isinstance(op, GemmOp):
        return GemmOp(
            op.a,
            op.b,
            op.c,
            alpha=op.alpha_value,
            beta=op.beta_value,
            trans_a=op.trans_a is not None,
            trans_b=op.trans_b is not None,
            epilogue=epilogue,
            residual=op.residual,
        )
    common = {
        "strides": ints_of(op.strides),
        "dilations": ints_of(op.dilations),
        "pads": ints_of(op.pads),
        "groups": int_of(op.groups, 1),
        "layout": string_of(op.layout, "nchw"),
        "epilogue": epilogue,
    }
    if isinstance(op, ConvOp):
        return ConvOp(op.input, op.weight, op.bias, residual=op.residual, **common)  # type: ignore[arg-type]
    return ConvTransposeOp(op.input, op.weight, op.bias, output_padding=ints_of(op.output_padding), **common)  # type: ignore[arg-type]


def _uses(value: SSAValue) -> list[Operation]:
    return [use.operation for use in value.uses]


def _silu_chain(op: MulOp) -> tuple[SSAValue, list[Operation]] | None:
    """For `x * sigmoid(x)` (either order), `x` and the chain `[sigmoid, mul]`,
    when `x` has no other use and the sigmoid no other use than the mul."""
    for x, other in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
        sigmoid = other.owner
        if not isinstance(sigmoid, SigmoidOp) or sigmoid.input is not x:
            continue
        if not sigmoid.result.has_one_use() or len(_uses(x)) != 2:
            continue
        if {id(user) for user in _uses(x)} == {id(sigmoid), id(op)}:
            return x, [sigmoid, op]
    return None


@dataclass
class FuseActivation(RewritePattern):
    """`activation(producer(...))` -> `producer(...)` with the activation as its epilogue."""

    producers: tuple[type[Operation], ...]
    only: frozenset[str] | None = None
    """The activations to fuse (by epilogue name); None: all."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        match = self._match(op)
        if match is None:
            return
        value, chain, epilogue = match
        producer = value.owner
        if not isinstance(producer, self.producers) or not isinstance(producer, InferOp):
            return
        if isinstance(producer, EpilogueProducer) and producer.epilogue is not None:
            return
        if isinstance(producer, MatmulOp) and len(producer.results[0].type.get_shape()) != 2:  # type: ignore[attr-defined]
            return
        if self.only is not None and epilogue.activation not in self.only:
            return
        try:
            epilogue.verify(element_of(value.type))
        except ShapeError:
            return
        fused = with_result_type(with_epilogue(producer, epilogue), chain[-1].results[0].type)  # type: ignore[arg-type]
        keep_attributes(producer, [fused])
        replace_fused(rewriter, [producer, *chain], [fused], fused.results[0])

    @staticmethod
    def _match(op: Operation) -> tuple[SSAValue, list[Operation], Epilogue] | None:
        """The producer's value, the ops of the activation (in order) and its epilogue."""
        if isinstance(op, MulOp):
            silu = _silu_chain(op)
            return None if silu is None else (silu[0], silu[1], Epilogue("silu"))
        epilogue = activation_of(op)
        if epilogue is None or len(op.operands) != 1:
            return None
        value = op.operands[0]
        if not value.has_one_use():
            return None
        return value, [op], epilogue


def parse_only(names: Sequence[str], pass_name: str) -> frozenset[str] | None:
    """The `only` option as a set of epilogue names (None when empty: all)."""
    if not names:
        return None
    unknown = [n for n in names if n not in ACTIVATIONS]
    if unknown:
        raise InferError(
            f"{pass_name}: unknown activation(s) {', '.join(unknown)} in option 'only'",
            hint=f"choose among {', '.join(ACTIVATIONS)}",
        )
    return frozenset(names)


@dataclass(frozen=True)
class FuseConvActivationPass(ModulePass):
    """Moves the activation after a conv or conv_transpose into its epilogue.

    Options:
      only: the activations to fuse, by epilogue name (default: all).
    """

    name = "fuse-conv-activation"

    only: tuple[str, ...] = ()
    """Fuse only these activations (names from the epilogue table); empty: all."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        pattern = FuseActivation((ConvOp, ConvTransposeOp), parse_only(self.only, self.name))
        PatternRewriteWalker(GreedyRewritePatternApplier([pattern]), apply_recursively=True).rewrite_module(op)
