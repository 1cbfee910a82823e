"""`infer` as an ONNX backend (`onnx.backend.base.Backend`).

    import infer.backend as backend
    rep = backend.prepare(model, device="CPU", target="interp")
    outputs = rep.run([x])            # or rep.run({"data": x}); outputs in graph order

A model whose graph inputs carry values `infer` needs at compile time (the
axes of a reduction, the pads of Pad, the sizes of Resize, given as inputs
rather than initializers) is specialized: it is compiled at `run`, with those
inputs' values as constants, once per distinct value (`specialize=False` makes
such a model an error at `prepare`, as `infer.compile` does).

This module is itself usable where ONNX expects a backend (as
`onnx.backend.test.BackendTest(infer.backend, __name__)` does): `prepare`,
`run_model`, `run_node`, `supports_device` and `is_compatible` are
module-level functions delegating to `InferBackend`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
from onnx import ModelProto, NodeProto, helper
from onnx.backend.base import Backend, BackendRep

from infer.api import CompiledModel, compile
from infer.diagnostics import InferError, NotConstantError
from infer.dialects import dtypes

DEVICES = ("CPU",)


class InferRep(BackendRep):
    """A prepared model; `run` takes a list (graph input order, initializers
    excluded) or a dict by name and returns the outputs in graph order."""

    def __init__(self, model: CompiledModel) -> None:
        self.model = model

    def run(self, inputs: Any, **kwargs: Any) -> tuple[np.ndarray, ...]:
        if isinstance(inputs, np.ndarray) or not isinstance(inputs, Mapping | Sequence):
            inputs = [inputs]
        outputs = self.model.run(inputs)
        return tuple(outputs[name] for name in self.model.output_names)


class SpecializingRep(BackendRep):
    """A model compiled at `run`, with the graph inputs `names` (which `infer`
    needs at compile time) replaced by the values given; one compiled model per
    distinct set of values."""

    MAX_VARIANTS = 16
    """Compiled variants kept (the oldest is dropped beyond this)."""

    def __init__(self, model: ModelProto, names: Sequence[str], options: dict[str, Any]) -> None:
        self.model = model
        self.names = list(names)
        self.options = options
        initializers = {t.name for t in model.graph.initializer}
        self.input_names = [i.name for i in model.graph.input if i.name not in initializers]
        self.output_names = [o.name for o in model.graph.output]
        self.variants: dict[tuple[Any, ...], CompiledModel] = {}

    def run(self, inputs: Any, **kwargs: Any) -> tuple[np.ndarray, ...]:
        if isinstance(inputs, np.ndarray) or not isinstance(inputs, Mapping | Sequence):
            inputs = [inputs]
        if isinstance(inputs, Mapping):
            given = {str(k): np.asarray(v) for k, v in inputs.items()}
        else:
            if len(inputs) != len(self.input_names):
                raise InferError(f"the model takes {len(self.input_names)} inputs, got {len(inputs)}")
            given = {name: np.asarray(v) for name, v in zip(self.input_names, inputs, strict=True)}
        missing = [name for name in self.input_names if name not in given]
        if missing:
            raise InferError(f"input '{missing[0]}' is missing")
        compiled = self._compiled(given)
        rest = {name: v for name, v in given.items() if name not in self.names}
        outputs = compiled.run(rest)
        return tuple(outputs[name] for name in self.output_names)

    def _compiled(self, given: Mapping[str, np.ndarray]) -> CompiledModel:
        key = self._key(given)
        if key not in self.variants:
            compiled = compile_specialized(self.model, given, self.names, self.options)
            key = self._key(given)  # the compiler may have asked for more inputs
            if len(self.variants) >= self.MAX_VARIANTS:
                self.variants.pop(next(iter(self.variants)))
            self.variants[key] = compiled
        return self.variants[key]

    def _key(self, given: Mapping[str, np.ndarray]) -> tuple[Any, ...]:
        return tuple((n, given[n].dtype.str, given[n].shape, given[n].tobytes()) for n in self.names)


def compile_specialized(
    model: ModelProto, given: Mapping[str, np.ndarray], names: list[str], options: Mapping[str, Any]
) -> CompiledModel:
    """`model` compiled with its graph inputs `names` replaced by their values in
    `given`; when the compiler needs more graph inputs as constants and `given`
    has them, they are added to `names` (in place) and it compiles again."""
    while True:
        try:
            return compile(specialized(model, {n: given[n] for n in names}), **options)
        except NotConstantError as e:
            more = [n for n in e.graph_inputs if n in given and n not in names]
            if not more:
                raise
            names.extend(more)


def specialized(model: ModelProto, values: Mapping[str, np.ndarray]) -> ModelProto:
    """A copy of `model` whose graph inputs in `values` are initializers holding those values."""
    from onnx import numpy_helper

    copy = ModelProto()
    copy.CopyFrom(model)
    kept = [i for i in copy.graph.input if i.name not in values]
    del copy.graph.input[:]
    copy.graph.input.extend(kept)
    for name, value in values.items():
        copy.graph.initializer.append(numpy_helper.from_array(np.asarray(value), name))
    return copy


class InferBackend(Backend):
    @classmethod
    def is_compatible(cls, model: ModelProto, device: str = "CPU", **kwargs: Any) -> bool:
        """True when the device is supported and every node has a converter at the model's opset."""
        if not cls.supports_device(device):
            return False
        from infer.dialects.onnx import OnnxOp
        from infer.frontends.onnx.importer import import_model
        from infer.lowering.onnx_to_infer.core import find_converter

        try:
            module = import_model(model)
        except InferError:
            return False
        return all(find_converter(op) is not None for op in module.walk() if isinstance(op, OnnxOp))

    @classmethod
    def prepare(
        cls,
        model: ModelProto | str | bytes,
        device: str = "CPU",
        target: str = "interp",  # type: ignore[override]
        opt_level: int | None = None,
        threads: int = 0,
        cache_dir: str | None = None,
        kernels: bool = True,
        specialize: bool = True,
        **kwargs: Any,
    ) -> InferRep | SpecializingRep:
        """`target`: `interp` (the reference interpreter) or `c` (compiled C). For `c`:
        `threads` (1: exactly the calling thread; 0, the default: one per core),
        `cache_dir` (default ~/.cache/infer), `kernels` (heavy ops call the kernel library).
        `specialize`: compile at `run` a model whose graph inputs are needed at compile
        time (see the module docstring)."""
        if not cls.supports_device(device):
            raise InferError(f"device '{device}' is not supported", hint="use device='CPU'")
        options: dict[str, Any] = {
            "target": target,
            "opt_level": opt_level,
            "threads": threads,
            "cache_dir": cache_dir,
            "kernels": kernels,
        }
        try:
            return InferRep(compile(model, **options))
        except NotConstantError as e:
            if not specialize or not e.graph_inputs:
                raise
            proto = (
                model
                if isinstance(model, ModelProto)
                else onnx.load_model_from_string(model)
                if isinstance(model, bytes)
                else onnx.load(model)
            )
            return SpecializingRep(proto, e.graph_inputs, options)

    @classmethod
    def run_model(cls, model: ModelProto, inputs: Any, device: str = "CPU", **kwargs: Any) -> tuple[np.ndarray, ...]:
        return cls.prepare(model, device, **kwargs).run(inputs)

    @classmethod
    def run_node(
        cls,
        node: NodeProto,
        inputs: Any,
        device: str = "CPU",  # type: ignore[override]
        outputs_info: Sequence[tuple[Any, Any]] | None = None,
        **kwargs: Any,
    ) -> tuple[np.ndarray, ...]:
        """Runs one node on numpy inputs (present inputs in order; "" names are absent)."""
        arrays = [np.asarray(v) for v in inputs]
        present = [name for name in node.input if name]
        if len(present) != len(arrays):
            raise InferError(f"node takes {len(present)} inputs, got {len(arrays)}")
        graph_inputs = [
            helper.make_tensor_value_info(name, dtypes.BY_NUMPY[a.dtype].onnx, a.shape)
            for name, a in zip(present, arrays, strict=True)
        ]
        graph_outputs = [helper.make_empty_tensor_value_info(name) for name in node.output if name]
        opset = kwargs.pop("opset_version", None) or onnx.defs.onnx_opset_version()
        domain = node.domain or ""
        graph = helper.make_graph([node], "run_node", graph_inputs, graph_outputs)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid(domain, opset)])
        return cls.prepare(model, device, **kwargs).run(arrays)

    @classmethod
    def supports_device(cls, device: str) -> bool:
        return device.split(":")[0].upper() in DEVICES


prepare = InferBackend.prepare
run_model = InferBackend.run_model
run_node = InferBackend.run_node
supports_device = InferBackend.supports_device
is_compatible = InferBackend.is_compatible
