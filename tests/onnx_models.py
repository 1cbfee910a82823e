"""Helpers for tests: one-node ONNX models, onnxruntime as the oracle, comparison."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ml_dtypes
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import infer

NP_TO_ONNX = {
    np.dtype(np.float32): TensorProto.FLOAT,
    np.dtype(np.float64): TensorProto.DOUBLE,
    np.dtype(np.float16): TensorProto.FLOAT16,
    np.dtype(np.int64): TensorProto.INT64,
    np.dtype(np.int32): TensorProto.INT32,
    np.dtype(np.int16): TensorProto.INT16,
    np.dtype(np.uint16): TensorProto.UINT16,
    np.dtype(np.uint32): TensorProto.UINT32,
    np.dtype(np.uint64): TensorProto.UINT64,
    np.dtype(np.int8): TensorProto.INT8,
    np.dtype(np.uint8): TensorProto.UINT8,
    np.dtype(np.bool_): TensorProto.BOOL,
    **{np.dtype(t): helper.np_dtype_to_tensor_dtype(np.dtype(t)) for t in (
        ml_dtypes.bfloat16, ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e4m3fnuz, ml_dtypes.float8_e5m2,
        ml_dtypes.float8_e5m2fnuz, ml_dtypes.int4, ml_dtypes.uint4, ml_dtypes.int2, ml_dtypes.uint2,
        ml_dtypes.float4_e2m1fn, ml_dtypes.float8_e8m0fnu,
    )},
}  # fmt: skip


def node_model(
    op_type: str,
    inputs: Mapping[str, np.ndarray],
    *,
    opset: int,
    attrs: Mapping[str, Any] | None = None,
    initializers: Mapping[str, np.ndarray] | None = None,
    outputs: Sequence[str] = ("y",),
    input_shapes: Mapping[str, Sequence[int | str | None]] | None = None,
    node_inputs: Sequence[str] | None = None,
) -> onnx.ModelProto:
    """A model with one node. `inputs` are graph inputs (their arrays give
    dtypes and shapes, unless `input_shapes` gives symbolic ones),
    `initializers` are constant inputs; the node takes `node_inputs` (default:
    graph inputs then initializers, in order; "" for an absent input)."""
    initializers = dict(initializers or {})
    names = list(node_inputs) if node_inputs is not None else [*inputs, *initializers]
    shapes = dict(input_shapes or {})
    graph = helper.make_graph(
        [helper.make_node(op_type, names, list(outputs), name=f"{op_type.lower()}_node", **dict(attrs or {}))],
        f"{op_type}_test",
        [helper.make_tensor_value_info(n, NP_TO_ONNX[a.dtype], shapes.get(n, a.shape)) for n, a in inputs.items()],
        [helper.make_empty_tensor_value_info(o) for o in outputs],
        [numpy_helper.from_array(np.asarray(a), n) for n, a in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = min(model.ir_version, 10)
    return model


def run_onnxruntime(model: onnx.ModelProto, feeds: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return session.run(None, dict(feeds))


def run_infer(model: onnx.ModelProto, feeds: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    outputs = infer.compile(model).run(dict(feeds))
    return list(outputs.values())


def assert_matches_onnxruntime(
    model: onnx.ModelProto, feeds: Mapping[str, np.ndarray], *, rtol: float = 1e-4, atol: float = 1e-5
) -> list[np.ndarray]:
    """Runs the model through infer's interpreter and onnxruntime; asserts equal
    dtypes, shapes and values (NaNs in the same places)."""
    expected = run_onnxruntime(model, feeds)
    actual = run_infer(model, feeds)
    assert len(actual) == len(expected)
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        assert a.dtype == e.dtype, f"output {i}: dtype {a.dtype} != {e.dtype}"
        assert a.shape == e.shape, f"output {i}: shape {a.shape} != {e.shape}"
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=f"output {i}")
    return actual
