"""Helpers for tests on `infer` IR: parse, run through the interpreter, compare passes."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

import infer
from infer.registry import load_context
from infer.runtime.interpreter import Interpreter


def parse(text: str) -> ModuleOp:
    return infer.parse_ir(text)


def run(module: ModuleOp, inputs: Mapping[str, np.ndarray] | list[np.ndarray]) -> list[np.ndarray]:
    return list(Interpreter(module).run(inputs).values())


def assert_pass_preserves(
    module: ModuleOp,
    pass_: ModulePass,
    inputs: Mapping[str, np.ndarray] | list[np.ndarray],
    *,
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> ModuleOp:
    """Runs `module` before and after `pass_` on `inputs`; asserts equal results.
    Returns the transformed module (a clone; `module` is left as it was)."""
    before = run(module, inputs)
    after_module = module.clone()
    pass_.apply(load_context(), after_module)
    after_module.verify()
    after = run(after_module, inputs)
    assert len(before) == len(after)
    for i, (b, a) in enumerate(zip(before, after, strict=True)):
        assert a.dtype == b.dtype and a.shape == b.shape, f"output {i}: {a.dtype}{a.shape} != {b.dtype}{b.shape}"
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"output {i}")
    return after_module
