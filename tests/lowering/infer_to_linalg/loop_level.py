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


class Program:
    """An `infer` function built op by op, for tests that put many cases in one module
    (one C compilation for a whole family):

        p = Program()
        x = p.arg(array, dims=[None, 4])
        p.result(p.op("exp", [x]))
        p.text()
    """

    def __init__(self) -> None:
        self.args: list[tuple[str, str]] = []
        self.lines: list[str] = []
        self.results: list[tuple[str, str]] = []
        self.types: dict[str, str] = {}

    def arg(self, array: np.ndarray, dims: Sequence[int | None] | None = None) -> str:
        name = f"%a{len(self.args)}"
        self.args.append((name, mlir_type(array, dims)))
        self.types[name] = mlir_type(array, dims)
        return name

    def op(self, op: str, operands: Sequence[str], result: str | None = None, attrs: str = "") -> str:
        """Appends `infer.<op>`; the result type defaults to the first operand's."""
        name = f"%v{len(self.lines)}"
        result_type = result or self.types[operands[0]]
        operand_types = ", ".join(self.types[o] for o in operands)
        self.lines.append(f"  {name} = infer.{op} {', '.join(operands)} {attrs} : ({operand_types}) -> {result_type}")
        self.types[name] = result_type
        return name

    def result(self, *values: str) -> None:
        self.results.extend((v, self.types[v]) for v in values)

    def text(self) -> str:
        args = ", ".join(f"{n}: {t}" for n, t in self.args)
        results = ", ".join(t for _, t in self.results)
        return "\n".join(
            [
                f"func.func @main_graph({args}) -> ({results}) {{",
                *self.lines,
                f"  func.return {', '.join(v for v, _ in self.results)} : {results}",
                "}",
            ]
        )


def assert_c_matches(
    ir: str | ModuleOp,
    runs: Sequence[Sequence[np.ndarray]],
    cache_dir: str,
    *,
    rtol: float = 1e-6,
    atol: float = 0.0,
) -> list[list[np.ndarray]]:
    """Lowers `ir` to loops, compiles it to C once and runs it on each input set in
    `runs`; each run's outputs must match the reference interpreter's (as in
    `assert_loops_match`). Returns the C outputs of every run."""
    from infer.runtime.c.build import build
    from infer.runtime.c.loader import CModel

    module = infer.parse_ir(ir) if isinstance(ir, str) else ir
    result = build(lower_to_loops(module), cache_dir=cache_dir)
    outputs: list[list[np.ndarray]] = []
    with CModel(result.library, result.weights) as model:
        for inputs in runs:
            expected = list(Interpreter(module).run(list(inputs)).values())
            actual = list(model.run(list(inputs)).values())
            assert len(actual) == len(expected)
            for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
                where = f"output {i} ({module_line(module, i)})"
                assert a.dtype == e.dtype and a.shape == e.shape, f"{where}: {a.dtype}{a.shape} != {e.dtype}{e.shape}"
                if e.dtype.kind in "fc":
                    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)
                else:
                    np.testing.assert_array_equal(a, e, err_msg=where)
            outputs.append(actual)
    return outputs


def module_line(module: ModuleOp, index: int) -> str:
    """The op that computes result `index` of the entry function (for messages)."""
    from infer.runtime.interpreter import entry_function

    ret = entry_function(module).body.block.last_op
    assert ret is not None
    owner = ret.operands[index].owner
    return getattr(owner, "name", "argument")
