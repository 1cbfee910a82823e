"""Helpers for tests of the C target: hand-written loop-level IR, built and run through ctypes.

`elementwise(inputs, ops)` writes a loop-level module that loads one element
of each input per iteration and stores the result of every op into an output
of its own, so that a whole family of ops compiles once:

    ir = elementwise(["f32", "f32"], [("arith.addf {0}, {1} : f32", "f32"), ...])
    outputs = run_ir(ir, [a, b], cache)          # one array per op
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import infer
from infer.runtime.c.build import BuildResult, build
from infer.runtime.c.loader import CModel

needs_cc = pytest.mark.skipif(shutil.which("gcc") is None and shutil.which("cc") is None, reason="no C compiler")


def elementwise(inputs: Sequence[str], ops: Sequence[tuple[str, ...]]) -> str:
    """A `main_graph` over 1-D inputs of the given element types; op i is a format string
    over the loaded elements (`{0}`, `{1}`, ...) whose result, of type `ops[i][1]`, is output i.
    An op of several results is written whole (`%lo, %hi = arith.mului_extended ...`), with
    the name of the result to store as a third item."""
    args = ", ".join(f'%in{i}: memref<?x{t}> {{infer.name = "in{i}"}}' for i, t in enumerate(inputs))
    results = ", ".join(f'memref<?x{t}> {{infer.name = "out{i}"}}' for i, (_, t, *_) in enumerate(ops))
    lines = [
        f"func.func @main_graph({args}) -> ({results}) {{",
        "  %c0 = arith.constant 0 : index",
        "  %c1 = arith.constant 1 : index",
        f"  %n = memref.dim %in0, %c0 : memref<?x{inputs[0]}>",
    ]
    lines += [f"  %out{i} = memref.alloc(%n) : memref<?x{t}>" for i, (_, t, *_) in enumerate(ops)]
    lines.append("  scf.for %i = %c0 to %n step %c1 {")
    lines += [f"    %x{i} = memref.load %in{i}[%i] : memref<?x{t}>" for i, t in enumerate(inputs)]
    loaded = [f"%x{i}" for i in range(len(inputs))]
    for i, (expr, t, *stored) in enumerate(ops):
        if stored:
            lines.append(f"    {expr.format(*loaded)}")
            lines.append(f"    memref.store {stored[0]}, %out{i}[%i] : memref<?x{t}>")
        else:
            lines.append(f"    %r{i} = {expr.format(*loaded)}")
            lines.append(f"    memref.store %r{i}, %out{i}[%i] : memref<?x{t}>")
    lines.append("  }")
    outs = ", ".join(f"%out{i}" for i in range(len(ops)))
    types = ", ".join(f"memref<?x{op[1]}>" for op in ops)
    lines.append(f"  func.return {outs} : {types}")
    lines.append("}")
    return "\n".join(lines)


def build_ir(ir: str, cache: str | Path, **kwargs) -> BuildResult:
    return build(infer.parse_ir(ir), cache_dir=cache, **kwargs)


def run_ir(ir: str, inputs: Sequence[np.ndarray], cache: str | Path) -> list[np.ndarray]:
    """Builds `ir` and runs it once; the outputs in order."""
    result = build_ir(ir, cache)
    with CModel(result.library, result.weights) as model:
        return list(model.run(list(inputs)).values())


def assert_bits_equal(got: np.ndarray, want: np.ndarray, what: str = "") -> None:
    """Floats equal bit for bit (so -0.0 != 0.0), any NaN equal to any NaN; others exactly."""
    kinds = (got.dtype, got.shape), (want.dtype, want.shape)
    assert kinds[0] == kinds[1], f"{what}: got {kinds[0]}, expected {kinds[1]}"
    if got.dtype.kind != "f":
        np.testing.assert_array_equal(got, want, err_msg=what)
        return
    both_nan = np.isnan(got) & np.isnan(want)
    unsigned = np.dtype(f"u{got.dtype.itemsize}")
    same = (got.view(unsigned) == want.view(unsigned)) | both_nan
    bad = np.flatnonzero(~same)
    where = bad[:8]
    assert bad.size == 0, f"{what}: at {where.tolist()}: got {got[where].tolist()}, expected {want[where].tolist()}"


def pairs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (a, b) of a set of values, as two arrays."""
    return np.repeat(values, len(values)), np.tile(values, len(values))
