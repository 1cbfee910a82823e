"""One-op test cases for the lowering to loops, run in xDSL's interpreter and as C.

A `Case` is one `infer` op (built by a function of the argument values) applied
to arrays; dims of the argument types may be made dynamic. Each case runs alone
through the loop level in xDSL's interpreter (`assert_case`); many cases at
once make one function with the results of every case, compiled once to C
(`assert_cases_in_c`). Both compare with the `infer` interpreter on the same
`infer` IR.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from loop_level import assert_loops_match, lower_to_loops
from xdsl.dialects import func
from xdsl.dialects.builtin import DYNAMIC_INDEX, ModuleOp, TensorType
from xdsl.ir import Block, Operation, Region, SSAValue

from infer.dialects.dtypes import from_numpy
from infer.runtime.interpreter import Interpreter


@dataclass
class Case:
    build: Callable[..., Operation]
    """Makes the op from the argument values (one per input)."""
    inputs: list[np.ndarray]
    dims: list[Sequence[int | None] | None] = field(default_factory=list)
    """Per input, its dims in the argument type (None for `?`); the array's own when absent."""

    def types(self) -> list[TensorType]:
        dims = [*self.dims, *[None] * (len(self.inputs) - len(self.dims))]
        return [
            TensorType(from_numpy(a.dtype), [DYNAMIC_INDEX if d is None else d for d in (a.shape if s is None else s)])
            for a, s in zip(self.inputs, dims, strict=True)
        ]


def module_of(cases: Sequence[Case]) -> tuple[ModuleOp, list[Operation]]:
    """`@main_graph` applying every case to its own arguments and returning every result."""
    types = [t for case in cases for t in case.types()]
    block = Block(arg_types=types)
    args = iter(block.args)
    ops: list[Operation] = []
    results: list[SSAValue] = []
    for case in cases:
        op = case.build(*[next(args) for _ in case.inputs])
        block.add_op(op)
        ops.append(op)
        results += list(op.results)
    block.add_op(func.ReturnOp(*results))
    function = func.FuncOp("main_graph", ([*types], [r.type for r in results]), Region(block))
    module = ModuleOp([function])
    module.verify()
    return module, ops


def assert_case(case: Case, rtol: float = 1e-6, atol: float = 0.0) -> list[np.ndarray]:
    """The case lowered to loops and run in xDSL's interpreter matches the reference."""
    module, _ = module_of([case])
    return assert_loops_match(module, case.inputs, rtol=rtol, atol=atol)


def assert_cases_in_c(cases: Sequence[Case], rtol: float = 1e-6, atol: float = 0.0) -> None:
    """All cases in one module, lowered to loops, compiled to C and run, match the reference."""
    from infer.runtime.c.build import build
    from infer.runtime.c.loader import CModel

    module, ops = module_of(cases)
    inputs = [a for case in cases for a in case.inputs]
    expected = list(Interpreter(module).run(inputs).values())
    built = build(lower_to_loops(module))
    actual = list(CModel(built.library, built.weights).run(inputs).values())
    assert len(actual) == len(expected)
    labels = [f"{op.name} {dict(op.properties)}" for op in ops for _ in op.results]
    for k, (a, e, label) in enumerate(zip(actual, expected, labels, strict=True)):
        message = f"output {k}: {label}"
        assert a.dtype == e.dtype and a.shape == e.shape, f"{message}: {a.dtype}{a.shape} != {e.dtype}{e.shape}"
        if e.dtype.kind == "f":
            np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True, err_msg=message)
        else:
            np.testing.assert_array_equal(a, e, err_msg=message)
