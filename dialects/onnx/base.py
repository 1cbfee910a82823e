"""The hand-written half of the `onnx` dialect: the base of every generated op.

Every ONNX operator of every domain ONNX defines becomes one op class
(generated into `ops.py` from the ONNX schema registry): `onnx.Conv`,
`onnx.ml.ZipMap`, `onnx.preview.FlexAttention`, `onnx.preview.training.Adam`.
Its operands are the operator's formal inputs by position, the union over all
versions; an optional input that a node leaves
out is a value of type `none` made by `onnx.NoValue`. A variadic input is
always the last one and becomes a variadic operand. Results follow the same
rule. ONNX attributes live in the op's attribute dictionary under their ONNX
names, typed as:

    int     -> 3 : i64               ints    -> array<i64: 1, 1>
    float   -> 1.0e-05 : f32         floats  -> array<f32: 1.0, 2.0>
    string  -> "NOTSET"              strings -> ["a", "b"]
    tensor  -> dense<...> : tensor<...>   (string tensors: #onnx.strings<...>;
                                           sparse tensors: the dense tensor)
    type    -> the type itself: tensor<f32>, !onnx.seq<tensor<?xf32>>
    graph   -> a region of the op (If: then, else; Loop, Scan: body), ended by `onnx.Yield`

A dotted attribute name is not an ONNX attribute but a discardable annotation;
the only one is `onnx.initializer` (see `INITIALIZER_ATTR`).

The opsets a module was written against are recorded on the module as
`onnx.opset_import = {ai.onnx = 13 : i64}`; each op's verifier checks the op
against `onnx.defs.get_schema(name, opset, domain)`: that the op exists at that
opset, the inputs and outputs it may have, its attributes, their types, the
required ones, and the type constraints of its operands and results. IR
without `onnx.opset_import` is not checked against any schema.

Syntax (one custom format for every op):

    %y = onnx.Conv(%x, %w, %none) {kernel_shape = array<i64: 3, 3>}
           : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, none) -> tensor<1x4x6x6xf32>
    %r = onnx.If(%c) ({ ... onnx.Yield %a : tensor<f32> }, { ... }) : (tensor<i1>) -> tensor<f32>
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, ClassVar

import onnx
import onnx.defs
from onnx import helper
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    NoneType,
    StringAttr,
    TensorType,
    UnrankedTensorType,
    i64,
)
from xdsl.ir import Attribute, Operation, Region, SSAValue, TypeAttribute
from xdsl.irdl import (
    IRDLOperation,
    VarOperandDef,
    VarResultDef,
    irdl_op_definition,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import IsTerminator, NoMemoryEffect
from xdsl.utils.exceptions import VerifyException

from infer.dialects.onnx.types import onnx_type_string

OPSET_ATTR = "onnx.opset_import"
"""Module attribute holding `{domain: version}`; the default domain is `ai.onnx`."""

DEFAULT_DOMAIN = "ai.onnx"

_FormalOption = onnx.defs.OpSchema.FormalParameterOption
_AttrType = onnx.defs.OpSchema.AttrType


def canonical_domain(domain: str) -> str:
    return DEFAULT_DOMAIN if domain in ("", DEFAULT_DOMAIN) else domain


def opset_attr(opsets: dict[str, int]) -> DictionaryAttr:
    """The module attribute recording `{domain: version}` opset imports."""
    return DictionaryAttr({canonical_domain(d): IntegerAttr(v, 64) for d, v in opsets.items()})


def module_opsets(op: Operation) -> dict[str, int] | None:
    """The opset imports of the module enclosing `op` (or `op` itself)."""
    current: Operation | None = op
    while current is not None:
        if isinstance(current, ModuleOp) and OPSET_ATTR in current.attributes:
            attr = current.attributes[OPSET_ATTR]
            if isinstance(attr, DictionaryAttr):
                return {k: v.value.data for k, v in attr.data.items() if isinstance(v, IntegerAttr)}
        current = current.parent_op()
    return None


def attribute_to_python(attr: Attribute) -> Any:
    """A Python (or numpy) value for an ONNX attribute stored on an op."""
    if isinstance(attr, IntegerAttr):
        return attr.value.data
    if isinstance(attr, FloatAttr):
        return attr.value.data
    if isinstance(attr, StringAttr):
        return attr.data
    if isinstance(attr, DenseArrayBase):
        return list(attr.get_values())
    if isinstance(attr, ArrayAttr):
        return [attribute_to_python(a) for a in attr.data]
    if isinstance(attr, DenseIntOrFPElementsAttr):
        from infer.dialects.constants import dense_to_numpy

        return dense_to_numpy(attr)
    return attr


def _schema_default(schema: onnx.defs.OpSchema, name: str) -> Any:
    proto = schema.attributes[name].default_value
    if proto is None or not proto.name:
        return None
    value = helper.get_attribute_value(proto)
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, onnx.TensorProto):
        return onnx.numpy_helper.to_array(value)
    if isinstance(value, list) and value and isinstance(value[0], bytes):
        return [v.decode() for v in value]
    return value


def _is_tensor_value(a: Attribute) -> bool:
    from infer.dialects.constants import is_elided
    from infer.dialects.onnx.types import StringTensorAttr

    return isinstance(a, DenseIntOrFPElementsAttr | StringTensorAttr) or is_elided(a)


_ATTR_CHECKS: dict[Any, tuple[str, Any]] = {
    _AttrType.INT: ("an int (`3 : i64`)", lambda a: isinstance(a, IntegerAttr) and a.type == i64),
    _AttrType.FLOAT: ("a float (`1.0 : f32`)", lambda a: isinstance(a, FloatAttr) and isinstance(a.type, Float32Type)),
    _AttrType.STRING: ('a string (`"abc"`)', lambda a: isinstance(a, StringAttr)),
    _AttrType.INTS: (
        "ints (`array<i64: 1, 2>`)",
        lambda a: isinstance(a, DenseArrayBase) and a.elt_type == i64,
    ),
    _AttrType.FLOATS: (
        "floats (`array<f32: 1.0>`)",
        lambda a: isinstance(a, DenseArrayBase) and isinstance(a.elt_type, Float32Type),
    ),
    _AttrType.STRINGS: (
        'strings (`["a", "b"]`)',
        lambda a: isinstance(a, ArrayAttr) and all(isinstance(x, StringAttr) for x in a.data),
    ),
    _AttrType.TENSOR: ("a tensor (`dense<...> : tensor<...>`)", _is_tensor_value),
    _AttrType.SPARSE_TENSOR: ("a tensor (`dense<...> : tensor<...>`)", _is_tensor_value),
    _AttrType.TENSORS: (
        "a list of tensors",
        lambda a: isinstance(a, ArrayAttr) and all(_is_tensor_value(x) for x in a.data),
    ),
    _AttrType.TYPE_PROTO: ("a type", lambda a: isinstance(a, TypeAttribute)),
    _AttrType.TYPE_PROTOS: (
        "a list of types",
        lambda a: isinstance(a, ArrayAttr) and all(isinstance(x, TypeAttribute) for x in a.data),
    ),
    _AttrType.GRAPH: ("a region of the op, not an attribute", lambda a: False),
}

INITIALIZER_ATTR = "onnx.initializer"
"""Marks an `onnx.Constant` that holds a graph initializer of a type the
`Constant` op of the model's opset could not produce (initializers may have any
tensor type; `Constant` before opset 9 only floats). The importer sets it only
where it is needed."""


def is_onnx_attribute(name: str) -> bool:
    """ONNX attribute names are identifiers; a dotted name (`onnx.initializer`)
    is a discardable annotation, not an ONNX attribute."""
    return "." not in name


@cache
def _versions(name: str, domain: str) -> tuple[onnx.defs.OpSchema, ...]:
    """Every version of an operator's schema, oldest first."""
    onnx_domain = "" if domain == DEFAULT_DOMAIN else domain
    return tuple(
        sorted(
            (s for s in onnx.defs.get_all_schemas_with_history() if s.name == name and s.domain == onnx_domain),
            key=lambda s: s.since_version,
        )
    )


def _opset_ranges(versions: Sequence[int], all_versions: Sequence[int]) -> str:
    """`13-17, 19+`: the opsets covered by the schema versions in `versions`."""
    ranges: list[str] = []
    for v in versions:
        later = [w for w in all_versions if w > v]
        ranges.append(f"{v}+" if not later else (f"{v}" if later[0] == v + 1 else f"{v}-{later[0] - 1}"))
    return ", ".join(ranges)


def _attribute_opsets(name: str, domain: str, attribute: str) -> str | None:
    """The opsets at which an operator has `attribute`, None if it never has."""
    schemas = _versions(name, domain)
    having = [s.since_version for s in schemas if attribute in s.attributes]
    return _opset_ranges(having, [s.since_version for s in schemas]) if having else None


class _Violation(Exception):
    """A schema check failed; the message reads after "Op at opset N: "."""


class SchemaViolation(VerifyException):
    """An op that does not match its ONNX schema; `detail` says what, `where` names op and opset."""

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(f"{where}: {detail}")
        self.where = where
        self.detail = detail


class OnnxOp(IRDLOperation):
    """Base of every generated `onnx` op; holds what the schema says about it."""

    ONNX_NAME: ClassVar[str]
    ONNX_DOMAIN: ClassVar[str] = DEFAULT_DOMAIN
    INPUTS: ClassVar[tuple[str, ...]] = ()
    """ONNX formal input names by position (union over versions, latest name)."""
    OUTPUTS: ClassVar[tuple[str, ...]] = ()
    GRAPH_ATTRS: ClassVar[tuple[str, ...]] = ()
    """Names of the graph attributes, in the order of the op's regions."""

    # -- schema ---------------------------------------------------------------

    def opset(self) -> int | None:
        """The version of this op's domain imported by the enclosing module."""
        opsets = module_opsets(self)
        if opsets is None:
            return None
        return opsets.get(self.ONNX_DOMAIN)

    def schema(self) -> onnx.defs.OpSchema | None:
        """The schema in force for this op at the module's opset, if known."""
        opset = self.opset()
        if opset is None:
            return None
        return _get_schema(self.ONNX_NAME, opset, self.ONNX_DOMAIN)

    @classmethod
    def single_operand_count(cls) -> int:
        """How many operands are single (not variadic): all but a variadic last one."""
        defs = cls.get_irdl_definition().operands
        return sum(1 for _, d in defs if not isinstance(d, VarOperandDef))

    @classmethod
    def single_result_count(cls) -> int:
        defs = cls.get_irdl_definition().results
        return sum(1 for _, d in defs if not isinstance(d, VarResultDef))

    # -- access for lowerings ---------------------------------------------------

    def input(self, index: int) -> SSAValue | None:
        """The value bound to formal input `index`, None when absent."""
        if index >= len(self.operands):
            return None
        value = self.operands[index]
        return None if isinstance(value.type, NoneType) else value

    def present_inputs(self) -> list[SSAValue]:
        """Operands that are not `none`, in order."""
        return [v for v in self.operands if not isinstance(v.type, NoneType)]

    def attr(self, name: str, default: Any = None) -> Any:
        """ONNX attribute `name` as a Python value, with the schema's default."""
        if name in self.attributes:
            return attribute_to_python(self.attributes[name])
        schema = self.schema()
        if schema is not None and name in schema.attributes:
            value = _schema_default(schema, name)
            if value is not None:
                return value
        return default

    def has_attr(self, name: str) -> bool:
        return name in self.attributes

    # -- verification -------------------------------------------------------------

    def verify_(self) -> None:
        opsets = module_opsets(self)
        if opsets is None:
            return  # IR outside a module with opset imports: nothing to check against
        self.verify_schema(opsets.get(self.ONNX_DOMAIN))

    def verify_schema(self, opset: int | None) -> None:
        """Checks the op against its ONNX schema at `opset`: inputs, outputs,
        attributes and their types, type constraints. Raises `SchemaViolation`."""
        where = f"{self.ONNX_NAME} at opset {opset}"
        if opset is None:
            raise SchemaViolation(
                f"{self.ONNX_NAME}", f"the module imports no opset of domain '{self.ONNX_DOMAIN}' (see {OPSET_ATTR})"
            )
        schema = _get_schema(self.ONNX_NAME, opset, self.ONNX_DOMAIN)
        if schema is None:
            versions = [s.since_version for s in _versions(self.ONNX_NAME, self.ONNX_DOMAIN)]
            first = f"; it exists from opset {versions[0]}" if versions else ""
            raise SchemaViolation(where, f"the operator does not exist at this opset of '{self.ONNX_DOMAIN}'{first}")
        try:
            self._verify_inputs(schema)
            self._verify_outputs(schema)
            self._verify_attributes(schema)
            if INITIALIZER_ATTR not in self.attributes:
                self._verify_type_constraints(schema)
        except _Violation as v:
            raise SchemaViolation(where, str(v)) from None

    def _verify_inputs(self, schema: onnx.defs.OpSchema) -> None:
        formal = schema.inputs
        values = list(self.operands)
        variadic = bool(formal) and formal[-1].option == _FormalOption.Variadic
        fixed = len(formal) - 1 if variadic else len(formal)
        if not variadic:
            for i, value in enumerate(values[fixed:], start=fixed):
                if not isinstance(value.type, NoneType):
                    raise _Violation(f"takes at most {len(formal)} inputs, but input #{i} is given")
        for i, param in enumerate(formal[:fixed]):
            if param.option == _FormalOption.Single and (i >= len(values) or isinstance(values[i].type, NoneType)):
                raise _Violation(f"required input '{param.name}' (#{i}) is missing")
        if variadic:
            count = len([v for v in values[fixed:] if not isinstance(v.type, NoneType)])
            if count < formal[-1].min_arity:
                name, arity = formal[-1].name, formal[-1].min_arity
                raise _Violation(f"variadic input '{name}' needs at least {arity} values, got {count}")

    def _verify_outputs(self, schema: onnx.defs.OpSchema) -> None:
        formal = schema.outputs
        variadic = bool(formal) and formal[-1].option == _FormalOption.Variadic
        if not variadic:
            for i, result in enumerate(self.results[len(formal) :], start=len(formal)):
                if not isinstance(result.type, NoneType):
                    raise _Violation(f"has {len(formal)} outputs, but output #{i} is given")
        for i, param in enumerate(formal[: len(formal) - variadic]):
            if param.option == _FormalOption.Single and (
                i >= len(self.results) or isinstance(self.results[i].type, NoneType)
            ):
                raise _Violation(f"required output '{param.name}' (#{i}) is missing")

    def _verify_attributes(self, schema: onnx.defs.OpSchema) -> None:
        known = schema.attributes
        for name, attr in self.attributes.items():
            if not is_onnx_attribute(name):
                continue
            if name not in known:
                raise _Violation(f"unknown attribute '{name}'{self._elsewhere(name)}")
            check = _ATTR_CHECKS.get(known[name].type)
            if check is not None and not check[1](attr):
                raise _Violation(f"attribute '{name}' must be {check[0]}, got {attr}")
        for name, a in known.items():
            if not a.required or name in self.attributes:
                continue
            if a.type == _AttrType.GRAPH and name in self.GRAPH_ATTRS:
                if self.regions[self.GRAPH_ATTRS.index(name)].blocks:
                    continue
                raise _Violation(f"required graph attribute '{name}' (a region) is missing")
            raise _Violation(f"required attribute '{name}' is missing")
        for name, region in zip(self.GRAPH_ATTRS, self.regions, strict=False):
            if region.blocks and (name not in known or known[name].type != _AttrType.GRAPH):
                raise _Violation(f"unknown graph attribute '{name}'{self._elsewhere(name)}")

    def _elsewhere(self, attribute: str) -> str:
        opsets = _attribute_opsets(self.ONNX_NAME, self.ONNX_DOMAIN, attribute)
        return f" ({self.ONNX_NAME} has it at opsets {opsets})" if opsets else ""

    def _verify_type_constraints(self, schema: onnx.defs.OpSchema) -> None:
        allowed = {c.type_param_str: set(c.allowed_type_strs) for c in schema.type_constraints}
        bound: dict[str, str] = {}

        def check(param: onnx.defs.OpSchema.FormalParameter, value: SSAValue) -> None:
            type_str = onnx_type_string(value.type)
            if type_str is None:
                return
            constraint = param.type_str
            if constraint not in allowed:
                if type_str != constraint:
                    raise _Violation(f"'{param.name}' must be {constraint}, got {type_str}")
                return
            if type_str not in allowed[constraint]:
                names = sorted(allowed[constraint], key=lambda t: (t.count("("), t))
                choices = ", ".join(names[:12]) + (f", ... ({len(names) - 12} more)" if len(names) > 12 else "")
                raise _Violation(f"'{param.name}' has type {type_str}, not one of {constraint}: {choices}")
            if param.is_homogeneous:
                previous = bound.setdefault(constraint, type_str)
                if previous != type_str:
                    raise _Violation(f"'{param.name}' has type {type_str} but {constraint} is already {previous}")

        for formal, values in ((schema.inputs, list(self.operands)), (schema.outputs, list(self.results))):
            for i, value in enumerate(values):
                param = formal[min(i, len(formal) - 1)] if formal else None
                if param is None or (i >= len(formal) and param.option != _FormalOption.Variadic):
                    continue
                check(param, value)

    # -- syntax -----------------------------------------------------------------

    def print(self, printer: Printer) -> None:
        printer.print_operands(self.operands)
        if self.regions:
            printer.print_string(" ")
            with printer.in_parens():
                printer.print_list(self.regions, printer.print_region)
        if self.attributes:
            printer.print_string(" ")
            printer.print_attr_dict(self.attributes)
        printer.print_string(" : ")
        printer.print_function_type(self.operand_types, self.result_types)

    @classmethod
    def parse(cls, parser: Parser) -> OnnxOp:
        pos = parser.pos
        unresolved = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_unresolved_operand)
        regions: list[Region] = []
        if parser.parse_optional_punctuation("(") is not None:
            regions = [parser.parse_region()]
            while parser.parse_optional_punctuation(",") is not None:
                regions.append(parser.parse_region())
            parser.parse_punctuation(")")
        attributes = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        function_type = parser.parse_function_type()
        operands = parser.resolve_operands(unresolved, function_type.inputs.data, pos)
        return cls.create_from_flat(operands, function_type.outputs.data, attributes, regions)

    @classmethod
    def create_from_flat(
        cls,
        operands: Sequence[SSAValue],
        result_types: Sequence[Attribute],
        attributes: dict[str, Attribute],
        regions: Sequence[Region] = (),
    ) -> OnnxOp:
        """Build the op from flat operand and result lists in ONNX positional order."""
        op_def = cls.get_irdl_definition()
        return cls.build(
            operands=_group(list(operands), [isinstance(d, VarOperandDef) for _, d in op_def.operands], "operand"),
            result_types=_group(list(result_types), [isinstance(d, VarResultDef) for _, d in op_def.results], "result"),
            attributes=attributes,
            regions=list(regions) + [Region() for _ in range(len(op_def.regions) - len(regions))],
        )


def _group(values: list[Any], variadic: list[bool], what: str) -> list[Any]:
    """Splits a flat list over the op's definitions: single ones first, the
    variadic (always last) takes the rest. Absent optional entries must be
    given as `none` values."""
    grouped: list[Any] = []
    for i, is_variadic in enumerate(variadic):
        if is_variadic:
            grouped.append(values[i:])
            return grouped
        if i >= len(values):
            raise VerifyException(f"expected {len(variadic)} {what}s, got {len(values)}; give absent ones as none")
        grouped.append(values[i])
    if len(values) > len(variadic):
        raise VerifyException(f"expected {len(variadic)} {what}s, got {len(values)}")
    return grouped


_SCHEMA_CACHE: dict[tuple[str, int, str], onnx.defs.OpSchema | None] = {}


def _get_schema(name: str, opset: int, domain: str) -> onnx.defs.OpSchema | None:
    key = (name, opset, domain)
    if key not in _SCHEMA_CACHE:
        onnx_domain = "" if domain == DEFAULT_DOMAIN else domain
        try:
            _SCHEMA_CACHE[key] = onnx.defs.get_schema(name, opset, onnx_domain)
        except onnx.defs.SchemaError:
            _SCHEMA_CACHE[key] = None
    return _SCHEMA_CACHE[key]


def schema_for(name: str, opset: int, domain: str = DEFAULT_DOMAIN) -> onnx.defs.OpSchema | None:
    """The schema of ONNX op `name` in force at `opset`, None if the op does not exist there."""
    return _get_schema(name, opset, canonical_domain(domain))


@irdl_op_definition
class NoValueOp(IRDLOperation):
    """The absent value of an optional ONNX input: `%none = onnx.NoValue`."""

    name = "onnx.NoValue"
    result = result_def(NoneType)
    traits = traits_def(NoMemoryEffect())
    assembly_format = "attr-dict"

    def __init__(self) -> None:
        super().__init__(result_types=[NoneType()])


@irdl_op_definition
class YieldOp(IRDLOperation):
    """Ends the body of an ONNX subgraph (If, Loop, Scan) with its outputs:
    `onnx.Yield %a, %b : tensor<f32>, tensor<i1>`."""

    name = "onnx.Yield"
    values = var_operand_def()
    traits = traits_def(IsTerminator())
    assembly_format = "attr-dict ($values^ `:` type($values))?"

    def __init__(self, values: Sequence[SSAValue]) -> None:
        super().__init__(operands=[values])


def is_tensor_type(t: Attribute) -> bool:
    return isinstance(t, TensorType | UnrankedTensorType)
