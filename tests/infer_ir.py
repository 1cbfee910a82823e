"""Helpers for tests on `infer` IR: parse, run through the interpreter, compare passes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
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
    same_bits: bool = False,
) -> ModuleOp:
    """Runs `module` before and after `pass_` on `inputs`; asserts equal results.
    With `same_bits`, results must be the same bits (signed zeros included; any
    NaN matches any NaN) whatever the tolerances.
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
        if same_bits:
            assert _same_bits(a, b), f"output {i}: the values are equal but their bits differ (signed zeros?)"
    return after_module


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype.kind != "f":
        return bool(np.array_equal(a, b))
    unsigned = np.dtype(f"u{a.dtype.itemsize}")
    bits_a, bits_b = np.ascontiguousarray(a).view(unsigned), np.ascontiguousarray(b).view(unsigned)
    return bool(np.all((np.isnan(a) & np.isnan(b)) | (bits_a == bits_b)))


def run_with_nodes(
    module: ModuleOp, inputs: Mapping[str, np.ndarray] | list[np.ndarray]
) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    """One run: the outputs, and every node's value by the node name of its op's
    location (the last op standing for a node gives its value, as in
    `infer.verify_each`)."""
    from infer.verify_each import node_of

    values: dict[str, np.ndarray] = {}

    def observe(op: Operation, results: Sequence[np.ndarray]) -> None:
        name = node_of(op.location)
        if name is not None and len(results) == 1:
            values[name] = results[0]

    outputs = Interpreter(module).run(inputs, observer=observe)
    return list(outputs.values()), values


def assert_pass_preserves_nodes(
    module: ModuleOp,
    pass_: ModulePass,
    inputs: Mapping[str, np.ndarray] | list[np.ndarray],
    *,
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> ModuleOp:
    """`assert_pass_preserves`, and every node both modules compute has the same value
    in both (matched by location), within `rtol` of the node's largest magnitude plus
    `atol` (a rewrite that moves roundings, like folding constants, can make the
    error large relative to one small element that cancels). One run before and one
    after the pass. Returns the transformed module (a clone)."""
    outputs_before, nodes_before = run_with_nodes(module, inputs)
    after_module = module.clone()
    pass_.apply(load_context(), after_module)
    after_module.verify()
    outputs_after, nodes_after = run_with_nodes(after_module, inputs)
    assert len(outputs_before) == len(outputs_after)
    for i, (b, a) in enumerate(zip(outputs_before, outputs_after, strict=True)):
        assert a.dtype == b.dtype and a.shape == b.shape, f"output {i}: {a.dtype}{a.shape} != {b.dtype}{b.shape}"
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"output {i}")
    common = [name for name in nodes_before if name in nodes_after]
    assert common, "no node of the module before the pass is left after it"
    for name in common:
        expected, actual = nodes_before[name], nodes_after[name]
        assert actual.shape == expected.shape and actual.dtype == expected.dtype, f"node {name}"
        if not expected.size:
            continue
        e, a = expected.astype(np.float64), actual.astype(np.float64)
        assert (np.isnan(a) == np.isnan(e)).all(), f"node {name}: NaNs differ"
        if np.isnan(e).all():
            continue
        scale, error = float(np.nanmax(np.abs(e))), float(np.nanmax(np.abs(a - e)))
        assert error <= rtol * scale + atol, f"node {name}: max error {error:.3g} at scale {scale:.3g}"
    return after_module
