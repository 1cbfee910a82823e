"""`optimize-pipeline`: an optimization level as one named pass."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from infer.pipeline import DEFAULT_LEVEL, build_pipeline, level_spec


@dataclass(frozen=True)
class OptimizePipelinePass(ModulePass):
    """Runs an optimization level (0-3) as one pass.

    Level 0 converts from ONNX only; 1 adds the pre-optimizations; 2 (the
    default) the fusions, substitutions and duplicate merging; 3 adds fast-math
    rewrites. See `infer.pipeline` for the passes of each level; `infer-opt -O2`
    runs the same passes one by one.
    """

    name = "optimize-pipeline"

    level: int = DEFAULT_LEVEL
    """The optimization level, 0 to 3."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        build_pipeline(level_spec(self.level)).apply(ctx, op)
