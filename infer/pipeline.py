"""Optimization levels: named pass pipelines over the `infer` dialect.

    level 0   convert-onnx-to-infer (frontend conversion only)
    level 1   + pre-optimization: remove-no-ops, simplify-algebra, fold-constants, cse, dce
    level 2   + core optimization: fusions (conv+bn, conv+bias, conv/gemm+activation,
              matmul+add, conv/gemm+residual add), batch-norm to scale-and-shift, recomposition of layer-norm,
              gelu and silu, depthwise marking; post: merge-duplicates   (the default)
    level 3   level 2 with `fast-math` rewrites (reassociation, x*0 -> 0, reciprocals)

`infer-opt -O2 model.onnx` runs level 2 as its individual passes (so that
`--verify-each`, `--print-between-passes` and `--time-passes` see each one);
`-p 'optimize-pipeline{level=2}'` is the same pipeline as one named pass;
`infer.optimize(module, level)` and `infer.compile(..., opt_level=)` from Python.
Frontend conversion is part of every level and does nothing on a module that
is already in the `infer` dialect.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline

LEVELS = (0, 1, 2, 3)
DEFAULT_LEVEL = 2

_CONVERT = ["convert-onnx-to-infer"]
_PRE = ["remove-no-ops", "simplify-algebra", "fold-constants", "cse", "dce"]
_CORE = [
    "fuse-conv-bn",
    "fuse-conv-bias",
    "batch-norm-to-scale-shift",
    "recompose-layer-norm",
    "recompose-gelu",
    "recompose-silu",
    "fuse-conv-activation",
    "fuse-matmul-add",
    "fuse-gemm-activation",
    "fuse-conv-add",
    "mark-depthwise",
]
_POST = ["simplify-algebra", "fold-constants", "merge-duplicates", "cse", "dce"]


def level_passes(level: int) -> list[str]:
    """The pass specs (`name` or `name{opt=value}`) of an optimization level, in order."""
    if level not in LEVELS:
        from infer.diagnostics import InferError

        raise InferError(f"optimization level {level} does not exist", hint="use 0, 1, 2 or 3")
    if level == 0:
        return list(_CONVERT)
    passes = _CONVERT + _PRE
    if level >= 2:
        passes += _CORE + _POST
    if level == 3:
        passes = [f"{p}{{fast-math=true}}" if p == "simplify-algebra" else p for p in passes]
    return passes


def level_spec(level: int) -> str:
    """The `-p` pipeline string of an optimization level."""
    return ",".join(level_passes(level))


PipelineCallback = Callable[[ModulePass | None, ModuleOp, ModulePass | None], None]


def build_pipeline(spec: str, callback: PipelineCallback | None = None) -> PassPipeline:
    """A PassPipeline from a `-p` spec over every pass infer and xDSL know."""
    from xdsl.transforms import get_all_passes

    from infer.registry import all_passes

    available = dict(get_all_passes())
    available.update({name: (lambda p=cls: p) for name, cls in all_passes().items()})  # type: ignore[misc]
    return PassPipeline.parse_spec(available, spec, callback)


def optimize(module: ModuleOp, level: int = DEFAULT_LEVEL, callback: PipelineCallback | None = None) -> ModuleOp:
    """Runs optimization level `level` on `module` in place (converting from ONNX first if needed)."""
    from infer.registry import load_context

    build_pipeline(level_spec(level), callback).apply(load_context(), module)
    return module
