"""The machinery of `convert-onnx-to-infer`: a converter per (op, version range) and the walk.

A converter is a function registered for an ONNX op type and the schema
versions it handles, dispatched on the schema version in force at the
module's opset (so `Softmax` before and after 13 can have different
converters):

    @converter("Relu")
    def relu(c: Conversion) -> SSAValue:
        return c.emit(ReluOp(c.input(0)))

    @converter("Softmax", until=12)      # schema versions 1 and 11
    @converter("Softmax", since=13)

It receives a `Conversion` for one node: its operands (already converted),
attributes with the schema's defaults, constant operand values, a builder
placed before the node, and `error()` for a diagnostic that names the node,
op and opset. It returns one value per ONNX output (None for outputs it does
not produce; using such an output is then an error).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
from xdsl.builder import Builder
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    IntegerType,
    ModuleOp,
    TensorType,
)
from xdsl.ir import Attribute, Block, BlockArgument, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.transforms.dead_code_elimination import dce

from infer.diagnostics import InferError, NotConstantError, UnsupportedError, node_name
from infer.dialects.constants import numpy_to_dense
from infer.dialects.infer import ConstantOp, constant_value
from infer.dialects.infer.base import InferOp, Shape, ShapeError, dims_of, tensor_type
from infer.dialects.infer.tensor import UnsqueezeOp
from infer.dialects.onnx import OPSET_ATTR, NoValueOp, OnnxOp
from infer.dialects.signature import io_names

ConverterFn = Callable[["Conversion"], "SSAValue | Sequence[SSAValue | None] | None"]


@dataclass(frozen=True)
class _Entry:
    since: int
    until: int
    fn: ConverterFn


_CONVERTERS: dict[tuple[str, str], list[_Entry]] = {}


def converter(
    op_type: str, *, since: int = 1, until: int = 10**9, domain: str = "ai.onnx"
) -> Callable[[ConverterFn], ConverterFn]:
    """Registers a converter for `op_type` schema versions in [since, until]."""

    def register(fn: ConverterFn) -> ConverterFn:
        _CONVERTERS.setdefault((domain, op_type), []).append(_Entry(since, until, fn))
        return fn

    return register


def supported_ops() -> dict[tuple[str, str], list[tuple[int, int]]]:
    """(domain, op type) -> the schema version ranges with a converter."""
    _load_converters()
    return {k: [(e.since, e.until) for e in v] for k, v in sorted(_CONVERTERS.items())}


def find_converter(op: OnnxOp) -> ConverterFn | None:
    _load_converters()
    schema = op.schema()
    if schema is None:
        return None
    for entry in _CONVERTERS.get((op.ONNX_DOMAIN, op.ONNX_NAME), []):
        if entry.since <= schema.since_version <= entry.until:
            return entry.fn
    return None


_LOADED = False


def _load_converters() -> None:
    global _LOADED
    if not _LOADED:
        import infer.lowering.onnx_to_infer.ops  # noqa: F401  (registers every converter)

        _LOADED = True


class Conversion:
    """One ONNX node being converted: its inputs, attributes and a builder before it."""

    def __init__(self, op: OnnxOp, opset: int) -> None:
        self.op = op
        self.opset = opset
        schema = op.schema()
        self.version = schema.since_version if schema is not None else opset
        """The schema version in force (e.g. 13 for Softmax at opset 17)."""
        self.builder = Builder(InsertPoint.before(op))

    # -- diagnostics ---------------------------------------------------------------------

    def error(self, message: str, hint: str | None = None) -> NoReturn:
        """Raises a diagnostic naming this node, its op and opset."""
        raise UnsupportedError(message, node=node_name(self.op), op=self.op.ONNX_NAME, opset=self.opset, hint=hint)

    def unsupported_attr(self, name: str, value: Any, supported: str) -> NoReturn:
        self.error(f"attribute '{name}' = {value!r} is not supported", hint=f"supported: {supported}")

    # -- inputs ----------------------------------------------------------------------------

    def input(self, index: int) -> SSAValue:
        """Required input `index` (error if absent)."""
        value = self.op.input(index)
        if value is None:
            name = self.op.INPUTS[index] if index < len(self.op.INPUTS) else f"#{index}"
            self.error(f"required input '{name}' is missing")
        return value

    def optional_input(self, index: int) -> SSAValue | None:
        return self.op.input(index)

    def inputs(self) -> list[SSAValue]:
        """All present inputs, in order (for variadic ops)."""
        return self.op.present_inputs()

    def has_input(self, index: int) -> bool:
        return self.op.input(index) is not None

    def const(self, index: int) -> np.ndarray | None:
        """The value of input `index` if it is a constant, else None (also when absent)."""
        value = self.op.input(index)
        return None if value is None else constant_value(value)

    def require_const(self, index: int, what: str | None = None) -> np.ndarray:
        """The constant value of input `index`; a diagnostic when it is computed at run time."""
        value = self.const(index)
        if value is None:
            name = what or (self.op.INPUTS[index] if index < len(self.op.INPUTS) else f"#{index}")
            raise NotConstantError(
                f"input '{name}' must be a constant (computed at run time is not supported)",
                node=node_name(self.op),
                op=self.op.ONNX_NAME,
                opset=self.opset,
                graph_inputs=graph_inputs_of(self.op.input(index)),
            )
        return value

    def attr(self, name: str, default: Any = None) -> Any:
        """Attribute `name` as a Python value, with the schema's default."""
        return self.op.attr(name, default)

    def has_attr(self, name: str) -> bool:
        return self.op.has_attr(name)

    def shape(self, value: SSAValue) -> Shape:
        if not isinstance(value.type, TensorType):
            self.error(
                f"operand has type {value.type}; a ranked tensor is needed",
                hint="give the model's inputs a rank, or run ONNX shape inference",
            )
        return dims_of(value.type)

    def rank(self, value: SSAValue) -> int:
        return len(self.shape(value))

    def element(self, value: SSAValue) -> Attribute:
        t = value.type
        if not isinstance(t, TensorType):
            self.error(f"operand has type {t}; a ranked tensor is needed")
        return t.element_type

    # -- building ---------------------------------------------------------------------------

    def emit(self, op: Operation) -> SSAValue:
        """Inserts `op` before the node (with the node's location); returns its first result."""
        return self.emit_op(op).results[0]

    def emit_op(self, op: Operation) -> Operation:
        """Inserts `op` before the node, with the node's location."""
        op.location = self.op.location
        self.builder.insert(op)
        return op

    def constant(self, array: np.ndarray | float | int, like: SSAValue | Attribute | None = None) -> SSAValue:
        """A constant value; with `like`, of that value's (or type's) element type."""
        arr = np.asarray(array)
        if like is not None:
            from infer.dialects.dtypes import to_numpy

            element = like.type.element_type if isinstance(like, SSAValue) else like  # type: ignore[attr-defined]
            arr = arr.astype(to_numpy(element))
        return self.emit(ConstantOp(numpy_to_dense(arr)))

    def scalar_like(self, value: float | int, like: SSAValue, rank: int | None = None) -> SSAValue:
        """A constant of shape [1]*rank (rank of `like` by default) with `like`'s element type."""
        r = self.rank(like) if rank is None else rank
        return self.constant(np.full([1] * r, value), like)

    def to_rank(self, value: SSAValue, rank: int) -> SSAValue:
        """Prepends dims of size 1 up to `rank` (numpy broadcasting, made explicit)."""
        current = self.rank(value)
        if current == rank:
            return value
        if current > rank:
            self.error(f"cannot broadcast a rank-{current} operand to rank {rank}")
        array = constant_value(value)
        if array is not None:
            return self.constant(array.reshape((1,) * (rank - current) + array.shape))
        return self.emit(UnsqueezeOp(value, list(range(rank - current))))

    def broadcast(self, *values: SSAValue) -> list[SSAValue]:
        """Operands brought to one rank for an elementwise op (ONNX multidirectional broadcasting)."""
        rank = max(self.rank(v) for v in values)
        return [self.to_rank(v, rank) for v in values]

    def result_type(self, index: int = 0) -> Attribute:
        """The ONNX-declared type of output `index` (may be less precise than infer's)."""
        return self.op.results[index].type

    def static_result_dims(self, index: int = 0) -> Shape | None:
        t = self.op.results[index].type
        return dims_of(t) if isinstance(t, TensorType) else None

    def tensor(self, element: Attribute, dims: Sequence[int | None]) -> TensorType:
        return tensor_type(element, dims)


def convert_module(module: ModuleOp) -> None:
    """Converts every `onnx` op of the module's functions to `infer` ops, in place.

    A module without `onnx` ops (already converted) is left as it is. Afterwards
    the module no longer records ONNX opsets: nothing depends on them."""
    if OPSET_ATTR not in module.attributes:
        if any(isinstance(op, OnnxOp) for op in module.walk()):
            raise InferError(
                "the module has onnx ops but no onnx.opset_import attribute",
                hint="add `attributes {onnx.opset_import = {ai.onnx = 17 : i64}}` to the module",
            )
        return
    for function in [op for op in module.ops if isinstance(op, func.FuncOp)]:
        _convert_block(function.body.block)
        _retype_function(function)
    del module.attributes[OPSET_ATTR]
    # Shape subgraphs whose results became static types are dead now.
    dce(module)


def _convert_block(block: Block) -> None:
    for op in list(block.ops):
        if isinstance(op, NoValueOp):
            continue
        if not isinstance(op, OnnxOp):
            if op.regions and any(isinstance(o, OnnxOp) for r in op.regions for o in r.walk()):
                raise UnsupportedError(f"{op.name} with onnx ops in its regions cannot be converted")
            continue
        _convert_op(op)
    # Constants whose users were folded into attributes (pads, axes, shapes) go too.
    for op in reversed(list(block.ops)):
        if isinstance(op, NoValueOp | ConstantOp) and not op.results[0].uses:
            Rewriter.erase_op(op)


def _convert_op(op: OnnxOp) -> None:
    opset = op.opset()
    if opset is None:
        raise InferError("op is outside a module with onnx.opset_import", node=node_name(op), op=op.ONNX_NAME)
    fn = find_converter(op)
    if fn is None:
        schema = op.schema()
        version = f" (schema version {schema.since_version})" if schema is not None else ""
        raise UnsupportedError(
            f"{op.ONNX_NAME}{version} cannot be converted to infer yet",
            node=node_name(op),
            op=op.ONNX_NAME,
            opset=opset,
            hint="see the README for the supported ops",
        )
    conversion = Conversion(op, opset)
    before = op.prev_op
    try:
        produced = fn(conversion)
    except InferError as e:
        raise e.with_context(node=node_name(op), op=op.ONNX_NAME, opset=opset) from None
    except ShapeError as e:
        # An infer op's shape rule rejected what the node gives it.
        raise InferError(str(e), node=node_name(op), op=op.ONNX_NAME, opset=opset) from None
    results: list[SSAValue | None]
    if produced is None:
        results = []
    elif isinstance(produced, SSAValue):
        results = [produced]
    else:
        results = list(produced)
    for i, old in enumerate(op.results):
        new = results[i] if i < len(results) else None
        if new is None:
            if old.uses:
                name = op.OUTPUTS[i] if i < len(op.OUTPUTS) else f"#{i}"
                conversion.error(f"output '{name}' is used but not supported")
            continue
        if new.name_hint is None and old.name_hint is not None:
            new.name_hint = old.name_hint
        old.replace_all_uses_with(new)
    after = op.next_op
    Rewriter.erase_op(op)
    block = after.parent_block() if after is not None else (before.parent_block() if before is not None else None)
    first = before.next_op if before is not None else (block.first_op if block is not None else None)
    _fold_constant_arithmetic(first, after)


SMALL_RESULT = 16
"""Results of any element type up to this many elements fold at conversion."""

INTEGER_RESULT = 1 << 16
"""Integer and boolean results (shape arithmetic) up to this many elements fold at conversion."""


def _foldable_result(value: SSAValue) -> bool:
    t = value.type
    if not isinstance(t, TensorType) or any(d < 0 for d in t.get_shape()):
        return False
    size = int(np.prod(t.get_shape(), dtype=np.int64))
    element = t.element_type
    return size <= SMALL_RESULT or (isinstance(element, IntegerType) and size <= INTEGER_RESULT)


def graph_inputs_of(value: SSAValue | None) -> tuple[str, ...]:
    """The names of the graph inputs (entry-function arguments) `value` is computed from."""
    names: list[str] = []
    seen: set[int] = set()
    stack = [value] if value is not None else []
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        if isinstance(v, BlockArgument):
            function = v.block.parent_op()
            if isinstance(function, func.FuncOp):
                name = io_names(function.arg_attrs, len(function.args), "input")[v.index]
                if name not in names:
                    names.append(name)
            continue
        if isinstance(v.owner, Operation):
            stack.extend(v.owner.operands)
    return tuple(names)


def _fold_constant_arithmetic(first: Operation | None, stop: Operation | None) -> None:
    """Folds the ops one node was converted to, from `first` up to `stop`, whose
    operands are all constants and whose results are small (shape arithmetic such
    as `Sub(Size(Shape(x)), axis)`, which the next node may need as a constant).
    They are computed by the reference semantics and replaced by constants."""
    from infer.runtime.interpreter import execute, has_semantics

    op = first
    while op is not None and op is not stop:
        following = op.next_op
        if (
            isinstance(op, InferOp)
            and not isinstance(op, ConstantOp)
            and op.operands
            and has_semantics(type(op))
            and all(_foldable_result(r) for r in op.results)
        ):
            arrays = [constant_value(v) for v in op.operands]
            if all(a is not None for a in arrays):
                results = execute(op, [a for a in arrays if a is not None])
                for old, array in zip(op.results, results, strict=True):
                    constant = ConstantOp(numpy_to_dense(np.asarray(array, order="C")))
                    constant.location = op.location
                    Rewriter.insert_op(constant, InsertPoint.before(op))
                    constant.result.name_hint = old.name_hint
                    old.replace_all_uses_with(constant.result)
                operands = list(op.operands)
                Rewriter.erase_op(op)
                for operand in operands:
                    owner = operand.owner
                    if isinstance(owner, ConstantOp) and not owner.result.uses:
                        if owner is following:
                            following = owner.next_op
                        Rewriter.erase_op(owner)
        op = following


def _retype_function(function: func.FuncOp) -> None:
    """After conversion, the function returns infer's (possibly more precise) types."""
    for arg in function.args:
        if not isinstance(arg.type, TensorType):
            raise UnsupportedError(
                f"graph input has type {arg.type}; only ranked tensors are supported",
                hint="give the model's inputs a shape (symbolic dims are fine)",
            )
    ret = function.body.block.last_op
    assert isinstance(ret, func.ReturnOp)
    function.function_type = func.FunctionType.from_lists(  # type: ignore[attr-defined]
        [a.type for a in function.args], [v.type for v in ret.arguments]
    )


def dense_value(attr: Attribute) -> np.ndarray:
    """A dense ONNX tensor attribute as numpy (errors for elided constants)."""
    if isinstance(attr, DenseResourceAttr):
        raise UnsupportedError("constant was elided when printed; print the IR with --print-constants")
    assert isinstance(attr, DenseIntOrFPElementsAttr)
    from infer.dialects.constants import dense_to_numpy

    return dense_to_numpy(attr)
