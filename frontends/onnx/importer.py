"""ONNX `ModelProto` -> `onnx` dialect: one op per node, weights in bulk.

The importer translates the container and changes no semantics:

- the main graph becomes `func.func @main_graph`; its inputs (initializers
  excluded) are the arguments and its outputs the results, each carrying its
  ONNX name and dim symbols (see `infer.dialects.signature`); a symbolic or
  unknown dim is `?` in the type;
- initializers and `Constant` values become constants whose dense attributes
  are built from the tensors' bytes, never Python lists (`tensors.py`);
  string tensors become `#onnx.strings`;
- external data is read from files inside the model's own directory only;
- model-local functions are inlined (the dynamo PyTorch exporter emits them);
- `If`/`Loop`/`Scan` bodies become regions ended by `onnx.Yield`; they see
  the values of the graphs around them;
- node names are kept as op locations (`loc("conv1")`);
- the opset imports are recorded on the module (`onnx.opset_import`);
- every node is checked against its ONNX schema at the model's opset.

Intermediate value types come from ONNX's own shape inference where it can
tell; where it cannot, the type is `!onnx.unknown`. Shape inference and the
function inliner run on a copy of the model without its large tensors (they
serialize the whole model), so weights are copied out of the protobuf once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import onnx
import onnx.defs
import onnx.inliner
import onnx.shape_inference
from google.protobuf.message import DecodeError
from onnx import AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, TypeProto
from xdsl.builder import Builder
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    DictionaryAttr,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    NameLoc,
    NoneAttr,
    NoneType,
    StringAttr,
    TensorType,
    UnitAttr,
    UnrankedTensorType,
    f32,
    i64,
)
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.rewriter import InsertPoint

from infer.diagnostics import InferError, UnsupportedError
from infer.dialects import dtypes
from infer.dialects.onnx import OP_BY_NAME, NoValueOp, YieldOp, opset_attr
from infer.dialects.onnx.base import DEFAULT_DOMAIN, INITIALIZER_ATTR, SchemaViolation, canonical_domain, schema_for
from infer.dialects.onnx.types import MapType, OptionalType, SequenceType, StringType, UnknownType, onnx_type_string
from infer.dialects.signature import ENTRY_POINT, io_attrs
from infer.frontends.onnx.tensors import TensorReader, element_count

_DYNAMIC = TensorType.DYNAMIC_INDEX if hasattr(TensorType, "DYNAMIC_INDEX") else -(2**63)

KNOWN_DOMAINS = frozenset(canonical_domain(s.domain) for s in onnx.defs.get_all_schemas_with_history())
"""Domains with ONNX-defined operators (each has ops in the dialect)."""

SMALL_TENSOR = 1024
"""Tensors of at most this many elements stay in the copy given to shape
inference (shape computations read their values); larger ones are left out."""

_FIX_MODEL = "the model is malformed; onnx.checker.check_model(model, full_check=True) shows more"


def load_model(source: str | os.PathLike[str] | bytes | ModelProto) -> tuple[ModelProto, Path | None]:
    """Reads a model without its external data; returns it with its directory."""
    if isinstance(source, ModelProto):
        return source, None
    if isinstance(source, bytes | bytearray | memoryview):
        return _parse_bytes(bytes(source), None), None
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InferError(f"cannot read the model: {e.strerror}", file=str(path)) from None
    model = _parse_bytes(data, str(path))
    del data
    return model, path.resolve().parent


def _parse_bytes(data: bytes, file: str | None) -> ModelProto:
    model = ModelProto()
    try:
        model.ParseFromString(data)
    except DecodeError as e:
        raise InferError(
            f"not an ONNX model: the protobuf does not parse ({e})",
            file=file,
            hint="check that the file is a complete .onnx file (it may be truncated or not ONNX at all)",
        ) from None
    if not model.HasField("graph") or not model.graph.output:
        raise InferError(
            "not an ONNX model: it has no graph, or a graph without outputs",
            file=file,
            hint="check that the file is a complete .onnx file (it may be truncated or not ONNX at all)",
        )
    return model


def import_model(
    source: str | os.PathLike[str] | bytes | ModelProto,
    *,
    base_dir: str | os.PathLike[str] | None = None,
    file: str | None = None,
) -> ModuleOp:
    """Imports an ONNX model (path, bytes or `ModelProto`) as an `onnx`-dialect module.

    `base_dir` is where external data is looked up (defaults to the model's
    directory); `file` names the model in diagnostics.
    """
    if file is None and isinstance(source, str | os.PathLike):
        file = str(source)
    try:
        model, model_dir = load_model(source)
        directory = Path(base_dir).resolve() if base_dir is not None else model_dir
        return _Importer(model, directory).run()
    except InferError as e:
        raise e.with_context(file=file) from None


class _Scope:
    """Values visible in one graph; subgraphs see their parents' values."""

    def __init__(self, parent: _Scope | None = None) -> None:
        self.parent = parent
        self.values: dict[str, SSAValue] = {}
        self.none: SSAValue | None = None

    def none_value(self, builder: Builder) -> SSAValue:
        """The graph's one `onnx.NoValue`, made at the start of its block on first use."""
        if self.none is None:
            block = builder.insertion_point.block
            op = NoValueOp()
            if block.first_op is None:
                block.add_op(op)
            else:
                block.insert_op_before(op, block.first_op)
            op.result.name_hint = "none"
            self.none = op.result
        return self.none

    def lookup(self, name: str) -> SSAValue | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.values:
                return scope.values[name]
            scope = scope.parent
        return None


_NAME_CHARS = re.compile(r"[^\w$.-]")


def _name_hint(name: str) -> str | None:
    if not name:
        return None
    hint = _NAME_CHARS.sub("_", name)
    if hint[0].isdigit() or hint[0] in "$.-":
        hint = f"v{hint}"
    return hint


@dataclass
class _LightModel:
    """The model without its large tensors, inlined and shape-inferred."""

    graph: GraphProto
    """The main graph's nodes (functions inlined, large `Constant` nodes left out)."""
    types: dict[str, TypeProto]
    """The type of every value shape inference could tell."""
    large_constants: list[NodeProto]
    """`Constant` nodes of the main graph left out of `graph`, in order."""


def _is_large(tensor: TensorProto) -> bool:
    return element_count(tensor) > SMALL_TENSOR


def _light_model(model: ModelProto) -> _LightModel:
    light = ModelProto()
    light.ir_version = model.ir_version
    light.opset_import.extend(model.opset_import)
    light.functions.extend(model.functions)
    graph, source = light.graph, model.graph
    graph.name = source.name
    graph.input.extend(source.input)
    graph.output.extend(source.output)
    graph.value_info.extend(source.value_info)
    declared = {i.name for i in source.input}

    def as_input(name: str, data_type: int, dims: Iterable[int]) -> None:
        if name not in declared:
            graph.input.append(onnx.helper.make_tensor_value_info(name, data_type, list(dims)))
            declared.add(name)

    for tensor in source.initializer:
        if _is_large(tensor):
            as_input(tensor.name, tensor.data_type, tensor.dims)
        else:
            graph.initializer.append(tensor)
    for sparse in source.sparse_initializer:
        as_input(sparse.values.name, sparse.values.data_type, sparse.dims)
    large_constants: list[NodeProto] = []
    for node in source.node:
        value = _large_constant_value(node)
        if value is not None:
            large_constants.append(node)
            as_input(node.output[0], value.data_type, value.dims)
        else:
            graph.node.append(node)
    if light.functions:
        try:
            light = onnx.inliner.inline_local_functions(light)
        except Exception as e:  # the inliner reports malformed functions as assorted errors
            raise InferError(f"cannot inline the model's local functions: {_first_line(e)}", hint=_FIX_MODEL) from None
    try:
        inferred = onnx.shape_inference.infer_shapes(light, strict_mode=False, data_prop=True)
    except Exception:  # shape inference is a help, never a requirement
        inferred = light
    types: dict[str, TypeProto] = {}

    def collect(g: GraphProto) -> None:
        for info in (*g.value_info, *g.input, *g.output):
            if info.type.WhichOneof("value") is not None:
                types.setdefault(info.name, info.type)
        for node in g.node:
            for attr in node.attribute:
                if attr.type == AttributeProto.GRAPH:
                    collect(attr.g)

    collect(inferred.graph)
    return _LightModel(light.graph, types, large_constants)


def _large_constant_value(node: NodeProto) -> TensorProto | None:
    if node.op_type != "Constant" or node.domain not in ("", DEFAULT_DOMAIN) or len(node.output) != 1:
        return None
    for attr in node.attribute:
        if attr.name == "value" and attr.type == AttributeProto.TENSOR and _is_large(attr.t):
            return attr.t
    return None


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


class _Importer:
    def __init__(self, model: ModelProto, directory: Path | None) -> None:
        self.model = model
        self.opsets: dict[str, int] = {}
        for entry in model.opset_import:
            self.opsets[canonical_domain(entry.domain)] = entry.version
        if not self.opsets:
            raise InferError(
                "the model imports no opset",
                hint="a valid model lists its opset_import (the file may be truncated)",
            )
        self.tensors = TensorReader(directory)
        self.light = _light_model(model)

    # -- types --------------------------------------------------------------------

    def convert_type(self, proto: TypeProto | None) -> Attribute:
        if proto is None:
            return UnknownType()
        kind = proto.WhichOneof("value")
        if kind == "tensor_type":
            element = self._element_type(proto.tensor_type.elem_type)
            if element is None:
                return UnknownType()
            if not proto.tensor_type.HasField("shape"):
                return UnrankedTensorType(element)
            dims = [
                d.dim_value if d.HasField("dim_value") and d.dim_value >= 0 else _DYNAMIC
                for d in proto.tensor_type.shape.dim
            ]
            return TensorType(element, dims)
        if kind == "sequence_type":
            return SequenceType(self.convert_type(proto.sequence_type.elem_type))
        if kind == "optional_type":
            return OptionalType(self.convert_type(proto.optional_type.elem_type))
        if kind == "map_type":
            key = self._element_type(proto.map_type.key_type) or UnknownType()
            return MapType(key, self.convert_type(proto.map_type.value_type))
        if kind == "sparse_tensor_type":
            return self.convert_type(TypeProto(tensor_type=proto.sparse_tensor_type))  # type: ignore[arg-type]
        return UnknownType()

    def _element_type(self, data_type: int) -> Attribute | None:
        if data_type == TensorProto.UNDEFINED:
            return None
        if data_type == TensorProto.STRING:
            return StringType()
        try:
            return dtypes.from_onnx(data_type)
        except dtypes.UnsupportedElementType as e:
            raise UnsupportedError(str(e)) from None

    def value_type(self, name: str) -> Attribute:
        return self.convert_type(self.light.types.get(name))

    # -- module -------------------------------------------------------------------

    def run(self) -> ModuleOp:
        graph = self.model.graph
        initializer_names = {t.name for t in graph.initializer} | {t.values.name for t in graph.sparse_initializer}
        inputs = [i for i in graph.input if i.name not in initializer_names]
        arg_types = [self.convert_type(i.type) for i in inputs]
        block = Block(arg_types=arg_types)
        scope = _Scope()
        for value, info in zip(block.args, inputs, strict=True):
            value.name_hint = _name_hint(info.name)
            scope.values[info.name] = value
        builder = Builder(InsertPoint.at_end(block))
        self._initializers(graph, builder, scope)
        for node in self.light.large_constants:
            self.import_node(node, builder, scope)
        self._import_nodes(self.light.graph, builder, scope)
        results = [self._output(scope, o.name, "graph output") for o in graph.output]
        builder.insert(func.ReturnOp(*results))
        function = func.FuncOp(
            ENTRY_POINT,
            (arg_types, [v.type for v in results]),
            Region(block),
            arg_attrs=ArrayAttr([self._io_attrs(i) for i in inputs]),
            res_attrs=ArrayAttr([self._io_attrs(o, v.type) for o, v in zip(graph.output, results, strict=True)]),
        )
        module = ModuleOp([function])
        module.attributes["onnx.opset_import"] = opset_attr(self.opsets)
        if graph.name:
            module.attributes["onnx.graph_name"] = StringAttr(graph.name)
        if self.model.producer_name:
            module.attributes["onnx.producer"] = StringAttr(
                f"{self.model.producer_name} {self.model.producer_version}".strip()
            )
        return module

    def _output(self, scope: _Scope, name: str, what: str) -> SSAValue:
        found = scope.lookup(name)
        if found is None:
            raise InferError(
                f"{what} '{name}' is not produced by any node, initializer or input",
                hint="the model is malformed (a node may be missing); check it with onnx.checker",
            )
        return found

    def _io_attrs(self, info: onnx.ValueInfoProto, value_type: Attribute | None = None) -> DictionaryAttr:
        """Name and dim symbols of an input or output; a symbol is kept only for
        a dim that is dynamic in the value's type (shape inference may know it)."""
        params: list[str] = []
        if info.type.HasField("tensor_type") and info.type.tensor_type.HasField("shape"):
            params = [d.dim_param if d.HasField("dim_param") else "" for d in info.type.tensor_type.shape.dim]
        if isinstance(value_type, TensorType) and len(value_type.get_shape()) == len(params):
            params = [p if dim == _DYNAMIC else "" for p, dim in zip(params, value_type.get_shape(), strict=True)]
        return io_attrs(info.name, params)

    # -- graphs -----------------------------------------------------------------------

    def _initializers(self, graph: GraphProto, builder: Builder, scope: _Scope) -> None:
        for tensor in graph.initializer:
            self._initializer(builder, scope, tensor.name, partial(self.tensors.read, tensor))
        for sparse in graph.sparse_initializer:
            self._initializer(builder, scope, sparse.values.name, partial(self.tensors.read_sparse, sparse))

    def _initializer(self, builder: Builder, scope: _Scope, name: str, read: Callable[[], Attribute]) -> None:
        """An initializer as an `onnx.Constant` located at its name."""
        if scope.values.get(name) is not None:
            return
        try:
            value = read()
        except InferError as e:
            raise e.with_context(node=name, op="initializer") from None
        value_type = value.type  # type: ignore[attr-defined]
        attributes: dict[str, Attribute] = {"value": value}
        if not self._constant_can_hold(value_type):
            attributes[INITIALIZER_ATTR] = UnitAttr()
        op_class = OP_BY_NAME[(DEFAULT_DOMAIN, "Constant")]
        op = op_class.create_from_flat([], [value_type], attributes)
        op.location = NameLoc(StringAttr(name), NoneAttr())
        builder.insert(op)
        result = op.results[0]
        result.name_hint = _name_hint(name)
        scope.values[name] = result

    def _constant_can_hold(self, value_type: Attribute) -> bool:
        """Whether `onnx.Constant` at the model's opset may produce this type
        (initializers may have any type; `Constant` before opset 9 only floats)."""
        opset = self.opsets.get(DEFAULT_DOMAIN)
        schema = schema_for("Constant", opset) if opset is not None else None
        if schema is None:
            return False
        allowed = {s for c in schema.type_constraints for s in c.allowed_type_strs}
        return onnx_type_string(value_type) in allowed

    def import_subgraph(self, graph: GraphProto, scope: _Scope) -> Region:
        inner = _Scope(scope)
        block = Block(arg_types=[self.convert_type(i.type) for i in graph.input])
        for value, info in zip(block.args, graph.input, strict=True):
            value.name_hint = _name_hint(info.name)
            inner.values[info.name] = value
        builder = Builder(InsertPoint.at_end(block))
        self._initializers(graph, builder, inner)
        self._import_nodes(graph, builder, inner)
        outputs = [self._output(inner, o.name, f"output of subgraph '{graph.name}'") for o in graph.output]
        builder.insert(YieldOp(outputs))
        return Region(block)

    def _import_nodes(self, graph: GraphProto, builder: Builder, scope: _Scope) -> None:
        for node in _topological(graph, scope):
            self.import_node(node, builder, scope)

    # -- nodes --------------------------------------------------------------------------

    def import_node(self, node: NodeProto, builder: Builder, scope: _Scope) -> None:
        domain = canonical_domain(node.domain)
        opset = self.opsets.get(domain)
        name = node.name or (node.output[0] if node.output else None)
        try:
            self._import_node(node, domain, opset, builder, scope)
        except InferError as e:
            raise e.with_context(node=name, op=node.op_type, opset=opset) from None

    def _import_node(self, node: NodeProto, domain: str, opset: int | None, builder: Builder, scope: _Scope) -> None:
        if opset is None:
            raise UnsupportedError(
                f"the model imports no opset of domain '{domain}'",
                hint=f"add an opset_import for '{domain}' to the model"
                if domain in KNOWN_DOMAINS
                else f"'{domain}' is not an ONNX domain; infer reads {', '.join(sorted(KNOWN_DOMAINS))}",
            )
        op_class = OP_BY_NAME.get((domain, node.op_type))
        if op_class is None:
            if domain not in KNOWN_DOMAINS:
                raise UnsupportedError(
                    f"'{node.op_type}' of domain '{domain}' is not an ONNX operator",
                    hint=f"custom domains are not supported; infer reads {', '.join(sorted(KNOWN_DOMAINS))}",
                )
            raise UnsupportedError(
                f"'{node.op_type}' is not an operator of '{domain}'",
                hint="check the op type's spelling (op types are case-sensitive)",
            )
        schema = schema_for(node.op_type, opset, domain)
        if schema is None:
            first = min(
                s.since_version
                for s in onnx.defs.get_all_schemas_with_history()
                if s.name == node.op_type and canonical_domain(s.domain) == domain
            )
            raise UnsupportedError(
                f"'{node.op_type}' does not exist at opset {opset} of '{domain}' (it exists from opset {first})",
                hint="the model's opset_import is too old for this operator",
            )
        operands: list[SSAValue] = []
        for name in node.input:
            if not name:
                operands.append(scope.none_value(builder))
                continue
            value = scope.lookup(name)
            if value is None:
                raise InferError(
                    f"input '{name}' is not produced by any node, initializer or graph input",
                    hint="the model is malformed; check it with onnx.checker",
                )
            operands.append(value)
        # Trailing optional inputs the node leaves out are `none` operands.
        missing = op_class.single_operand_count() - len(operands)
        if missing > 0:
            operands += [scope.none_value(builder)] * missing
        result_types = [self.value_type(name) if name else NoneType() for name in node.output]
        result_types += [NoneType()] * max(0, op_class.single_result_count() - len(result_types))
        attributes: dict[str, Attribute] = {}
        regions: dict[str, Region] = {}
        for attr in node.attribute:
            self._check_attribute_type(attr, schema)
            if attr.type == AttributeProto.GRAPH:
                regions[attr.name] = self.import_subgraph(attr.g, scope)
            else:
                attributes[attr.name] = self.convert_attribute(attr)
        ordered_regions = [regions.pop(name, Region()) for name in op_class.GRAPH_ATTRS]
        if regions:
            raise UnsupportedError(f"graph attribute '{next(iter(regions))}' is not known for {node.op_type}")
        try:
            op = op_class.create_from_flat(operands, result_types, attributes, ordered_regions)
            op.verify_schema(opset)
        except SchemaViolation as e:
            raise InferError(e.detail, hint=_FIX_MODEL) from None
        op.location = NameLoc(StringAttr(node.name or (node.output[0] if node.output else node.op_type)), NoneAttr())
        builder.insert(op)
        for name, result in zip(node.output, op.results, strict=False):
            if name:
                result.name_hint = _name_hint(name)
                scope.values[name] = result

    # -- attributes -----------------------------------------------------------------------

    @staticmethod
    def _check_attribute_type(attr: AttributeProto, schema: onnx.defs.OpSchema) -> None:
        if attr.ref_attr_name:
            raise InferError(
                f"attribute '{attr.name}' refers to the attribute '{attr.ref_attr_name}' of a function "
                "that is not being inlined",
                hint=_FIX_MODEL,
            )
        expected = schema.attributes.get(attr.name)
        if expected is None:
            return  # the schema check names unknown attributes with the opsets that have them
        expected_name = str(expected.type).rsplit(".", 1)[-1]
        given_name = AttributeProto.AttributeType.Name(attr.type)
        if expected_name != given_name:
            raise InferError(
                f"attribute '{attr.name}' is {given_name} but {schema.name} expects {expected_name}",
                hint=_FIX_MODEL,
            )

    def convert_attribute(self, attr: AttributeProto) -> Attribute:
        kind = attr.type
        if kind == AttributeProto.INT:
            return IntegerAttr(attr.i, i64)
        if kind == AttributeProto.FLOAT:
            return FloatAttr(attr.f, f32)
        if kind == AttributeProto.STRING:
            return StringAttr(_decode(attr))
        if kind == AttributeProto.INTS:
            return DenseArrayBase.from_list(i64, list(attr.ints))
        if kind == AttributeProto.FLOATS:
            return DenseArrayBase.from_list(f32, list(attr.floats))
        if kind == AttributeProto.STRINGS:
            return ArrayAttr([StringAttr(_decode(attr, s)) for s in attr.strings])
        if kind == AttributeProto.TENSOR:
            return self.tensors.read(attr.t)
        if kind == AttributeProto.TENSORS:
            return ArrayAttr([self.tensors.read(t) for t in attr.tensors])
        if kind == AttributeProto.SPARSE_TENSOR:
            return self.tensors.read_sparse(attr.sparse_tensor)
        if kind == AttributeProto.TYPE_PROTO:
            return self.convert_type(attr.tp)
        if kind == AttributeProto.TYPE_PROTOS:
            return ArrayAttr([self.convert_type(t) for t in attr.type_protos])
        raise UnsupportedError(
            f"attribute '{attr.name}' has a type ({AttributeProto.AttributeType.Name(kind)}) that is not supported"
        )


def _decode(attr: AttributeProto, data: bytes | None = None) -> str:
    try:
        return (attr.s if data is None else data).decode("utf-8")
    except UnicodeDecodeError:
        raise UnsupportedError(f"string attribute '{attr.name}' is not valid UTF-8") from None


def _topological(graph: GraphProto, scope: _Scope) -> list[NodeProto]:
    """The graph's nodes in an order where producers come first (ONNX asks for
    sorted graphs, but exporters do not always deliver). Names a subgraph uses
    from the graphs around it count as inputs too."""
    nodes = list(graph.node)
    needs = [_used_names(node) for node in nodes]
    produced = {name for node in nodes for name in node.output if name}
    available: set[str] = set()
    ordered: list[NodeProto] = []
    pending = list(range(len(nodes)))
    while pending:
        rest: list[int] = []
        for i in pending:
            if all(n in available or (n not in produced and scope.lookup(n) is not None) for n in needs[i]):
                ordered.append(nodes[i])
                available.update(nodes[i].output)
            else:
                rest.append(i)
        if len(rest) == len(pending):
            # A cycle, or a name nothing defines: the node import reports it.
            ordered += [nodes[i] for i in rest]
            break
        pending = rest
    return ordered


def _used_names(node: NodeProto) -> set[str]:
    """Values a node reads: its inputs and what its subgraphs take from outside."""
    names = {n for n in node.input if n}
    for attr in node.attribute:
        if attr.type == AttributeProto.GRAPH:
            names |= _outer_names(attr.g)
    return names


def _outer_names(graph: GraphProto) -> set[str]:
    defined = {i.name for i in graph.input} | {t.name for t in graph.initializer}
    defined |= {t.values.name for t in graph.sparse_initializer}
    used: set[str] = set()
    for node in graph.node:
        used |= _used_names(node)
        defined.update(node.output)
    used.update(o.name for o in graph.output)
    return used - defined


__all__ = ["import_model", "load_model"]
