"""The machinery of `convert-infer-to-linalg`: a lowering per `infer` op, the walk, sizes.

A lowering is a function registered for one or more `infer` op classes:

    @lowering(ew.ReluOp)
    def relu(l: Lowering) -> SSAValue:
        result = l.alloc_result()
        return map_elements(l, [l.operand(0)], lambda s, v: s.max(v[0], s.zero(v[0].type)), result)

It receives a `Lowering` for one op: the op's operands as memrefs (already
lowered), its result types as memref types, the sizes of every operand dim
(`sizes`, `Size` arithmetic for derived sizes), allocation of results
(`alloc_result`, sized by the op's own shape rule) and scratch buffers, and
`error()` for a diagnostic naming the op and its node. It returns one memref
per result of the op, each freshly allocated (destination-passing style: the
lowering writes into buffers it allocated, never into its operands).

`Size` arithmetic and `memref.dim`s are emitted where the lowering of the op
is being inserted (the end of the function so far) and cached per function:
compute the sizes a region needs before building it. A lowering that needs
an op's dynamic result dims computes them with `Size` arithmetic (a
convolution's output height) or gets them from `result_sizes`, which reads
the op's shape rule for dims it copies from an operand.

The walk builds each function anew, op by op, in a new block whose arguments
are memrefs; the old `infer` ops are never changed, so a lowering can still
read their tensor types, properties and constant operands. Finally:

- the function's type becomes memrefs (argument and result attributes stay);
- a returned value that the function did not allocate itself (an argument,
  a constant, a value returned twice) is copied into a new buffer, since the
  caller owns the results;
- globals of constants nothing reads any more are removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import NoReturn

import numpy as np
from xdsl.builder import Builder
from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    DenseIntOrFPElementsAttr,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
    TensorType,
    UnitAttr,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.rewriter import InsertPoint
from xdsl.traits import SymbolOpInterface

from infer.diagnostics import InferError, UnsupportedError, node_name
from infer.dialects.constants import is_elided
from infer.dialects.infer import CompositeOp, ConstantOp
from infer.dialects.infer.base import InferOp, ShapeError, dims_of
from infer.lowering.infer_to_linalg.scalar import Scalar

LowerFn = Callable[["Lowering"], "SSAValue | Sequence[SSAValue]"]

_LOWERINGS: dict[type[Operation], LowerFn] = {}
_KERNEL_LOWERINGS: dict[str, LowerFn] = {}


def lowering(*op_classes: type[Operation]) -> Callable[[LowerFn], LowerFn]:
    """Registers the lowering of one or more op classes."""

    def register(fn: LowerFn) -> LowerFn:
        for op_class in op_classes:
            if op_class in _LOWERINGS:
                raise ValueError(f"{op_class.name} has two lowerings to linalg")  # type: ignore[attr-defined]
            _LOWERINGS[op_class] = fn
        return fn

    return register


def kernel_lowering(*kernels: str) -> Callable[[LowerFn], LowerFn]:
    """Registers the lowering of ops marked `infer.kernel = "<kernel>"` by
    `select-kernels`: it takes precedence over the op's own lowering."""

    def register(fn: LowerFn) -> LowerFn:
        for kernel in kernels:
            if kernel in _KERNEL_LOWERINGS:
                raise ValueError(f"kernel {kernel} has two lowerings")
            _KERNEL_LOWERINGS[kernel] = fn
        return fn

    return register


_LOADED = False


def _load_lowerings() -> None:
    global _LOADED
    if not _LOADED:
        import infer.lowering.infer_to_linalg.ops  # noqa: F401  (registers every lowering)

        _LOADED = True


def find_lowering(op_class: type[Operation]) -> LowerFn | None:
    _load_lowerings()
    return _LOWERINGS.get(op_class)


def find_kernel_lowering(op: Operation) -> LowerFn | None:
    """The kernel lowering of an op marked by `select-kernels`, or None for an unmarked op."""
    from infer.lowering.select_kernels import KERNEL_ATTR

    mark = op.attributes.get(KERNEL_ATTR)
    if mark is None:
        return None
    _load_lowerings()
    kernel = mark.data if isinstance(mark, StringAttr) else str(mark)
    fn = _KERNEL_LOWERINGS.get(kernel)
    if fn is None:
        raise UnsupportedError(
            f"marked {KERNEL_ATTR} = {kernel!r}, a kernel without a lowering",
            node=node_name(op),
            op=op.name,
            hint=f"kernels: {', '.join(sorted(_KERNEL_LOWERINGS))}",
        )
    return fn


def supported_ops() -> list[str]:
    """The names of the `infer` ops that lower to linalg, sorted."""
    _load_lowerings()
    return sorted(op_class.name for op_class in _LOWERINGS)  # type: ignore[attr-defined]


# -- types ------------------------------------------------------------------------------------


def memref_type(t: Attribute) -> MemRefType:
    """The memref type of a ranked tensor type: same dims (`?` kept), identity layout."""
    if not isinstance(t, TensorType):
        raise UnsupportedError(f"type {t} has no memref form: only ranked tensors lower to memrefs")
    return MemRefType(t.element_type, t.get_shape())


def shape_of(t: Attribute) -> tuple[int | None, ...]:
    """The dims of a memref or tensor type, None for a dynamic one."""
    assert isinstance(t, MemRefType | TensorType)
    return tuple(None if d == DYNAMIC_INDEX else d for d in t.get_shape())


def element_type(value: SSAValue | Attribute) -> Attribute:
    t = value.type if isinstance(value, SSAValue) else value
    assert isinstance(t, MemRefType | TensorType)
    return t.element_type


# -- sizes ------------------------------------------------------------------------------------


class Size:
    """An `index` quantity (a dim, a loop bound): an int known at compile time, or
    an SSA value computed at run time. Arithmetic with ints and other sizes folds
    what is static and emits `arith` ops on `index` for the rest:

        out = (h + pad - dilation * (k - 1) - 1) // stride + 1
    """

    def __init__(self, function: FunctionLowering, static: int | None = None, value: SSAValue | None = None) -> None:
        assert (static is None) != (value is None)
        self._function = function
        self.static = static
        self._value = value

    @property
    def is_static(self) -> bool:
        return self.static is not None

    @property
    def value(self) -> SSAValue:
        """The size as an `index` SSA value (a constant if it is static)."""
        if self._value is None:
            assert self.static is not None
            self._value = self._function.index_constant(self.static)
        return self._value

    def __repr__(self) -> str:
        return f"Size({self.static})" if self.is_static else f"Size({self._value})"

    def _size(self, other: Size | int) -> Size:
        return other if isinstance(other, Size) else Size(self._function, static=other)

    def _apply(
        self, other: Size | int, fold: Callable[[int, int], int], op_class: Callable[..., Operation], swap: bool = False
    ) -> Size:
        a, b = (self._size(other), self) if swap else (self, self._size(other))
        if a.static is not None and b.static is not None:
            return Size(self._function, static=fold(a.static, b.static))
        return Size(self._function, value=self._function.emit_value(op_class(a.value, b.value)))

    def __add__(self, other: Size | int) -> Size:
        if other == 0:
            return self
        if self == 0:
            return self._size(other)
        return self._apply(other, lambda a, b: a + b, arith.AddiOp)

    def __radd__(self, other: int) -> Size:
        return self + other

    def __sub__(self, other: Size | int) -> Size:
        if other == 0:
            return self
        return self._apply(other, lambda a, b: a - b, arith.SubiOp)

    def __rsub__(self, other: int) -> Size:
        return self._apply(other, lambda a, b: a - b, arith.SubiOp, swap=True)

    def __mul__(self, other: Size | int) -> Size:
        if other == 1:
            return self
        if self == 1:
            return self._size(other)
        return self._apply(other, lambda a, b: a * b, arith.MuliOp)

    def __rmul__(self, other: int) -> Size:
        return self * other

    def __floordiv__(self, other: Size | int) -> Size:
        """Division rounding towards -inf (`arith.floordivsi`)."""
        if other == 1:
            return self
        return self._apply(other, lambda a, b: a // b, arith.FloorDivSIOp)

    def ceildiv(self, other: Size | int) -> Size:
        """Division rounding towards +inf (`arith.ceildivsi`)."""
        if other == 1:
            return self
        return self._apply(other, lambda a, b: -(-a // b), arith.CeilDivSIOp)

    def max(self, other: Size | int) -> Size:
        return self._apply(other, max, arith.MaxSIOp)

    def min(self, other: Size | int) -> Size:
        return self._apply(other, min, arith.MinSIOp)

    def __eq__(self, other: object) -> bool:
        """Equal when both are the same static int or the same SSA value."""
        if isinstance(other, int):
            return self.static == other
        if isinstance(other, Size):
            if self.is_static or other.is_static:
                return self.static == other.static
            return self._value is other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.static) if self.is_static else id(self._value)


def product(sizes: Iterable[Size], one: Size) -> Size:
    """The product of `sizes` (`one` for none)."""
    result = one
    for size in sizes:
        result = result * size
    return result


# -- one op ------------------------------------------------------------------------------------


class Lowering:
    """One `infer` op being lowered: its operands as memrefs, sizes, allocation, diagnostics."""

    def __init__(self, op: Operation, function: FunctionLowering) -> None:
        self.op = op
        self.function = function
        self.scratch_buffers: list[SSAValue] = []

    @property
    def builder(self) -> Builder:
        """Inserts at the end of the lowered function so far (with the op's location)."""
        return self.function.builder

    @property
    def scalar(self) -> Scalar:
        """Scalar arithmetic at the function level (e.g. for an init value)."""
        return Scalar(self.builder)

    # -- diagnostics -------------------------------------------------------------------------

    def error(self, message: str, hint: str | None = None) -> NoReturn:
        """Raises a one-line diagnostic naming this op and its node."""
        raise UnsupportedError(message, node=node_name(self.op), op=self.op.name, hint=hint)

    # -- operands ----------------------------------------------------------------------------

    def operand(self, index: int) -> SSAValue:
        """Operand `index` as the memref it was lowered to."""
        return self.function.lookup(self.op.operands[index])

    @property
    def operands(self) -> list[SSAValue]:
        return [self.function.lookup(v) for v in self.op.operands]

    def one_element(self, index: int) -> np.generic | None:
        """The value of operand `index` if it is a constant holding one element (a
        splat, or a single element that broadcasting stretches), else None."""
        return one_element_value(self.op.operands[index])

    # -- sizes -------------------------------------------------------------------------------

    def static(self, value: int) -> Size:
        return Size(self.function, static=value)

    def size(self, value: SSAValue, dim: int) -> Size:
        """Dim `dim` of a memref (static, or its `memref.dim`)."""
        return self.function.dim(value, dim)

    def sizes(self, value: SSAValue) -> list[Size]:
        """Every dim of a memref."""
        return [self.size(value, i) for i in range(len(shape_of(value.type)))]

    def index_at(self, buffer: SSAValue, indices: Sequence[int]) -> Size:
        """An element of an integer memref, read at run time, as a size (e.g. a
        shape held in a tensor)."""
        s = self.scalar
        loaded = s.insert(memref.LoadOp.get(buffer, [self.static(i).value for i in indices]))
        return Size(self.function, value=s.index(loaded))

    def result_sizes(self, index: int = 0) -> list[Size]:
        """The dims of result `index`: static ones from its type, dynamic ones from the
        operand dims the op's shape rule copies them from (see `_copied_dims`)."""
        result_shape = shape_of(self.op.results[index].type)
        sources = _copied_dims(self.op, index)
        sizes: list[Size] = []
        for i, d in enumerate(result_shape):
            if d is not None:
                sizes.append(self.static(d))
                continue
            source = sources[i]
            if source is None:
                self.error(
                    f"result dim {i} is dynamic and not an operand's dim: the lowering must compute its size",
                    hint="a bug in the lowering of this op",
                )
            operand, dim = source
            sizes.append(self.size(self.operand(operand), dim))
        return sizes

    # -- buffers -------------------------------------------------------------------------------

    def result_type(self, index: int = 0) -> MemRefType:
        return memref_type(self.op.results[index].type)

    def alloc(self, element: Attribute, sizes: Sequence[Size]) -> SSAValue:
        """A new buffer of `element`s with the given dims (dynamic where not static)."""
        return self.function.alloc(element, sizes)

    def alloc_result(self, index: int = 0, sizes: Sequence[Size] | None = None) -> SSAValue:
        """The buffer of result `index`, sized by the shape rule unless `sizes` are given."""
        t = self.result_type(index)
        if sizes is None:
            sizes = self.result_sizes(index)
        # Static dims of the declared type win over what the sizes could tell.
        known = [self.static(d) if d is not None else s for d, s in zip(shape_of(t), sizes, strict=True)]
        return self.alloc(t.element_type, known)

    def scratch(self, element: Attribute, sizes: Sequence[Size]) -> SSAValue:
        """A buffer used only while lowering this op: deallocated after it."""
        buffer = self.alloc(element, sizes)
        self.scratch_buffers.append(buffer)
        return buffer

    def emit(self, op: Operation) -> Operation:
        """Inserts `op` at the end of the lowered function (with this op's location)."""
        self.builder.insert(op)
        return op

    def global_constant(self, value: DenseIntOrFPElementsAttr, t: MemRefType) -> SSAValue:
        """A read-only buffer holding `value` (a `memref.global` and its `memref.get_global`)."""
        name = self.function.module.add_global(value, t, node_name(self.op))
        return self.function.emit_value(memref.GetGlobalOp(name, t))


def one_element_value(value: SSAValue) -> np.generic | None:
    """The value of an `infer.constant` that stores one element, else None."""
    owner = value.owner
    if not isinstance(owner, ConstantOp) or is_elided(owner.value):
        return None
    attr = owner.value
    assert isinstance(attr, DenseIntOrFPElementsAttr)
    t = owner.result.type
    assert isinstance(t, TensorType)
    try:
        array = owner.to_numpy()
    except ValueError:
        return None
    if t.element_count() != 1 and not owner.is_splat:
        return None
    return array.reshape(-1)[0] if array.size else None


_PROBE = 1_000_003
"""A size no real dim has: what a dynamic dim is set to when probing a shape rule."""


def _copied_dims(op: Operation, index: int) -> list[tuple[int, int] | None]:
    """For each dim of result `index`: the (operand, dim) whose size it is, if the op's
    shape rule copies it from a dynamic operand dim; None otherwise.

    The shape rule is run once per dynamic operand dim, with that dim set to a
    probe size and the others left dynamic: a result dim that comes out as the
    probe is that operand dim. This turns every rule that forwards dims
    (elementwise, matmul, reductions, transposes ...) into index arithmetic
    without restating it; sizes computed from several dims (a convolution's
    output, a concatenation) are the op's lowering's to compute."""
    rank = len(shape_of(op.results[index].type))
    found: list[tuple[int, int] | None] = [None] * rank
    if not isinstance(op, InferOp):
        return found
    types = [v.type for v in op.operands]
    for j, t in enumerate(types):
        if not isinstance(t, TensorType):
            continue
        for i, d in enumerate(dims_of(t)):
            if d is not None:
                continue
            probe_shape = [_PROBE if k == i else (DYNAMIC_INDEX if e is None else e) for k, e in enumerate(dims_of(t))]
            probed = [*types[:j], TensorType(t.element_type, probe_shape), *types[j + 1 :]]
            try:
                results = type(op).shape_rule(probed, op.properties)
            except (ShapeError, NotImplementedError, ValueError):
                continue
            result = results[index]
            if not isinstance(result, TensorType):
                continue
            for k, r in enumerate(dims_of(result)):
                if r == _PROBE and found[k] is None:
                    found[k] = (j, i)
    return found


# -- functions ---------------------------------------------------------------------------------


class ModuleLowering:
    """What the functions of one module share: the globals of their constants."""

    def __init__(self, module: ModuleOp) -> None:
        self.module = module
        self.globals: list[memref.GlobalOp] = []
        self._names = {
            op.sym_name.data  # type: ignore[attr-defined]
            for op in module.ops
            if op.get_trait(SymbolOpInterface) is not None and hasattr(op, "sym_name")
        }

    def unique_name(self, base: str) -> str:
        name = re.sub(r"[^A-Za-z0-9_]", "_", base) or "cst"
        if name[0].isdigit():
            name = f"_{name}"
        candidate, n = name, 0
        while candidate in self._names:
            n += 1
            candidate = f"{name}_{n}"
        self._names.add(candidate)
        return candidate

    def add_global(self, value: DenseIntOrFPElementsAttr, t: MemRefType, node: str | None) -> str:
        """A private constant `memref.global` holding `value`; returns its name."""
        name = self.unique_name(f"__constant_{node}" if node else "__constant")
        self.globals.append(memref.GlobalOp.get(StringAttr(name), t, value, StringAttr("private"), constant=UnitAttr()))
        return name

    def finish(self) -> None:
        """Puts the globals that are read first in the module; drops the others."""
        for op in list(self.module.walk()):
            if isinstance(op, memref.GetGlobalOp) and not op.memref.uses:
                op.detach()
                op.erase()
        used = {
            op.name_.root_reference.data  # type: ignore[attr-defined]
            for op in self.module.walk()
            if isinstance(op, memref.GetGlobalOp)
        }
        kept = [g for g in self.globals if g.sym_name.data in used]
        block = self.module.body.block
        for g in reversed(kept):
            if block.first_op is None:
                block.add_op(g)
            else:
                block.insert_op_before(g, block.first_op)


class FunctionLowering:
    """One function being rebuilt on memrefs: the value map, constants and dims."""

    def __init__(self, function: func.FuncOp, module: ModuleLowering) -> None:
        self.source = function
        self.module = module
        old = function.body.block
        self.block = Block(arg_types=[_memref_or_same(a.type) for a in old.args])
        self.values: dict[SSAValue, SSAValue] = dict(zip(old.args, self.block.args, strict=True))
        for new, old_arg in zip(self.block.args, old.args, strict=True):
            new.name_hint = old_arg.name_hint
        self.builder = Builder(InsertPoint.at_end(self.block))
        self.builder.operation_insertion_handler.append(self._locate)
        self.location: Attribute | None = None
        self._constants: dict[int, SSAValue] = {}
        self._last_constant: Operation | None = None
        self._dims: dict[tuple[SSAValue, int], Size] = {}

    def _locate(self, op: Operation) -> None:
        if self.location is not None:
            op.location = self.location  # type: ignore[assignment]

    def lookup(self, value: SSAValue) -> SSAValue:
        new = self.values.get(value)
        if new is None:
            raise InferError(f"value {value} was not lowered (used before it is defined?)")
        return new

    def emit_value(self, op: Operation) -> SSAValue:
        self.builder.insert(op)
        return op.results[0]

    def index_constant(self, value: int) -> SSAValue:
        """An `index` constant, made once per function at its start."""
        known = self._constants.get(value)
        if known is not None:
            return known
        op = arith.ConstantOp(IntegerAttr(value, IndexType()))
        if self._last_constant is not None:
            self.block.insert_op_after(op, self._last_constant)
        elif self.block.first_op is not None:
            self.block.insert_op_before(op, self.block.first_op)
        else:
            self.block.add_op(op)
        self._last_constant = op
        self._constants[value] = op.result
        return op.result

    def alloc(self, element: Attribute, sizes: Sequence[Size]) -> SSAValue:
        shape = [s.static if s.static is not None else DYNAMIC_INDEX for s in sizes]
        dynamic = [s.value for s in sizes if not s.is_static]
        buffer = self.emit_value(memref.AllocOp(dynamic, [], MemRefType(element, shape)))
        # Its dims are known: no memref.dim needed to read them back.
        for i, size in enumerate(sizes):
            if not size.is_static:
                self._dims[(buffer, i)] = size
        return buffer

    def dim(self, value: SSAValue, dim: int) -> Size:
        shape = shape_of(value.type)
        if shape[dim] is not None:
            return Size(self, static=shape[dim])
        known = self._dims.get((value, dim))
        if known is None:
            index = self.index_constant(dim)
            known = Size(self, value=self.emit_value(memref.DimOp(value, index)))
            self._dims[(value, dim)] = known
        return known

    # -- the walk ---------------------------------------------------------------------------------

    def run(self) -> None:
        function = self.source
        for op in list(function.body.block.ops):
            self.location = op.location
            if isinstance(op, func.ReturnOp):
                self._lower_return(op)
            elif isinstance(op, func.CallOp):
                self._lower_call(op)
            else:
                self._lower_op(op)
        self.location = None
        old = function.body.detach_block(function.body.block)
        function.body.add_block(self.block)
        old.erase(safe_erase=False)
        ret = self.block.last_op
        outputs = [v.type for v in ret.operands] if isinstance(ret, func.ReturnOp) else []
        function.function_type = func.FunctionType.from_lists([a.type for a in self.block.args], outputs)  # type: ignore[attr-defined]

    def _lower_op(self, op: Operation) -> None:
        kernel = find_kernel_lowering(op)
        if kernel is not None:
            self._lower_with(op, kernel)
            return
        if isinstance(op, CompositeOp):
            raise UnsupportedError(
                "composite op cannot be lowered to linalg directly",
                node=node_name(op),
                op=op.name,
                hint="run --decompose-composites first (lower-to-loops-pipeline does)",
            )
        fn = find_lowering(type(op))
        if fn is None and not isinstance(op, InferOp) and not _has_tensors(op):
            # Not a tensor op (index arithmetic, an op already on memrefs): kept as it is.
            clone = op.clone(value_mapper=self.values)
            self.builder.insert(clone)
            self.values.update(zip(op.results, clone.results, strict=True))
            return
        if fn is None:
            raise UnsupportedError(
                "cannot be lowered to linalg yet (no lowering registered)",
                node=node_name(op),
                op=op.name,
                hint="see infer.lowering.infer_to_linalg.supported_ops()",
            )
        self._lower_with(op, fn)

    def _lower_with(self, op: Operation, fn: LowerFn) -> None:
        lowering_ = Lowering(op, self)
        try:
            produced = fn(lowering_)
        except InferError as e:
            raise e.with_context(node=node_name(op), op=op.name) from None
        except ShapeError as e:
            raise InferError(str(e), node=node_name(op), op=op.name) from None
        results = [produced] if isinstance(produced, SSAValue) else list(produced)
        if len(results) != len(op.results):
            raise InferError(
                f"its lowering gave {len(results)} values for {len(op.results)} results (a bug in infer)",
                node=node_name(op),
                op=op.name,
            )
        for old, new in zip(op.results, results, strict=True):
            if new.name_hint is None and old.name_hint is not None:
                new.name_hint = old.name_hint
            self.values[old] = new
        for buffer in lowering_.scratch_buffers:
            self.builder.insert(memref.DeallocOp.get(buffer))

    def _lower_call(self, op: func.CallOp) -> None:
        call = func.CallOp(
            op.callee, [self.lookup(v) for v in op.operands], [_memref_or_same(r.type) for r in op.results]
        )
        self.builder.insert(call)
        for old, new in zip(op.results, call.results, strict=True):
            new.name_hint = old.name_hint
            self.values[old] = new

    def _lower_return(self, op: func.ReturnOp) -> None:
        returned: list[SSAValue] = []
        for old in op.arguments:
            value = self.lookup(old)
            if not isinstance(value.type, MemRefType) or self._owned(value, returned):
                returned.append(value)
                continue
            # The caller owns every result: copy what the function did not allocate.
            sizes = [self.dim(value, i) for i in range(len(shape_of(value.type)))]
            copy = self.alloc(value.type.element_type, sizes)
            self.builder.insert(memref.CopyOp(value, copy))
            copy.name_hint = value.name_hint
            returned.append(copy)
        self.builder.insert(func.ReturnOp(*returned))

    def _owned(self, value: SSAValue, returned: list[SSAValue]) -> bool:
        # Fresh buffers: allocated here, or returned by a call (whose results the callee allocated).
        owner = value.owner
        fresh = isinstance(owner, memref.AllocOp | func.CallOp) and owner.parent_block() is self.block
        return fresh and value not in returned


def _has_tensors(op: Operation) -> bool:
    """Whether an op (or one nested in it) takes or makes a tensor."""
    return any(isinstance(v.type, TensorType) for nested in op.walk() for v in (*nested.operands, *nested.results))


def _memref_or_same(t: Attribute) -> Attribute:
    return memref_type(t) if isinstance(t, TensorType) else t


def lower_module(module: ModuleOp) -> None:
    """Lowers every function of the module from `infer` on tensors to linalg on memrefs."""
    module_lowering = ModuleLowering(module)
    for function in [op for op in module.ops if isinstance(op, func.FuncOp)]:
        if not function.body.blocks:
            inputs = [_memref_or_same(t) for t in function.function_type.inputs]
            outputs = [_memref_or_same(t) for t in function.function_type.outputs]
            function.function_type = func.FunctionType.from_lists(inputs, outputs)  # type: ignore[attr-defined]
            continue
        if len(function.body.blocks) != 1:
            raise UnsupportedError(f"function @{function.sym_name.data} has several blocks; one is supported")
        FunctionLowering(function, module_lowering).run()
    module_lowering.finish()
