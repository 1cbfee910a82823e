"""The reference interpreter: runs `infer`-dialect functions on numpy arrays.

It is the executable definition of every `infer` op: each op's semantics is a
numpy function registered with `@reference(OpClass)` in
`infer.runtime.reference`. The interpreter never calls onnxruntime or
`onnx.reference`; those are oracles for tests only.

Inputs are checked against the entry function's signature (rank, static
dims, element type, and one size per ONNX dim symbol); each op's results are
checked against its declared result types, so a wrong shape rule or a wrong
semantics shows up where it happens.

Ops on the narrow floats (bfloat16, float8, ...) compute in float32: their
operands are widened before the op's semantics runs, its results are rounded
back to their declared types (`infer.cast` alone sees its operand as it is).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Attribute, Block, Operation, SSAValue

from infer.diagnostics import InferError, UnsupportedError, node_name
from infer.dialects.dtypes import NARROW_FLOATS, UnsupportedElementType, to_numpy
from infer.dialects.infer.base import dims_of
from infer.dialects.signature import ENTRY_POINT, dim_params, io_names

Semantics = Callable[..., Any]
"""`fn(op, *operand_arrays) -> array | sequence of arrays`."""

_SEMANTICS: dict[type[Operation], Semantics] = {}

Observer = Callable[[Operation, Sequence[np.ndarray]], None]
"""Called after each op with its results (used to compare runs op by op)."""


def reference(*op_classes: type[Operation]) -> Callable[[Semantics], Semantics]:
    """Registers the numpy semantics of one or more op classes."""

    def register(fn: Semantics) -> Semantics:
        for op_class in op_classes:
            _SEMANTICS[op_class] = fn
        return fn

    return register


def has_semantics(op_class: type[Operation]) -> bool:
    _load_semantics()
    return op_class in _SEMANTICS


_LOADED = False


def _load_semantics() -> None:
    global _LOADED
    if not _LOADED:
        import infer.runtime.reference  # noqa: F401  (registers every op's semantics)

        _LOADED = True


def entry_function(module: ModuleOp, name: str | None = None) -> func.FuncOp:
    """The function to run: `name`, else `main_graph`, else the only public one."""
    functions = [op for op in module.ops if isinstance(op, func.FuncOp)]
    if name is not None:
        for f in functions:
            if f.sym_name.data == name:
                return f
        raise InferError(f"the module has no function '@{name}'")
    for f in functions:
        if f.sym_name.data == ENTRY_POINT:
            return f
    public = [f for f in functions if f.sym_visibility is None or f.sym_visibility.data == "public"]
    if len(public) == 1:
        return public[0]
    raise InferError("the module has no entry function", hint="name one, or call it @main_graph")


class Interpreter:
    """Runs one function of a module on numpy inputs."""

    def __init__(self, module: ModuleOp, entry: str | None = None) -> None:
        _load_semantics()
        self.module = module
        self.function = entry_function(module, entry)
        self.input_names = io_names(self.function.arg_attrs, len(self.function.args), "input")
        self.output_names = io_names(self.function.res_attrs, len(self.function.function_type.outputs), "output")

    # -- inputs -------------------------------------------------------------------------

    def bind_inputs(self, inputs: Mapping[str, Any] | Sequence[Any]) -> list[np.ndarray]:
        """Orders and checks the inputs: a sequence in argument order or a mapping by name."""
        if isinstance(inputs, Mapping):
            missing = [n for n in self.input_names if n not in inputs]
            if missing:
                raise InferError(
                    f"missing input(s) {', '.join(map(repr, missing))}",
                    hint=f"the model takes {', '.join(map(repr, self.input_names))}",
                )
            unknown = [n for n in inputs if n not in self.input_names]
            if unknown:
                raise InferError(
                    f"unknown input(s) {', '.join(map(repr, unknown))}",
                    hint=f"the model takes {', '.join(map(repr, self.input_names))}",
                )
            values = [inputs[n] for n in self.input_names]
        else:
            values = list(inputs)
            if len(values) != len(self.input_names):
                raise InferError(
                    f"the model takes {len(self.input_names)} input(s) "
                    f"({', '.join(self.input_names)}), got {len(values)}"
                )
        symbols: dict[str, int] = {}
        arrays: list[np.ndarray] = []
        for i, (name, value, arg) in enumerate(zip(self.input_names, values, self.function.args, strict=True)):
            arrays.append(
                self._check_input(name, np.asarray(value), arg.type, dim_params(self.function.arg_attrs, i), symbols)
            )
        return arrays

    def _check_input(
        self, name: str, value: np.ndarray, t: Attribute, params: list[str], symbols: dict[str, int]
    ) -> np.ndarray:
        if not isinstance(t, TensorType):
            raise UnsupportedError(f"input '{name}' has type {t}, which the interpreter cannot take")
        expected = to_numpy(t.element_type)
        if value.dtype != expected:
            raise InferError(f"input '{name}' has dtype {value.dtype}, the model expects {expected}")
        dims = dims_of(t)
        shown = "x".join("?" if d is None else str(d) for d in dims)
        if value.ndim != len(dims) or any(d is not None and d != s for d, s in zip(dims, value.shape, strict=False)):
            raise InferError(f"input '{name}' has shape {list(value.shape)}, the model expects {shown}")
        for i, param in enumerate(params):
            if param and dims[i] is None:
                bound = symbols.setdefault(param, value.shape[i])
                if bound != value.shape[i]:
                    raise InferError(
                        f"input '{name}' dim {i} ('{param}') is {value.shape[i]}, "
                        f"but '{param}' is {bound} in another input"
                    )
        return value

    # -- running ------------------------------------------------------------------------------

    def run(self, inputs: Mapping[str, Any] | Sequence[Any], observer: Observer | None = None) -> dict[str, np.ndarray]:
        """Runs the entry function; returns the outputs by name, in order."""
        args = self.bind_inputs(inputs)
        outputs = run_function(self.function, args, self.module, observer)
        return dict(zip(self.output_names, outputs, strict=True))


def run_function(
    function: func.FuncOp, args: Sequence[np.ndarray], module: ModuleOp | None = None, observer: Observer | None = None
) -> list[np.ndarray]:
    _load_semantics()
    env: dict[SSAValue, np.ndarray] = dict(zip(function.args, args, strict=True))
    return run_block(function.body.block, env, module, observer)


def run_block(
    block: Block, env: dict[SSAValue, np.ndarray], module: ModuleOp | None, observer: Observer | None
) -> list[np.ndarray]:
    for op in block.ops:
        if isinstance(op, func.ReturnOp):
            return [env[v] for v in op.arguments]
        operands = [env[v] for v in op.operands]
        if isinstance(op, func.CallOp):
            callee = _find_function(module, op.callee.string_value())
            results = run_function(callee, operands, module, observer)
        else:
            results = execute(op, operands)
        for value, result in zip(op.results, results, strict=True):
            env[value] = result
        if observer is not None:
            observer(op, results)
    raise InferError("function body has no func.return")


def _find_function(module: ModuleOp | None, name: str) -> func.FuncOp:
    if module is not None:
        for op in module.ops:
            if isinstance(op, func.FuncOp) and op.sym_name.data == name:
                return op
    raise InferError(f"call to unknown function @{name}")


def execute(op: Operation, operands: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Runs one op on numpy operands; checks its results against its declared types."""
    semantics = _SEMANTICS.get(type(op))
    if semantics is None:
        raise UnsupportedError(f"the interpreter has no semantics for {op.name}", node=node_name(op), op=op.name)
    if op.name != "infer.cast" and any(getattr(a, "dtype", None) in NARROW_FLOATS for a in operands):
        operands = [a.astype(np.float32) if getattr(a, "dtype", None) in NARROW_FLOATS else a for a in operands]
    try:
        produced = semantics(op, *operands)
    except InferError as e:
        raise e.with_context(node=node_name(op), op=op.name) from None
    except (ValueError, IndexError, TypeError, ArithmeticError) as e:
        raise InferError(f"{op.name} failed at run time: {e}", node=node_name(op), op=op.name) from None
    results = [produced] if len(op.results) == 1 and not isinstance(produced, list | tuple) else list(produced)
    return [_conform(op, i, r) for i, r in enumerate(results)]


def _conform(op: Operation, index: int, value: Any) -> np.ndarray:
    t = op.results[index].type
    array = np.asarray(value)
    if not isinstance(t, TensorType):
        return array
    try:
        dtype = to_numpy(t.element_type)
    except UnsupportedElementType:
        return array
    if array.dtype != dtype:
        array = array.astype(dtype)
    dims = dims_of(t)
    if array.ndim != len(dims) or any(d is not None and d != s for d, s in zip(dims, array.shape, strict=False)):
        raise InferError(
            f"result #{index} has shape {list(array.shape)} at run time, but its type is {t}",
            node=node_name(op),
            op=op.name,
            hint="the op's shape rule and its semantics disagree (a bug in infer), or a dynamic dim mismatched",
        )
    return array
