"""`--verify-each`: after every pass, run the interpreter and compare with the run before it.

The interpreter is the definition of correctness, so a pass that changes the
numbers is wrong whatever its FileCheck test says. `VerifyEach` is a pass
pipeline callback: once the module is in the `infer` dialect it runs the
entry function on seeded random inputs (dynamic dims take sizes from
`dims`, by symbol name) and records every node's value; after each later
pass it runs again and compares. On drift it names the pass, the first node
(in program order) whose value diverges, the max error, and where the IR
before and after the pass was written (with `dump_dir`).

Values are matched by node name, the location every op keeps from the
framework node it came from: a fused op carries a fused location
(`loc(fused["conv1", "bn1"])`) and stands for its last node. Constants are
not compared (fusions rewrite weights); a wrong constant shows at the first
computation that reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import FusedLoc, ModuleOp, NameLoc, TensorType
from xdsl.ir import Attribute, Operation
from xdsl.passes import ModulePass

from infer.diagnostics import InferError
from infer.dialects.dtypes import to_numpy
from infer.dialects.infer import ConstantOp
from infer.dialects.infer.base import dims_of
from infer.dialects.signature import dim_params
from infer.runtime.interpreter import Interpreter

DEFAULT_DIM = 2
"""Size of a dynamic dim that `dims` does not name."""


def node_of(location: Attribute) -> str | None:
    """The framework node an op's value stands for: its name, or the last name of a fused location."""
    if isinstance(location, NameLoc):
        return location.desc.data
    if isinstance(location, FusedLoc):
        names = [n for n in (node_of(x) for x in location.locations.data) if n]  # type: ignore[attr-defined]
        return names[-1] if names else None
    return None


def is_interpretable(module: ModuleOp) -> bool:
    """True once every op of the module is one the interpreter can run (no onnx ops left)."""
    from infer.dialects.onnx import NoValueOp, OnnxOp

    return not any(isinstance(op, OnnxOp | NoValueOp) for op in module.walk())


def sample_inputs(module: ModuleOp, dims: Mapping[str, int], seed: int) -> dict[str, np.ndarray]:
    """Seeded random inputs for the entry function; dynamic dims from `dims` by symbol."""
    interpreter = Interpreter(module)
    function = interpreter.function
    rng = np.random.default_rng(seed)
    inputs: dict[str, np.ndarray] = {}
    for index, (name, arg) in enumerate(zip(interpreter.input_names, function.args, strict=True)):
        t = arg.type
        if not isinstance(t, TensorType):
            raise InferError(f"--verify-each cannot make an input of type {t} for '{name}'")
        symbols = dim_params(function.arg_attrs, index)
        shape = []
        for i, d in enumerate(dims_of(t)):
            symbol = symbols[i] if i < len(symbols) else ""
            shape.append(d if d is not None else dims.get(symbol, dims.get(f"{name}:{i}", DEFAULT_DIM)))
        dtype = to_numpy(t.element_type)
        if np.issubdtype(dtype, np.floating):
            inputs[name] = rng.standard_normal(shape).astype(dtype)
        elif dtype == np.bool_:
            inputs[name] = rng.integers(0, 2, shape).astype(np.bool_)
        else:
            inputs[name] = rng.integers(0, 4, shape).astype(dtype)
    return inputs


@dataclass
class _Run:
    outputs: dict[str, np.ndarray]
    nodes: dict[str, np.ndarray]
    order: list[str]


def _execute(module: ModuleOp, inputs: Mapping[str, np.ndarray]) -> _Run:
    nodes: dict[str, np.ndarray] = {}
    order: list[str] = []

    def observe(op: Operation, results: list[np.ndarray] | tuple[np.ndarray, ...]) -> None:
        # Constants are not compared: passes legitimately rewrite weights (a folded
        # batch-norm); a wrong one shows at the first computation that reads it.
        if isinstance(op, ConstantOp):
            return
        if isinstance(op.parent_op(), func.FuncOp) and len(results) == 1:
            name = node_of(op.location)
            if name is not None:
                if name not in nodes:
                    order.append(name)
                nodes[name] = results[0]

    outputs = Interpreter(module).run(dict(inputs), observer=observe)  # type: ignore[arg-type]
    return _Run(outputs, nodes, order)


def compare(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> tuple[float, bool]:
    """(max abs error, within tolerance?). Tolerance is normwise: the max abs error
    against `atol + rtol * max|expected|`, which suits activations whose elements
    cancel to near zero. NaNs and infinities must sit in the same places."""
    if actual.shape != expected.shape:
        return float("inf"), False
    if not np.issubdtype(expected.dtype, np.inexact):
        diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
        return (float(diff.max()) if diff.size else 0.0), bool((actual == expected).all())
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    if (np.isnan(a) != np.isnan(e)).any():
        return float("nan"), False
    infinite = np.isinf(e)
    if (a[infinite] != e[infinite]).any():
        return float("inf"), False
    finite = np.isfinite(e)
    if not finite.any():
        return 0.0, True
    error = float(np.abs(a[finite] - e[finite]).max())
    return error, error <= atol + rtol * float(np.abs(e[finite]).max())


def _comparable(actual: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The two values in a form that can be compared, or None. A layout pass stores a
    node's value with its dims permuted (NHWC for NCHW): then the sorted elements are
    compared; a wrong arrangement shows where the value leaves the region."""
    if actual.shape == expected.shape:
        return actual, expected
    if sorted(actual.shape) == sorted(expected.shape):
        return np.sort(actual, axis=None), np.sort(expected, axis=None)
    return None


@dataclass
class VerifyEach:
    """A pass-pipeline callback comparing interpreter results before and after each pass."""

    dims: Mapping[str, int] = field(default_factory=dict)
    seed: int = 0
    rtol: float = 1e-4
    """Relative to the largest magnitude of each compared value (normwise)."""
    atol: float = 1e-5
    dump_dir: Path | None = None
    checked: list[str] = field(default_factory=list)
    """Names of the passes verified so far."""
    _inputs: dict[str, np.ndarray] | None = None
    _reference: _Run | None = None
    _before_text: str | None = None

    def within(self, actual: np.ndarray, expected: np.ndarray) -> tuple[float, bool]:
        return compare(actual, expected, self.rtol, self.atol)

    def __call__(self, previous: ModulePass | None, module: ModuleOp, following: ModulePass | None) -> None:
        if not is_interpretable(module):
            return
        if self._reference is None:
            self._inputs = sample_inputs(module, self.dims, self.seed)
            self._reference = _execute(module, self._inputs)
            self._before_text = self._text(module)
            return
        assert self._inputs is not None
        name = previous.name if previous is not None else "?"
        run = _execute(module, self._inputs)
        self._compare(name, module, run)
        self.checked.append(name)
        self._reference = run
        self._before_text = self._text(module)

    def _compare(self, pass_name: str, module: ModuleOp, run: _Run) -> None:
        reference = self._reference
        assert reference is not None
        problem: str | None = None
        for node in reference.order:
            if node in run.nodes and node in reference.nodes:
                pair = _comparable(run.nodes[node], reference.nodes[node])
                if pair is None:
                    continue
                error, ok = self.within(*pair)
                if not ok:
                    problem = f"node '{node}' first diverges (max abs error {error:.3g})"
                    break
        output_errors = []
        for output, expected in reference.outputs.items():
            error, ok = self.within(run.outputs[output], expected)
            if not ok:
                output_errors.append(f"'{output}' (max abs error {error:.3g})")
        if problem is None and not output_errors:
            return
        if problem is None:
            problem = f"output {', '.join(output_errors)} diverges"
        elif output_errors:
            problem += f"; outputs {', '.join(output_errors)} differ"
        where = ""
        if self.dump_dir is not None:
            self.dump_dir.mkdir(parents=True, exist_ok=True)
            before = self.dump_dir / f"{len(self.checked):02d}-before-{pass_name}.mlir"
            after = self.dump_dir / f"{len(self.checked):02d}-after-{pass_name}.mlir"
            before.write_text(self._before_text or "")
            after.write_text(self._text(module) or "")
            where = f"; IR before and after written to {before} and {after}"
        raise InferError(
            f"--verify-each: pass '{pass_name}' changed the results: {problem}{where}",
            hint=None if where else "rerun with --verify-each-dump=DIR to keep the IR before and after the pass",
        )

    def _text(self, module: ModuleOp) -> str | None:
        if self.dump_dir is None:
            return None
        from infer.api import print_ir

        return print_ir(module, constants=True, debuginfo=True)
