"""`decompose-composites`: rewrites every composite `infer` op into core ops.

Composite ops (normalizations, activations with several forms, gemm,
softmax, ...) are kept whole for the optimizer and for kernels; before a
lowering that only knows core ops, this pass replaces each by its
`decompose()` equivalent. The interpreter gives both forms the same results.
Composites marked `infer.kernel` by `select-kernels` stay: their lowering is
a kernel call.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.builder import Builder
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from infer.dialects.infer.base import CompositeOp
from infer.lowering.select_kernels import KERNEL_ATTR


def decompose(op: CompositeOp) -> None:
    """Replaces one composite op by its decomposition (recursively, if that has composites)."""
    builder = Builder(InsertPoint.before(op))
    # Ops of the decomposition keep the composite's location (its node name).
    location = op.location

    def keep_location(new: Operation) -> None:
        new.location = location

    builder.operation_insertion_handler.append(keep_location)
    replacements = op.decompose(builder)
    for old, new in zip(op.results, replacements, strict=True):
        if new.name_hint is None and old.name_hint is not None:
            new.name_hint = old.name_hint
        old.replace_all_uses_with(new)
    Rewriter.erase_op(op)


@dataclass(frozen=True)
class DecomposeCompositesPass(ModulePass):
    """Rewrites every composite `infer` op into core `infer` ops."""

    name = "decompose-composites"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        # Decompositions may build other composites; repeat until none is left.
        # Ops marked for a kernel (`select-kernels`) stay whole: the kernel is the op.
        while composites := [o for o in op.walk() if isinstance(o, CompositeOp) and KERNEL_ATTR not in o.attributes]:
            for composite in composites:
                decompose(composite)
