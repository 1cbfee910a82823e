"""`select-kernels`: which ops of real models a kernel covers, options, and that a mark
changes nothing but the lowering (the per-variant cases are in
tests/filecheck/lowering/select-kernels.mlir)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from infer_ir import assert_pass_preserves
from light_models import inputs, load

import infer
from infer.diagnostics import InferError
from infer.lowering.select_kernels import KERNEL_ATTR, SelectKernelsPass
from infer.pipeline import build_pipeline
from infer.registry import load_context


def _marks(module) -> Counter[tuple[str, str | None]]:
    found: Counter[tuple[str, str | None]] = Counter()
    for op in module.walk():
        if op.name in ("infer.conv", "infer.gemm", "infer.matmul", "infer.max_pool", "infer.avg_pool"):
            mark = op.attributes.get(KERNEL_ATTR)
            found[(op.name, mark.data if mark is not None else None)] += 1  # type: ignore[attr-defined]
    return found


# Every heavy op of these models at -O2 is covered: (op, kernel) -> count.
COVERED = {
    "resnet50": {
        ("infer.conv", "conv2d_f32"): 53,
        ("infer.gemm", "gemm_packed_f32"): 1,
        ("infer.max_pool", "max_pool2d_f32"): 1,
        ("infer.avg_pool", "avg_pool2d_f32"): 1,
    },
    "squeezenet": {
        ("infer.conv", "conv2d_f32"): 26,
        ("infer.max_pool", "max_pool2d_f32"): 3,
    },
}


@pytest.mark.parametrize("name", COVERED)
def test_light_models_are_covered(name: str) -> None:
    module = infer.load(load(name))
    infer.optimize(module, 2)
    SelectKernelsPass().apply(load_context(), module)
    assert dict(_marks(module)) == COVERED[name]


def test_shufflenet_depthwise_and_grouped_convs() -> None:
    """ShuffleNet's depthwise convs take the depthwise kernel, its grouped 1x1 convs the packed one."""
    module = infer.load(load("shufflenet"))
    infer.optimize(module, 2)
    SelectKernelsPass().apply(load_context(), module)
    marks = _marks(module)
    assert marks[("infer.conv", None)] == 0
    assert marks[("infer.conv", "depthwise_conv2d_f32")] == 16
    grouped = [
        op
        for op in module.walk()
        if op.name == "infer.conv" and op.properties["groups"].value.data > 1 and KERNEL_ATTR in op.attributes  # type: ignore[attr-defined]
    ]
    assert {op.attributes[KERNEL_ATTR].data for op in grouped} == {"conv2d_f32", "depthwise_conv2d_f32"}  # type: ignore[attr-defined]


def test_marks_change_no_result() -> None:
    """The interpreter ignores the discardable marks: the same bits before and after."""
    model = load("squeezenet")
    module = infer.load(model)
    infer.optimize(module, 2)
    feed = {k: np.random.default_rng(0).random(v.shape, np.float32) for k, v in inputs(model).items()}
    assert_pass_preserves(module, SelectKernelsPass(), feed, rtol=0, atol=0, same_bits=True)


def test_min_flops_leaves_small_ops_to_loops() -> None:
    module = infer.load(load("squeezenet"))
    infer.optimize(module, 2)
    SelectKernelsPass(min_flops=50_000_000).apply(load_context(), module)
    marks = _marks(module)
    # The first conv (3 -> 96, 7x7, stride 2 on 224x224: 2 * 96 * 109 * 109 * 147 = 335 MFLOP) stays marked.
    assert 0 < marks[("infer.conv", "conv2d_f32")] < 26
    assert marks[("infer.max_pool", "max_pool2d_f32")] == 0


def test_openblas_option_and_bad_option() -> None:
    module = infer.load(load("resnet50"))
    infer.optimize(module, 2)
    build_pipeline("select-kernels{gemm=openblas}").apply(load_context(), module)
    assert _marks(module)[("infer.gemm", "gemm_openblas_f32")] == 1
    with pytest.raises(InferError, match="unknown gemm 'mkl'"):
        SelectKernelsPass(gemm="mkl").apply(load_context(), module)
