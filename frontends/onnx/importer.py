"""ONNX `ModelProto` -> `onnx` dialect: one op per node, weights in bulk.

The importer translates the container and changes no semantics:

- the main graph becomes `func.func @main_graph`; its inputs (initializers
  excluded) are the arguments and its outputs the results, each carrying its
  ONNX name and dim symbols (see `infer.dialects.signature`); an unknown or
  symbolic dim is `?` in the type;
- initializers and `Constant` values become `onnx.Constant` ops whose dense
  attributes are built from the tensors' bytes (never Python lists);
- external data is read from files inside the model's own directory only;
- model-local functions are inlined (the dynamo PyTorch exporter emits them);
- `If`/`Loop`/`Scan` bodies become regions ended by `onnx.Yield`;
- node names are kept as op locations (`loc("conv1")`);
- the opset imports are recorded on the module.

Intermediate value types come from ONNX's own shape inference where it can
tell; where it cannot, the type is `!onnx.unknown`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import onnx
import onnx.inliner
import onnx.shape_inference
from google.protobuf.message import DecodeError
from onnx import AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, TypeProto, numpy_helper
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
    UnrankedTensorType,
    f32,
    i64,
)
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.rewriter import InsertPoint

from infer.diagnostics import InferError, UnsupportedError
from infer.dialects import dtypes
from infer.dialects.constants import numpy_to_dense
from infer.dialects.onnx import OP_BY_NAME, NoValueOp, YieldOp, opset_attr
from infer.dialects.onnx.base import DEFAULT_DOMAIN, canonical_domain, schema_for
from infer.dialects.onnx.types import MapType, OptionalType, SequenceType, StringType, UnknownType
from infer.dialects.signature import ENTRY_POINT, io_attrs

_DYNAMIC = TensorType.DYNAMIC_INDEX if hasattr(TensorType, "DYNAMIC_INDEX") else -(2**63)


def load_model(source: str | os.PathLike[str] | bytes | ModelProto) -> tuple[ModelProto, Path | None]:
    """Reads a model without its external data; returns it with its directory."""
    if isinstance(source, ModelProto):
        return source, None
    if isinstance(source, bytes):
        return _parse_bytes(source, None), None
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InferError(f"cannot read the model: {e.strerror}", file=str(path)) from None
    return _parse_bytes(data, str(path)), path.resolve().parent


def _parse_bytes(data: bytes, file: str | None) -> ModelProto:
    model = ModelProto()
    try:
        model.ParseFromString(data)
    except DecodeError as e:
        raise InferError(
            f"not a valid ONNX model: the protobuf does not parse ({e})",
            file=file,
            hint="check that the file is a complete .onnx file (it may be truncated)",
        ) from None
    if not model.HasField("graph"):
        raise InferError("not a valid ONNX model: it has no graph", file=file)
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
    model, model_dir = load_model(source)
    if file is None and isinstance(source, str | os.PathLike):
        file = str(source)
    directory = Path(base_dir).resolve() if base_dir is not None else model_dir
    try:
        return _Importer(model, directory, file).run()
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
    if hint[0].isdigit():
        hint = f"v{hint}"
    return hint


class _Importer:
    def __init__(self, model: ModelProto, directory: Path | None, file: str | None) -> None:
        self.file = file
        self.directory = directory
        self.opsets = {canonical_domain(o.domain): o.version for o in model.opset_import}
        if DEFAULT_DOMAIN not in self.opsets:
            raise InferError("the model imports no opset of the default ONNX domain", file=file)
        if model.functions:
            try:
                model = onnx.inliner.inline_local_functions(model)
            except Exception as e:  # the inliner reports malformed functions as assorted errors
                raise InferError(f"cannot inline the model's local functions: {e}") from None
        self.model = model
        self.value_types = self._infer_types(model)

    # -- types --------------------------------------------------------------------

    def _infer_types(self, model: ModelProto) -> dict[str, TypeProto]:
        """Types of every named value ONNX shape inference can determine."""
        inferred = model
        if model.ByteSize() < 1_800_000_000:
            try:
                inferred = onnx.shape_inference.infer_shapes(model, strict_mode=False, data_prop=True)
            except Exception:  # shape inference is a help, never a requirement
                inferred = model
        types: dict[str, TypeProto] = {}

        def collect(graph: GraphProto) -> None:
            for info in (*graph.value_info, *graph.input, *graph.output):
                if info.type.WhichOneof("value") is not None:
                    types.setdefault(info.name, info.type)
            for node in graph.node:
                for attr in node.attribute:
                    if attr.type == AttributeProto.GRAPH:
                        collect(attr.g)
                    elif attr.type == AttributeProto.GRAPHS:
                        for g in attr.graphs:
                            collect(g)

        collect(inferred.graph)
        return types

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
            dims = [d.dim_value if d.HasField("dim_value") else _DYNAMIC for d in proto.tensor_type.shape.dim]
            return TensorType(element, dims)
        if kind == "sequence_type":
            return SequenceType(self.convert_type(proto.sequence_type.elem_type))
        if kind == "optional_type":
            return OptionalType(self.convert_type(proto.optional_type.elem_type))
        if kind == "map_type":
            key = self._element_type(proto.map_type.key_type) or UnknownType()
            return MapType(key, self.convert_type(proto.map_type.value_type))
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
        return self.convert_type(self.value_types.get(name))

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
        self.import_graph_body(graph, builder, scope)
        results: list[SSAValue] = []
        for output in graph.output:
            found = scope.lookup(output.name)
            if found is None:
                raise InferError(f"graph output '{output.name}' is not produced by any node, initializer or input")
            results.append(found)
        builder.insert(func.ReturnOp(*results))
        function = func.FuncOp(
            ENTRY_POINT,
            (arg_types, [v.type for v in results]),
            Region(block),
            arg_attrs=ArrayAttr([self._io_attrs(i) for i in inputs]),
            res_attrs=ArrayAttr([self._io_attrs(o) for o in graph.output]),
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

    def _io_attrs(self, info: onnx.ValueInfoProto) -> DictionaryAttr:
        params: list[str] = []
        if info.type.HasField("tensor_type") and info.type.tensor_type.HasField("shape"):
            params = [d.dim_param if d.HasField("dim_param") else "" for d in info.type.tensor_type.shape.dim]
        return io_attrs(info.name, params)

    # -- graphs -----------------------------------------------------------------------

    def import_graph_body(self, graph: GraphProto, builder: Builder, scope: _Scope) -> None:
        for tensor in graph.initializer:
            if scope.values.get(tensor.name) is None:
                self._constant(builder, scope, tensor.name, self.tensor_to_dense(tensor))
        for sparse in graph.sparse_initializer:
            self._constant(builder, scope, sparse.values.name, self.sparse_to_dense(sparse))
        for node in _topological(graph, scope):
            self.import_node(node, builder, scope)

    def _constant(self, builder: Builder, scope: _Scope, name: str, value: Attribute) -> SSAValue:
        op_class = OP_BY_NAME[(DEFAULT_DOMAIN, "Constant")]
        op = op_class.create_from_flat([], [value.type], {"value": value})  # type: ignore[attr-defined]
        op.location = NameLoc(StringAttr(name), NoneAttr())
        builder.insert(op)
        result = op.results[0]
        result.name_hint = _name_hint(name)
        scope.values[name] = result
        return result

    def import_subgraph(self, graph: GraphProto, scope: _Scope) -> Region:
        inner = _Scope(scope)
        block = Block(arg_types=[self.convert_type(i.type) for i in graph.input])
        for value, info in zip(block.args, graph.input, strict=True):
            value.name_hint = _name_hint(info.name)
            inner.values[info.name] = value
        builder = Builder(InsertPoint.at_end(block))
        self.import_graph_body(graph, builder, inner)
        outputs: list[SSAValue] = []
        for output in graph.output:
            found = inner.lookup(output.name)
            if found is None:
                raise InferError(f"subgraph '{graph.name}' output '{output.name}' is not defined")
            outputs.append(found)
        builder.insert(YieldOp(outputs))
        return Region(block)

    # -- nodes --------------------------------------------------------------------------

    def import_node(self, node: NodeProto, builder: Builder, scope: _Scope) -> None:
        domain = canonical_domain(node.domain)
        opset = self.opsets.get(domain)
        where = {"node": node.name or (node.output[0] if node.output else None), "op": node.op_type, "opset": opset}
        try:
            self._import_node(node, domain, opset, builder, scope)
        except InferError as e:
            raise e.with_context(**where) from None

    def _import_node(self, node: NodeProto, domain: str, opset: int | None, builder: Builder, scope: _Scope) -> None:
        op_class = OP_BY_NAME.get((domain, node.op_type))
        if opset is None:
            raise UnsupportedError(f"the model imports no opset for domain '{domain}'")
        if op_class is None or schema_for(node.op_type, opset, domain) is None:
            what = "an ONNX operator" if domain == DEFAULT_DOMAIN else f"an operator of domain '{domain}'"
            raise UnsupportedError(
                f"'{node.op_type}' is not {what} at opset {opset}",
                hint="check the op type and the model's opset imports (custom domains are not supported)",
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
            if attr.type == AttributeProto.GRAPH:
                regions[attr.name] = self.import_subgraph(attr.g, scope)
            else:
                attributes[attr.name] = self.convert_attribute(attr)
        ordered_regions = [regions.pop(name, Region()) for name in op_class.GRAPH_ATTRS]
        if regions:
            raise UnsupportedError(f"graph attribute '{next(iter(regions))}' is not known for {node.op_type}")
        op = op_class.create_from_flat(operands, result_types, attributes, ordered_regions)
        op.location = NameLoc(StringAttr(node.name or (node.output[0] if node.output else node.op_type)), NoneAttr())
        builder.insert(op)
        for name, result in zip(node.output, op.results, strict=False):
            if name:
                result.name_hint = _name_hint(name)
                scope.values[name] = result

    # -- attributes and tensors -----------------------------------------------------------

    def convert_attribute(self, attr: AttributeProto) -> Attribute:
        kind = attr.type
        if kind == AttributeProto.INT:
            return IntegerAttr(attr.i, i64)
        if kind == AttributeProto.FLOAT:
            return FloatAttr(attr.f, f32)
        if kind == AttributeProto.STRING:
            return StringAttr(_decode(attr.s))
        if kind == AttributeProto.INTS:
            return DenseArrayBase.from_list(i64, list(attr.ints))
        if kind == AttributeProto.FLOATS:
            return DenseArrayBase.from_list(f32, list(attr.floats))
        if kind == AttributeProto.STRINGS:
            return ArrayAttr([StringAttr(_decode(s)) for s in attr.strings])
        if kind == AttributeProto.TENSOR:
            return self.tensor_to_dense(attr.t)
        if kind == AttributeProto.TENSORS:
            return ArrayAttr([self.tensor_to_dense(t) for t in attr.tensors])
        if kind == AttributeProto.SPARSE_TENSOR:
            return self.sparse_to_dense(attr.sparse_tensor)
        if kind == AttributeProto.TYPE_PROTO:
            return self.convert_type(attr.tp)
        if kind == AttributeProto.TYPE_PROTOS:
            return ArrayAttr([self.convert_type(t) for t in attr.type_protos])
        raise UnsupportedError(
            f"attribute '{attr.name}' has a type ({AttributeProto.AttributeType.Name(kind)}) that is not supported"
        )

    def tensor_to_dense(self, tensor: TensorProto) -> Attribute:
        """A dense attribute of a tensor's bytes; external data is read from the model directory."""
        if tensor.data_type == TensorProto.STRING:
            raise UnsupportedError(f"string tensor '{tensor.name}' is not supported")
        element = dtypes.from_onnx(tensor.data_type)
        tensor_type = TensorType(element, list(tensor.dims))
        entry = dtypes.BY_ONNX[tensor.data_type]
        if entry.numpy is None:
            raise UnsupportedError(f"tensor '{tensor.name}' has element type {entry.onnx_name}, which is not supported")
        if tensor.data_location == TensorProto.EXTERNAL:
            array = self._external(tensor, entry.numpy)
        else:
            try:
                array = numpy_helper.to_array(tensor)
            except Exception as e:
                raise InferError(f"tensor '{tensor.name}' is malformed: {e}") from None
        expected = int(np.prod(tensor.dims, dtype=np.int64)) if tensor.dims else 1
        if array.size != expected:
            raise InferError(
                f"tensor '{tensor.name}' holds {array.size} values but its shape {list(tensor.dims)} needs {expected}"
            )
        return numpy_to_dense(array.reshape(tuple(tensor.dims)), tensor_type)

    def _external(self, tensor: TensorProto, dtype: np.dtype) -> np.ndarray:
        info = {e.key: e.value for e in tensor.external_data}
        location = info.get("location")
        if not location:
            raise InferError(f"tensor '{tensor.name}' has external data without a location")
        if self.directory is None:
            raise InferError(
                f"tensor '{tensor.name}' has its data in '{location}' but the model was not loaded from a file",
                hint="load the model from its path, or pass base_dir",
            )
        path = (self.directory / location).resolve()
        if os.path.commonpath([path, self.directory]) != str(self.directory):
            raise InferError(
                f"tensor '{tensor.name}' points at external data '{location}' outside the model's directory",
                hint="external data must live inside the directory of the .onnx file",
            )
        offset = int(info.get("offset", 0))
        count = int(np.prod(tensor.dims, dtype=np.int64)) if tensor.dims else 1
        length = int(info.get("length", count * dtype.itemsize))
        try:
            size = path.stat().st_size
        except OSError:
            raise InferError(f"external data file '{location}' of tensor '{tensor.name}' cannot be read") from None
        if offset + length > size or length != count * dtype.itemsize:
            raise InferError(
                f"external data of tensor '{tensor.name}' ({length} bytes at offset {offset} of '{location}') "
                f"does not match its shape {list(tensor.dims)} or the file size {size}"
            )
        return np.fromfile(path, dtype=dtype.newbyteorder("<"), count=count, offset=offset)

    def sparse_to_dense(self, sparse: onnx.SparseTensorProto) -> Attribute:
        values = self.tensor_to_dense(sparse.values)
        from infer.dialects.constants import dense_to_numpy

        flat_values = dense_to_numpy(values).reshape(-1)  # type: ignore[arg-type]
        indices = numpy_helper.to_array(sparse.indices).astype(np.int64)
        shape = tuple(sparse.dims)
        dense = np.zeros(shape, dtype=flat_values.dtype)
        if indices.ndim == 1:
            dense.reshape(-1)[indices] = flat_values
        else:
            dense[tuple(indices.T)] = flat_values
        return numpy_to_dense(dense)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsupportedError("a string attribute is not valid UTF-8") from None


def _topological(graph: GraphProto, scope: _Scope) -> Iterable[NodeProto]:
    """The graph's nodes in an order where producers come first (ONNX asks for
    sorted graphs, but exporters do not always deliver)."""
    nodes = list(graph.node)
    available = set()
    pending: list[NodeProto] = []
    ordered: list[NodeProto] = []
    for node in nodes:
        if all(not n or n in available or scope.lookup(n) is not None for n in node.input):
            ordered.append(node)
            available.update(node.output)
        else:
            pending.append(node)
    if not pending:
        return ordered
    progress = True
    while pending and progress:
        progress = False
        rest: list[NodeProto] = []
        for node in pending:
            if all(not n or n in available or scope.lookup(n) is not None for n in node.input):
                ordered.append(node)
                available.update(node.output)
                progress = True
            else:
                rest.append(node)
        pending = rest
    # Whatever is left refers to values nothing defines: the node import reports it.
    return ordered + pending


__all__ = ["import_model", "load_model"]
