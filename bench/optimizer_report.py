"""What the default optimization level does to the light models of the onnx wheel.

    python bench/optimizer_report.py [--level 2] [--check]

For each model: ONNX nodes before; after `-O<level>`, ops other than constants,
compute ops (ops that do arithmetic: not constants, not data movement),
batch-norms left and constant-fill ops left; and the time of the pipeline.
Prints a markdown table (recorded in docs/optimizer.md). With `--check`, every
optimized model must still match its unoptimized self through the interpreter
on the models' standard inputs.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

import numpy as np
import onnx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from light_models import NAMES, inputs, load, path

import infer

DATA_MOVEMENT = {
    "infer.reshape", "infer.squeeze", "infer.unsqueeze", "infer.flatten", "infer.transpose", "infer.concat",
    "infer.slice", "infer.dynamic_slice", "infer.split", "infer.gather", "infer.pad", "infer.shape_of",
    "infer.broadcast_to", "infer.tile", "infer.identity",
}  # fmt: skip
NOT_COUNTED = {"func.return", "func.func", "builtin.module"}


def counts(module) -> collections.Counter[str]:
    return collections.Counter(op.name for op in module.walk() if op.name not in NOT_COUNTED)


def report(level: int, check: bool) -> list[dict[str, object]]:
    rows = []
    for name in NAMES:
        model = load(name)
        nodes = collections.Counter(n.op_type for n in model.graph.node)
        module = infer.load(str(path(name)))
        start = time.perf_counter()
        infer.optimize(module, level)
        seconds = time.perf_counter() - start
        after = counts(module)
        non_constant = sum(v for k, v in after.items() if k != "infer.constant")
        compute = sum(v for k, v in after.items() if k not in DATA_MOVEMENT | {"infer.constant", "infer.fill"})
        row: dict[str, object] = {
            "model": name,
            "onnx nodes": len(model.graph.node),
            "BatchNorm before": nodes["BatchNormalization"],
            "ConstantOfShape before": nodes["ConstantOfShape"],
            "ops after (non-constant)": non_constant,
            "compute ops after": compute,
            "batch-norms left": after["infer.batch_norm"],
            "fills left": after["infer.fill"],
            "convs": after["infer.conv"],
            "fused activations": sum(
                1 for op in module.walk() if op.name in ("infer.conv", "infer.gemm") and "activation" in op.properties
            ),
            "pipeline s": round(seconds, 2),
        }
        if check:
            feeds = inputs(model)
            reference = infer.compile(model, opt_level=0).run(feeds)
            optimized = infer.CompiledModel(module).run(feeds)
            error = max(float(np.abs(optimized[k] - v).max()) for k, v in reference.items())
            row["max abs diff vs -O0"] = f"{error:.1e}"
        rows.append(row)
    return rows


def pass_times(name: str, level: int) -> list[tuple[str, float]]:
    """Import, then each pass of the level, timed on one model."""
    from infer.pipeline import build_pipeline, level_spec
    from infer.registry import load_context

    start = time.perf_counter()
    module = infer.load(str(path(name)))
    times = [("import (onnx -> onnx dialect)", time.perf_counter() - start)]
    clock = [time.perf_counter()]

    def callback(previous, module, following) -> None:
        if previous is not None:
            times.append((previous.name, time.perf_counter() - clock[0]))
        clock[0] = time.perf_counter()

    build_pipeline(level_spec(level), callback).apply(load_context(), module)
    return times


def markdown(rows: list[dict[str, object]]) -> str:
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(r[h]) for h in header) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", type=int, default=2)
    parser.add_argument("--check", action="store_true", help="compare each optimized model with -O0")
    parser.add_argument("--time-passes", default="densenet121", metavar="MODEL", help="model to time pass by pass")
    args = parser.parse_args()
    print(f"onnx {onnx.__version__}; infer -O{args.level}\n")
    print(markdown(report(args.level, args.check)))
    times = pass_times(args.time_passes, args.level)
    print(f"\n{args.time_passes}, -O{args.level}, seconds per step:\n")
    print(markdown([{"step": step, "s": f"{seconds:.3f}"} for step, seconds in times]))
    print(f"\ntotal: {sum(t for _, t in times):.2f} s")


if __name__ == "__main__":
    main()
