"""Helpers for tests of the lowering to loops: lower, run the loop level, compare with the reference.

The loop-level IR runs in xDSL's interpreter with infer's numpy-based op
implementations (`infer.runtime.xdsl_interp`); the reference is the `infer`
interpreter on the same `infer` IR, before any lowering.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import ModuleOp

import infer
from infer.lowering.infer_to_linalg.pipeline import LowerToLoopsPipelinePass
from infer.registry import load_context
from infer.runtime.interpreter import Interpreter
from infer.runtime.xdsl_interp import is_loop_level, run_loops


def lower_to_loops(module: ModuleOp) -> ModuleOp:
    """A lowered clone of `module` (checked to verify and to be loop-level only)."""
    lowered = module.clone()
    LowerToLoopsPipelinePass().apply(load_context(), lowered)
    lowered.verify()
    assert is_loop_level(lowered), "ops left above the loop level:\n" + str(lowered)
    return lowered


def assert_loops_match(
    ir: str | ModuleOp,
    inputs: Sequence[np.ndarray],
    *,
    rtol: float = 1e-6,
    atol: float = 0.0,
) -> list[np.ndarray]:
    """Runs `ir` (infer dialect) in the reference interpreter and, lowered to loops, in
    xDSL's interpreter; asserts equal dtypes and shapes and close values (NaN where
    NaN; integers and booleans exactly). Returns the loop level's outputs."""
    module = infer.parse_ir(ir) if isinstance(ir, str) else ir
    expected = list(Interpreter(module).run(list(inputs)).values())
    actual = run_loops(lower_to_loops(module), inputs)
    assert len(actual) == len(expected)
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        assert a.dtype == e.dtype and a.shape == e.shape, f"output {i}: {a.dtype}{a.shape} != {e.dtype}{e.shape}"
        if e.dtype.kind in "fc":
            np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True, err_msg=f"output {i}")
        else:
            np.testing.assert_array_equal(a, e, err_msg=f"output {i}")
    return actual


def mlir_type(array: np.ndarray, dims: Sequence[int | None] | None = None) -> str:
    """The tensor type of an array (`dims` with None for `?` overrides its shape)."""
    from infer.dialects.dtypes import from_numpy

    shape = array.shape if dims is None else dims
    text = "x".join("?" if d is None else str(d) for d in shape)
    return f"tensor<{text}{'x' if shape else ''}{from_numpy(array.dtype)}>"
