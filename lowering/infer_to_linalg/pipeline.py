"""`lower-to-loops-pipeline`: from `infer` to the loop level of the C target, as one pass."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

LOWER_TO_LOOPS = (
    "decompose-composites",
    "convert-infer-to-linalg",
    "convert-linalg-to-loops",
    "lower-affine",
    "canonicalize",
    "cse",
)
"""The passes of `lower-to-loops-pipeline`, in order."""


@dataclass(frozen=True)
class LowerToLoopsPipelinePass(ModulePass):
    """Lowers an `infer` module to loops: composites decomposed, ops lowered to linalg on
    memrefs, linalg to scf loops (xDSL's `convert-linalg-to-loops`, `lower-affine`),
    then `canonicalize` and `cse`. The result is the loop level of docs/c_target.md:
    func, scf, arith, math and memref on identity-layout memrefs.

        infer-opt model.onnx -O2 --lower-to-loops-pipeline
    """

    name = "lower-to-loops-pipeline"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from infer.pipeline import build_pipeline

        build_pipeline(",".join(LOWER_TO_LOOPS)).apply(ctx, op)
