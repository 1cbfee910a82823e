"""The C emitter: loop-level IR (func, scf, arith, math, memref) to C99.

    program = emit_c(module)          # a CProgram: C units, the model table, the weights layout
    program.units["model.c"]

Every op has one small rule (`infer.runtime.c.rules`, one module per
dialect) that writes its C. This module holds what the rules share: how
values are named and held (a scalar is a C expression, a memref is a data
pointer plus one expression per dim, row-major), how a function and its
outlined loop nests become C functions, and how the pieces are assembled
into translation units.

Each top-level loop nest (any op with regions at the top of a function body)
becomes a `static` kernel function of its own, named after the op's location
(the framework node); its memref parameters are `restrict` when they cannot
alias. Large programs are split into several units (kernels grouped by line
count) that compile in parallel. Weights never appear in the C: `memref.global`
data goes to the weights blob (see `weights.py`), and the generated code reads
them through `ctx->globals[k]`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xdsl.dialects import func, memref
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    MemRefType,
    ModuleOp,
    NoneAttr,
    StringAttr,
)
from xdsl.ir import Attribute, Block, Operation, OpResult, SSAValue

from infer.diagnostics import InferError, UnsupportedError, node_name
from infer.dialects.signature import ENTRY_POINT, dim_params, io_names
from infer.runtime.c.ctype import CType, ctype_of

PLAN_ATTR = "infer.plan_intervals"
"""On a body-less function declared by `plan-memory`: the liveness intervals of its buffers."""
ARENA_ATTR = "infer.arena"
"""On the `memref.alloc` of an arena: the symbol of the plan that sizes it."""
KERNEL_ATTR = "infer.kernel"
"""On a body-less function declared for a kernel call: the kernel (the C function `infer_<kernel>`)."""
KERNEL_ABI_ATTR = "infer.kernel_abi"
"""On a kernel's declaration: its C arguments after the model context, each `in` (a memref it reads),
`out` (a memref it writes), `value` (a scalar), taking the call's operands in order, or `null`."""
PACK_ATTR = "infer.pack"
"""On a constant `memref.global`: the packer (`infer_pack_<packer>`) that prepacks it at create."""
PACK_SIZE_PARAMS_ATTR = "infer.pack_size_params"
"""With `infer.pack`: the arguments of `infer_pack_<packer>_size` (the packed bytes)."""
PACK_PARAMS_ATTR = "infer.pack_params"
"""With `infer.pack`: the arguments of `infer_pack_<packer>` between the data and the buffer."""

DEFAULT_UNIT_LINES = 1500
"""Programs longer than this are split into units of about this many lines (ResNet-50, 3,000
lines: one unit 5.2 s, three 3.4 s on 2 cores)."""

_KEYWORDS = (
    "auto break case char const continue default do double else enum extern float for goto if inline int long "
    "register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while "
    "bool true false main ctx in out rc errno NAN INFINITY "
    # what the generated code calls or includes: libc and libm names
    "memcpy memmove memset malloc free abs labs signbit isnan isinf pow fma round trunc floor ceil sqrt exp exp2 "
    "expm1 log log2 log10 log1p sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh erf cbrt fabs "
    "copysign"
)
C_KEYWORDS = frozenset(_KEYWORDS.split(" "))
"""Names a C identifier made from an SSA name or a symbol must not take."""


class EmitError(UnsupportedError):
    """IR outside the loop-level contract (docs/c_target.md): a lowering bug or an unsupported feature."""


def emit_error(op: Operation, message: str, hint: str | None = None) -> EmitError:
    return EmitError(f"cannot emit C for '{op.name}': {message}", node=node_name(op), hint=hint)


# --------------------------------------------------------------------------- values


@dataclass
class Memref:
    """A memref held in C: a typed data pointer and one C expression per dim
    (a literal for a static dim, an identifier for a dynamic one)."""

    ptr: str
    dims: list[str]
    elem: CType
    root: object
    """What the pointer points into (an alloc, an argument, a global): two
    memrefs with different roots never overlap."""
    const: bool = False
    parent_root: object = None
    """For a buffer carved out of another (an arena slot): the other's root, written with it."""

    @property
    def rank(self) -> int:
        return len(self.dims)

    def linear(self, indices: Sequence[str]) -> str:
        """The row-major offset of an element."""
        if not indices:
            return "0"
        expr = indices[0]
        for dim, index in zip(self.dims[1:], indices[1:]):
            scaled = expr if dim == "1" else f"{_paren(expr)} * {dim}"
            if scaled == "0":
                expr = index
            else:
                expr = scaled if index == "0" else f"{scaled} + {index}"
        return expr

    def element(self, indices: Sequence[str]) -> str:
        return f"{self.ptr}[{self.linear(indices)}]"

    def numel(self) -> str:
        dims = [d for d in self.dims if d != "1"]
        if any(d == "0" for d in dims):
            return "0"
        return " * ".join(dims) if dims else "1"

    def nbytes(self) -> str:
        return f"{_paren(self.numel())} * {self.elem.size}"


Value = str | Memref
"""How an SSA value is held in C: a C expression (scalar) or a Memref."""


def _paren(expr: str) -> str:
    return f"({expr})" if re.search(r"[^\w.]", expr) else expr


def is_identifier_or_literal(expr: str) -> bool:
    return re.fullmatch(r"-?[\w.]+", expr) is not None


class Literal(str):
    """A C constant expression (a constant's value): used in place, never a parameter."""


def is_identifier(expr: str) -> bool:
    """A C variable (not a literal such as `true` or `INT64_MIN`)."""
    return not isinstance(expr, Literal) and re.fullmatch(r"[A-Za-z_]\w*", expr) is not None


UNKNOWN_ROOT = "unknown"
"""The root of a memref chosen at run time (a loop-carried memref, a call's result): it may alias anything."""


def memref_type(value: SSAValue) -> MemRefType:
    assert isinstance(value.type, MemRefType)
    return value.type


def check_identity_layout(op: Operation, t: MemRefType) -> None:
    if not isinstance(t.layout, NoneAttr):
        raise emit_error(op, f"{t} has a layout; the C target takes identity (row-major) memrefs only")


class NameScope:
    """Unique C identifiers within one C function."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken: set[str] = set(taken)
        self.counters: dict[str, int] = {}

    def fresh(self, hint: str | None, default: str = "v") -> str:
        if hint:
            base = re.sub(r"\W", "_", hint)
            if base[0].isdigit():
                base = f"v{base}"
            base = base.lstrip("_") or default  # names starting with _ are reserved in C
            if base[0].isdigit():
                base = f"v{base}"
            if base in C_KEYWORDS or base.startswith(("infer_", "INFER_")):
                base = f"{base}_"
            name = base
            n = 1
            while name in self.taken:
                name = f"{base}_{n}"
                n += 1
        else:
            n = self.counters.get(default, 0)
            while f"{default}{n}" in self.taken:
                n += 1
            name = f"{default}{n}"
            self.counters[default] = n + 1
        self.taken.add(name)
        return name


# --------------------------------------------------------------------------- a C function body


class CText:
    """Lines of C with indentation."""

    def __init__(self, depth: int = 1) -> None:
        self.lines: list[str] = []
        self.depth = depth

    def line(self, text: str) -> None:
        self.lines.append("  " * self.depth + text)

    def open(self, text: str) -> None:
        self.line(f"{text} {{")
        self.depth += 1

    def close(self, suffix: str = "") -> None:
        self.depth -= 1
        self.line("}" + suffix)

    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Param:
    """One parameter of a generated C function."""

    decl: str
    """`const float *restrict x`, `int64_t x_d0`."""
    arg: str
    """What a caller passes."""


class BodyEmitter:
    """Writes the ops of one C function (a function or an outlined kernel)."""

    def __init__(self, program: ProgramEmitter, c_name: str, names: NameScope, outputs: dict[Operation, int]):
        self.program = program
        self.c_name = c_name
        self.names = names
        self.values: dict[SSAValue, Value] = {}
        self.out = CText()
        self.outputs = outputs
        """Entry function only: the allocs that are the model's outputs, by output index."""
        self.uses_ctx = False
        self.fallible = False
        """Whether the C function can fail (allocates or calls): it then returns an error code."""
        self.written_roots: set[object] = set()
        self.kernel_count = 0

    # values ---------------------------------------------------------------

    def get(self, value: SSAValue) -> Value:
        try:
            return self.values[value]
        except KeyError:
            owner = value.owner
            where = owner.name if isinstance(owner, Operation) else "a block argument"
            raise InferError(f"C emitter: value of {where} used before it was emitted (internal error)") from None

    def scalar(self, value: SSAValue) -> str:
        held = self.get(value)
        assert isinstance(held, str), f"expected a scalar, got a memref for {value}"
        return held

    def memref(self, value: SSAValue) -> Memref:
        held = self.get(value)
        assert isinstance(held, Memref), f"expected a memref for {value}"
        return held

    def bind(self, value: SSAValue, held: Value) -> None:
        self.values[value] = held

    def ctype(self, value: SSAValue) -> CType:
        return ctype_of(value.type)

    def fresh(self, value: SSAValue | None, default: str = "v") -> str:
        return self.names.fresh(value.name_hint if value is not None else None, default)

    def define(self, value: SSAValue, expr: str, ctype: CType | None = None) -> str:
        """`const T name = expr;` bound to `value` (literals and names are bound without a line)."""
        t = ctype or self.ctype(value)
        if (is_identifier_or_literal(expr) and not expr.startswith("-")) or not value.uses:
            self.bind(value, expr)  # (an unused value: its expression has no effect, nothing to write)
            return expr
        name = self.fresh(value)
        self.out.line(f"const {t.name} {name} = {expr};")
        self.bind(value, name)
        return name

    def define_memref(self, value: SSAValue, ptr_expr: str, dims: Sequence[str], root: object, const: bool) -> Memref:
        """A new data pointer variable for `value`, with the given dims."""
        t = memref_type(value)
        elem = ctype_of(t.element_type)
        name = self.fresh(value, "m")
        qual = "const " if const else ""
        self.out.line(f"{qual}{elem.name} *{name} = {ptr_expr};")
        held = Memref(name, [self.dim_value(d) for d in dims], elem, root, const)
        self.bind(value, held)
        return held

    def dim_value(self, expr: str, hint: str = "d") -> str:
        """A dim as an identifier or literal (computed dims get a variable)."""
        if is_identifier_or_literal(expr):
            return expr
        name = self.names.fresh(hint)
        self.out.line(f"const int64_t {name} = {expr};")
        return name

    def declare(self, value: SSAValue, hint: str | None = None) -> Value:
        """A mutable variable for `value` (a loop-carried value, a result of `scf.if`), unbound."""
        if isinstance(value.type, MemRefType):
            elem = ctype_of(value.type.element_type)
            name = self.names.fresh(hint or value.name_hint, "m")
            self.out.line(f"{elem.name} *{name};")
            dims = []
            for i, d in enumerate(value.type.get_shape()):
                if d < 0:
                    dim = self.names.fresh(f"{name}_d{i}")
                    self.out.line(f"int64_t {dim};")
                    dims.append(dim)
                else:
                    dims.append(str(d))
            return Memref(name, dims, elem, UNKNOWN_ROOT)
        t = self.ctype(value)
        name = self.names.fresh(hint or value.name_hint, "v")
        self.out.line(f"{t.name} {name};")
        return name

    def assign(self, target: Value, source: Value, op: Operation) -> None:
        """`target = source` for a declared variable."""
        if isinstance(target, Memref):
            if not isinstance(source, Memref):
                raise emit_error(op, "a memref is assigned a scalar")
            cast = f"({target.elem.name} *)" if source.const else ""
            if target.ptr != source.ptr:
                self.out.line(f"{target.ptr} = {cast}{source.ptr};")
            for t, s in zip(target.dims, source.dims):
                if not t.isdigit() and t != s:
                    self.out.line(f"{t} = {s};")
            return
        if target != source:
            self.out.line(f"{target} = {source};")

    def assign_all(
        self, targets: Sequence[Value], sources: Sequence[Value], op: Operation, values: Sequence[SSAValue]
    ) -> None:
        """Parallel assignment of `values` (held as `sources`): sources that are themselves targets are read first."""
        target_names = {t.ptr if isinstance(t, Memref) else t for t in targets}
        staged: list[Value] = []
        for t, s, v in zip(targets, sources, values):
            reads_target = (s.ptr if isinstance(s, Memref) else s) in target_names and s != t
            if reads_target and len(targets) > 1:
                tmp: Value
                if isinstance(s, Memref):
                    name = self.names.fresh("tmp")
                    self.out.line(f"{s.elem.name} *{name} = {s.ptr};")
                    tmp_dims = []
                    for d in s.dims:
                        if d.isdigit():
                            tmp_dims.append(d)
                        else:
                            dn = self.names.fresh("tmp_d")
                            self.out.line(f"const int64_t {dn} = {d};")
                            tmp_dims.append(dn)
                    tmp = Memref(name, tmp_dims, s.elem, s.root)
                else:
                    name = self.names.fresh("tmp")
                    self.out.line(f"const {self.ctype(v).name} {name} = {s};")
                    tmp = name
                staged.append(tmp)
            else:
                staged.append(s)
        for t, s in zip(targets, staged):
            self.assign(t, s, op)

    # side conditions --------------------------------------------------------

    def use_ctx(self) -> str:
        self.uses_ctx = True
        return "ctx"

    def may_fail(self) -> None:
        """The op can fail at run time: the C function returns an error code."""
        self.fallible = True
        self.uses_ctx = True

    def try_(self, call: str) -> None:
        self.may_fail()
        self.out.line(f"INFER_TRY({call});")

    def mark_written(self, m: Memref, op: Operation) -> None:
        if m.const:
            raise emit_error(op, "writes to a read-only memref (a model input or a constant)")
        self.written_roots.add(m.root)
        if m.parent_root is not None:
            self.written_roots.add(m.parent_root)

    # ops ------------------------------------------------------------------

    def emit_block(self, block: Block, outline: bool = False) -> None:
        for op in block.ops:
            if outline and op.regions and self.program.outline:
                self.outline(op)
            else:
                self.emit_op(op)

    def emit_op(self, op: Operation) -> None:
        from infer.runtime.c.rules import RULES

        rule = RULES.get(type(op))
        if rule is None:
            raise emit_error(
                op,
                "the op is not in the loop-level contract",
                hint="see docs/c_target.md for the ops the C target accepts (a lowering bug if it came from one)",
            )
        if op.name.startswith(("arith.", "math.")) and op.name not in _NARROW_OK:
            narrow = [v.type for v in (*op.operands, *op.results) if _is_narrow_float(v.type)]
            if narrow:
                raise emit_error(
                    op,
                    f"arithmetic on {narrow[0]} has no C form (narrow floats are stored as bits)",
                    hint="the lowering computes on narrow floats in f32 (arith.extf / arith.truncf around the op); "
                    "an op reaching C without them is not supported on this element type yet",
                )
        try:
            rule(op, self)
        except EmitError:
            raise
        except UnsupportedError as e:  # e.g. an element type without a C type
            raise emit_error(op, e.message, e.hint) from None

    def outline(self, op: Operation) -> None:
        """Emits a loop nest as a kernel function of its own and calls it."""
        kernel = KernelBuilder(self, op)
        kernel.build()


# --------------------------------------------------------------------------- kernels


_NARROW_OK = frozenset(
    {
        "arith.constant",
        "arith.extf",
        "arith.truncf",
        "arith.select",
        "arith.cmpf",
        "arith.negf",
        "arith.maximumf",
        "arith.minimumf",
        "arith.maxnumf",
        "arith.minnumf",
    }
)
"""The loop-level arith ops on narrow floats (stored as bits) the rules handle: the
conversions, and the ops that are exact on the widened values (no rounding)."""


def _is_narrow_float(t: Attribute) -> bool:
    from infer.runtime.c.ctype import NARROW_FLOATS

    return type(t) in NARROW_FLOATS


def _defined_inside(op: Operation) -> set[SSAValue]:
    inside: set[SSAValue] = set()
    for inner in op.walk():
        inside.update(inner.results)
        for region in inner.regions:
            for block in region.blocks:
                inside.update(block.args)
    return inside


def free_values(op: Operation) -> list[SSAValue]:
    """Values used inside `op` (itself included) and defined outside it, in order of first use."""
    inside = _defined_inside(op)
    seen: dict[SSAValue, None] = {}
    for inner in op.walk():
        for operand in inner.operands:
            if operand not in inside:
                seen.setdefault(operand, None)
    return list(seen)


def kernel_label(op: Operation) -> str:
    name = node_name(op)
    if name:
        return re.sub(r"\W", "_", name)[:40].strip("_") or op.name.split(".")[-1]
    return op.name.split(".")[-1]


class KernelBuilder:
    """One outlined loop nest: its parameters, body and call."""

    def __init__(self, parent: BodyEmitter, op: Operation):
        self.parent = parent
        self.op = op
        self.program = parent.program
        index = parent.kernel_count
        parent.kernel_count += 1
        self.c_name = self.program.global_names.fresh(f"{parent.c_name}_k{index}_{kernel_label(op)}")

    def build(self) -> None:
        parent, op = self.parent, self.op
        names = NameScope()
        body = BodyEmitter(self.program, self.c_name, names, parent.outputs)
        # Outer identifier -> kernel parameter: a dim shared by several memrefs
        # (and used as a loop bound) is one parameter, so gcc sees they are equal.
        idents: dict[str, str] = {}
        scalar_params: list[tuple[str, str]] = []  # (C type, outer identifier)
        memref_params: list[tuple[Memref, Memref]] = []  # (outer, inner)

        def param_ident(outer: str, hint: str, ctype: str) -> str:
            if outer not in idents:
                idents[outer] = names.fresh(hint)
                scalar_params.append((ctype, outer))
            return idents[outer]

        for value in free_values(op):
            held = parent.get(value)
            if isinstance(held, Memref):
                ptr = names.fresh(held.ptr)
                dims = [
                    param_ident(d, f"{ptr}_d{i}", "int64_t") if is_identifier(d) else d for i, d in enumerate(held.dims)
                ]
                inner = Memref(ptr, dims, held.elem, held.root, held.const, held.parent_root)
                body.bind(value, inner)
                memref_params.append((held, inner))
            elif is_identifier(held):
                body.bind(value, param_ident(held, held, ctype_of(value.type).name))
            else:
                body.bind(value, held)  # a literal
        body.emit_op(op)
        results: list[tuple[SSAValue, str]] = []
        for result in op.results:
            out_name = names.fresh(f"out_{result.name_hint or 'r'}")
            results.append((result, out_name))
            held = body.get(result)
            if isinstance(held, Memref):
                body.out.line(f"*{out_name} = {held.ptr};")
                for i, d in enumerate(held.dims):
                    if memref_type(result).get_shape()[i] < 0:
                        body.out.line(f"*{out_name}_d{i} = {d};")
            else:
                body.out.line(f"*{out_name} = {held};")
        # The signature, now that the body says what it writes and needs.
        roots = [outer.root for outer, _ in memref_params]
        may_alias = UNKNOWN_ROOT in roots
        decls: list[Param] = []
        if body.uses_ctx or body.fallible:
            decls.append(Param("infer_model *ctx", parent.use_ctx()))
        for outer, inner in memref_params:
            readonly = outer.root not in body.written_roots and UNKNOWN_ROOT not in body.written_roots
            qual = "const " if readonly or outer.const else ""
            restrict = "restrict " if roots.count(outer.root) == 1 and not may_alias else ""
            decls.append(Param(f"{qual}{outer.elem.name} *{restrict}{inner.ptr}", outer.ptr))
            if not readonly:
                parent.written_roots.add(outer.root)
        for ctype, outer_ident in scalar_params:
            decls.append(Param(f"{ctype} {idents[outer_ident]}", outer_ident))
        parent_results: list[Value] = []
        for result_value, out_name in results:
            declared = parent.declare(result_value)
            if isinstance(declared, Memref):
                decls.append(Param(f"{declared.elem.name} **{out_name}", f"&{declared.ptr}"))
                for i, d in enumerate(declared.dims):
                    if is_identifier(d):
                        decls.append(Param(f"int64_t *{out_name}_d{i}", f"&{d}"))
            else:
                decls.append(Param(f"{ctype_of(result_value.type).name} *{out_name}", f"&{declared}"))
            parent_results.append(declared)
        for result, held in zip(op.results, parent_results):
            parent.bind(result, held)
        returns = "int" if body.fallible else "void"
        signature = f"{returns} {self.c_name}({', '.join(p.decl for p in decls) or 'void'})"
        where = node_name(op)
        lines = [f"/* {op.name}{f' ({where})' if where else ''} in {parent.c_name} */"]
        lines.append(f"{{static}}{signature} {{")
        lines.extend(body.out.lines)
        if body.fallible:
            lines.append("  return 0;")
        lines.append("}")
        self.program.kernels.append(KernelText(self.c_name, signature, "\n".join(lines)))
        call = f"{self.c_name}({', '.join(p.arg for p in decls)})"
        if body.fallible:
            parent.try_(call)
        else:
            parent.out.line(f"{call};")


@dataclass
class KernelText:
    name: str
    signature: str
    text: str
    """With a `{static}` placeholder for the linkage, chosen when units are assembled."""

    @property
    def lines(self) -> int:
        return self.text.count("\n") + 1


# --------------------------------------------------------------------------- the program


@dataclass(frozen=True)
class PackInfo:
    """How a global is prepacked when the model is created: `infer_pack_<packer>_size(size_params)`
    bytes (64-byte aligned), filled by `infer_pack_<packer>(data, params, buffer)`."""

    packer: str
    size_params: tuple[int, ...]
    params: tuple[int, ...]


@dataclass
class GlobalEntry:
    """One `memref.global`: where its bytes go in the weights blob."""

    name: str
    index: int
    elem: CType
    shape: tuple[int, ...]
    data: bytes | memoryview | None
    """The stored bytes: all elements, one element for a splat, None if uninitialized."""
    constant: bool
    alignment: int
    offset: int = 0
    """Filled in when the blob is laid out."""
    pack: PackInfo | None = None
    """Prepacked at create by a packer of the kernel library (`infer.pack`)."""

    @property
    def nbytes(self) -> int:
        count = 1
        for d in self.shape:
            count *= d
        return count * self.elem.size

    @property
    def splat(self) -> bool:
        return self.data is not None and len(self.data) == self.elem.size and self.nbytes != self.elem.size


@dataclass
class PlanEntry:
    """One memory plan (of one function): the liveness intervals of its buffers."""

    name: str
    intervals: list[tuple[int, int]]


@dataclass
class IOEntry:
    name: str
    elem: CType
    shape: list[int]
    """-1 for a dynamic dim."""
    dim_params: list[str]


@dataclass
class CProgram:
    """What the emitter produces."""

    units: dict[str, str]
    """File name -> C source: `model.c` first, then `model_1.c`, ... when split."""
    header: str
    """`model.h` for this model."""
    globals: list[GlobalEntry]
    plans: list[PlanEntry]
    inputs: list[IOEntry]
    outputs: list[IOEntry]
    blob_key: int = 0
    blob_size: int = 0


@dataclass
class EmitOptions:
    outline: bool = True
    """Top-level loop nests become kernel functions of their own."""
    unit_lines: int = DEFAULT_UNIT_LINES
    """Split into several translation units when the program is longer than this (0: never)."""
    source: str | None = None
    """Where the model came from, for the header comment."""


class ProgramEmitter:
    """Emits a whole module."""

    def __init__(self, module: ModuleOp, options: EmitOptions):
        self.module = module
        self.options = options
        self.outline = options.outline
        self.global_names = NameScope(["infer__model_info", "entry"])
        self.kernels: list[KernelText] = []
        self.functions: list[tuple[str, str]] = []  # (prototype, text)
        self.function_names: dict[str, str] = {}
        self.globals: dict[str, GlobalEntry] = {}
        self.plans: dict[str, PlanEntry] = {}
        self.entry: func.FuncOp | None = None
        self.kernel_calls: set[str] = set()
        """The kernels of the kernel library the program calls (`infer_<kernel>`)."""

    # symbols --------------------------------------------------------------

    def global_entry(self, name: str, op: Operation) -> GlobalEntry:
        entry = self.globals.get(name)
        if entry is None:
            raise emit_error(op, f"no memref.global @{name}")
        return entry

    def plan_index(self, name: str) -> int:
        return list(self.plans).index(name)

    def callee(self, name: str, op: Operation) -> func.FuncOp:
        target = self.module.get_symbol_op(name) if hasattr(self.module, "get_symbol_op") else None
        if target is None:
            for candidate in self.module.ops:
                if isinstance(candidate, func.FuncOp) and candidate.sym_name.data == name:
                    target = candidate
        if not isinstance(target, func.FuncOp):
            raise emit_error(op, f"no function @{name}")
        return target

    # the module -------------------------------------------------------------

    def run(self) -> CProgram:
        from infer.runtime.c.weights import global_entry_of

        funcs: list[func.FuncOp] = []
        for op in self.module.ops:
            if isinstance(op, memref.GlobalOp):
                entry = global_entry_of(op, len(self.globals))
                self.globals[entry.name] = entry
            elif isinstance(op, func.FuncOp):
                if op.body.blocks:
                    funcs.append(op)
                elif PLAN_ATTR in op.attributes:
                    self.plans[op.sym_name.data] = plan_entry_of(op)
                elif KERNEL_ABI_ATTR in op.attributes:
                    kernel_abi_of(op)  # checked here; calls are emitted as C calls of the kernel
                else:
                    raise emit_error(op, f"function @{op.sym_name.data} is declared without a body")
            else:
                raise emit_error(op, "only func.func and memref.global may appear at the top of the module")
        self.entry = find_entry(funcs)
        for f in funcs:
            self.function_names[f.sym_name.data] = self.global_names.fresh(f.sym_name.data)
        for f in funcs:
            self.emit_function(f)
        inputs, outputs = signature_of(self.entry) if self.entry is not None else ([], [])
        from infer.runtime.c.assemble import assemble

        return assemble(self, inputs, outputs)

    def emit_function(self, f: func.FuncOp) -> None:
        c_name = self.function_names[f.sym_name.data]
        is_entry = f is self.entry
        names = NameScope()
        outputs = output_allocs(f) if is_entry else {}
        body = BodyEmitter(self, c_name, names, outputs)
        body.uses_ctx = True
        params = ["infer_model *ctx"]
        for i, arg in enumerate(f.args):
            if isinstance(arg.type, MemRefType):
                check_identity_layout(f, arg.type)
                elem = ctype_of(arg.type.element_type)
                name = names.fresh(arg.name_hint or f"arg{i}")
                const = is_entry
                params.append(f"{'const ' if const else ''}{elem.name} *{name}")
                dims = []
                for d_index, d in enumerate(arg.type.get_shape()):
                    if d < 0:
                        dim = names.fresh(f"{name}_d{d_index}")
                        params.append(f"int64_t {dim}")
                        dims.append(dim)
                    else:
                        dims.append(str(d))
                root: object = ("input", i) if is_entry else ("argument", c_name)
                body.bind(arg, Memref(name, dims, elem, root, const))
            else:
                name = names.fresh(arg.name_hint or f"arg{i}")
                params.append(f"{ctype_of(arg.type).name} {name}")
                body.bind(arg, name)
        for i, result_type in enumerate(f.function_type.outputs.data):
            if isinstance(result_type, MemRefType):
                elem = ctype_of(result_type.element_type)
                params.append(f"{elem.name} **out{i}")
                params.extend(f"int64_t *out{i}_d{d}" for d, size in enumerate(result_type.get_shape()) if size < 0)
            else:
                params.append(f"{ctype_of(result_type).name} *out{i}")
        names.taken.update(f"out{i}" for i in range(len(f.function_type.outputs.data)))
        if len(f.body.blocks) != 1:
            raise emit_error(f, "functions with several blocks (unstructured control flow) are not supported")
        body.emit_block(f.body.block, outline=True)
        prototype = f"int {c_name}({', '.join(params)})"
        text = f"/* func @{f.sym_name.data} */\nstatic {prototype} {{\n{body.out.text()}\n}}"
        self.functions.append((f"static {prototype};", text))


KERNEL_ROLES = ("in", "out", "value", "null")


def kernel_abi_of(op: func.FuncOp) -> tuple[str, list[str]]:
    """The kernel and the C argument roles of a kernel declaration (`infer.kernel`,
    `infer.kernel_abi`), checked against its operand types."""
    kernel = op.attributes.get(KERNEL_ATTR)
    abi = op.attributes.get(KERNEL_ABI_ATTR)
    if not isinstance(kernel, StringAttr) or not re.fullmatch(r"\w+", kernel.data):
        raise emit_error(op, f'a kernel declaration needs {KERNEL_ATTR} = "<kernel>" (a C identifier)')
    if not isinstance(abi, ArrayAttr) or not all(isinstance(a, StringAttr) and a.data in KERNEL_ROLES for a in abi):
        raise emit_error(op, f"{KERNEL_ABI_ATTR} must be an array of {', '.join(map(repr, KERNEL_ROLES))}")
    roles = [a.data for a in abi]  # type: ignore[attr-defined]
    inputs = op.function_type.inputs.data
    taking = [r for r in roles if r != "null"]
    if len(taking) != len(inputs) or op.function_type.outputs.data:
        raise emit_error(
            op, f"{KERNEL_ABI_ATTR} takes {len(taking)} operands and no results; the type is {op.function_type}"
        )
    for role, t in zip(taking, inputs, strict=True):
        if (role == "value") == isinstance(t, MemRefType):
            raise emit_error(op, f"a '{role}' argument of type {t}")
    return kernel.data, roles


def is_kernel_call(op: Operation) -> bool:
    """A `func.call` of a kernel declaration (one carrying `infer.kernel_abi`)."""
    if not isinstance(op, func.CallOp):
        return False
    from xdsl.traits import SymbolTable

    callee = SymbolTable.lookup_symbol(op, op.callee)
    return callee is not None and KERNEL_ABI_ATTR in callee.attributes


def plan_entry_of(op: func.FuncOp) -> PlanEntry:
    attr = op.attributes[PLAN_ATTR]
    if not isinstance(attr, DenseArrayBase):
        raise emit_error(op, f"{PLAN_ATTR} must be an array<i64>")
    values = [int(v) for v in attr.get_values()]
    intervals = list(zip(values[0::2], values[1::2]))
    return PlanEntry(op.sym_name.data, intervals)


def find_entry(funcs: Sequence[func.FuncOp]) -> func.FuncOp | None:
    """`@main_graph`, or the one public function; None when all functions are private
    (a library of functions: it can be emitted, not built into a model)."""
    for f in funcs:
        if f.sym_name.data == ENTRY_POINT:
            return f
    public = [f for f in funcs if f.sym_visibility is None or f.sym_visibility.data == "public"]
    if not public:
        return None
    if len(public) == 1:
        return public[0]
    names = ", ".join(f"@{f.sym_name.data}" for f in public) or "none"
    raise InferError(
        f"cannot find the entry function: no @{ENTRY_POINT}, and {len(public)} public functions ({names})",
        hint=f"name the entry function @{ENTRY_POINT} or make the others private",
    )


ALIAS_OPS = (memref.CastOp, memref.CollapseShapeOp, memref.ExpandShapeOp, memref.ReinterpretCastOp)


def alias_root(value: SSAValue) -> SSAValue:
    """The value a memref is a view of, through casts and reshapes."""
    while isinstance(value, OpResult) and isinstance(value.op, ALIAS_OPS):
        value = value.op.operands[0]
    return value


def output_allocs(f: func.FuncOp) -> dict[Operation, int]:
    """The allocs the entry function returns directly, by output index (the first
    output an alloc is returned as): they are allocated in the model's output buffers."""
    found: dict[Operation, int] = {}
    ret = f.body.block.last_op
    if not isinstance(ret, func.ReturnOp):
        return found
    for i, value in enumerate(ret.arguments):
        root = alias_root(value)
        if (
            isinstance(root, OpResult)
            and isinstance(root.op, memref.AllocOp)
            and root.op not in found
            and ARENA_ATTR not in root.op.attributes
        ):
            found[root.op] = i
    return found


def signature_of(f: func.FuncOp) -> tuple[list[IOEntry], list[IOEntry]]:
    """Names, element types, dims and dim symbols of the entry function's inputs and outputs."""
    arg_attrs = f.arg_attrs if isinstance(f.arg_attrs, ArrayAttr) else None
    res_attrs = f.res_attrs if isinstance(f.res_attrs, ArrayAttr) else None
    ins = f.function_type.inputs.data
    outs = f.function_type.outputs.data

    def entries(types: Sequence[Attribute], attrs: ArrayAttr | None, prefix: str, kind: str) -> list[IOEntry]:
        names = io_names(attrs, len(types), prefix)
        result = []
        for i, t in enumerate(types):
            if not isinstance(t, MemRefType):
                raise emit_error(f, f"{kind} {i} of the entry function is {t}, not a memref")
            shape = [d if d >= 0 else -1 for d in t.get_shape()]
            params = dim_params(attrs, i) or [""] * len(shape)
            if len(params) != len(shape):
                params = [""] * len(shape)
            result.append(IOEntry(names[i], ctype_of(t.element_type), shape, params))
        return result

    return entries(ins, arg_attrs, "input", "input"), entries(outs, res_attrs, "output", "output")


def c_string(text: str) -> str:
    """A C string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    escaped = "".join(c if 32 <= ord(c) < 127 else f"\\{ord(c):03o}" for c in escaped)
    return f'"{escaped}"'


def emit_c(module: ModuleOp, options: EmitOptions | None = None) -> CProgram:
    """C source for a loop-level module (see docs/c_target.md for what it may hold)."""
    return ProgramEmitter(module, options or EmitOptions()).run()
