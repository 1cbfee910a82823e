"""Writes the small ONNX models the frontend's lit tests read.

    python make_models.py OUTDIR

Each model is built here with onnx's helpers (nothing binary is committed);
the lit tests run this script first, into their own temporary directory. The
pytest diagnostics tests use the same models (`MODELS`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _model(
    nodes: list[onnx.NodeProto],
    inputs: list[onnx.ValueInfoProto] | None = None,
    outputs: list[onnx.ValueInfoProto] | None = None,
    initializers: list[TensorProto] | None = None,
    opsets: dict[str, int] | None = None,
) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "test",
        inputs if inputs is not None else [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
        outputs if outputs is not None else [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
        initializers or [],
    )
    opsets = opsets if opsets is not None else {"": 17}
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets.items()])
    model.ir_version = 8
    return model


def signature() -> bytes:
    """Symbolic and unknown dims, an initializer, node names, two domains."""
    return _model(
        [
            helper.make_node("Gemm", ["x", "w", "b"], ["h"], name="fc", transB=1),
            helper.make_node("Relu", ["h"], ["r"], name="act"),
            helper.make_node("Binarizer", ["r"], ["y"], name="bin", domain="ai.onnx.ml", threshold=0.5),
        ],
        inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])],
        outputs=[helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", None])],
        initializers=[
            numpy_helper.from_array(np.arange(12, dtype=np.float32).reshape(4, 3) / 8, "w"),
            numpy_helper.from_array(np.full(4, 0.5, np.float32), "b"),
        ],
        opsets={"": 17, "ai.onnx.ml": 3},
    ).SerializeToString()


def if_outer_scope() -> bytes:
    """An If whose branches use a value of the main graph."""
    then_graph = helper.make_graph(
        [helper.make_node("Mul", ["x", "two"], ["t"])], "then", [], [helper.make_tensor_value_info("t", 1, ["N", 3])]
    )
    else_graph = helper.make_graph(
        [helper.make_node("Neg", ["x"], ["e"])], "else", [], [helper.make_tensor_value_info("e", 1, ["N", 3])]
    )
    return _model(
        [
            helper.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
            helper.make_node("Greater", ["s", "zero"], ["c"]),
            helper.make_node("If", ["c"], ["y"], name="branch", then_branch=then_graph, else_branch=else_graph),
        ],
        initializers=[
            numpy_helper.from_array(np.array(2.0, np.float32), "two"),
            numpy_helper.from_array(np.array(0.0, np.float32), "zero"),
        ],
    ).SerializeToString()


def truncated() -> bytes:
    data = signature()
    return data[: len(data) // 2]


def random_bytes() -> bytes:
    return np.random.default_rng(0).bytes(256)


def unknown_op() -> bytes:
    return _model([helper.make_node("Frobnicate", ["x"], ["y"], name="frob")]).SerializeToString()


def undefined_input() -> bytes:
    return _model([helper.make_node("Add", ["x", "ghost"], ["y"], name="add1")]).SerializeToString()


def unknown_domain() -> bytes:
    return _model([helper.make_node("Fused", ["x"], ["y"], name="fused", domain="com.acme")]).SerializeToString()


def missing_output() -> bytes:
    return _model([helper.make_node("Relu", ["x"], ["z"], name="relu")]).SerializeToString()


def bad_attribute_type() -> bytes:
    node = helper.make_node("Softmax", ["x"], ["y"], name="softmax")
    node.attribute.append(helper.make_attribute("axis", 1.5))
    return _model([node]).SerializeToString()


def op_of_later_opset() -> bytes:
    return _model([helper.make_node("Gelu", ["x"], ["y"], name="gelu")], opsets={"": 17}).SerializeToString()


def schema_violation() -> bytes:
    """Sqrt takes no integers."""
    return _model(
        [helper.make_node("Sqrt", ["x"], ["y"], name="root")],
        inputs=[helper.make_tensor_value_info("x", TensorProto.INT32, [3])],
        outputs=[helper.make_tensor_value_info("y", TensorProto.INT32, [3])],
    ).SerializeToString()


MODELS: dict[str, Callable[[], bytes]] = {
    "signature": signature,
    "if_outer_scope": if_outer_scope,
    "truncated": truncated,
    "random_bytes": random_bytes,
    "unknown_op": unknown_op,
    "undefined_input": undefined_input,
    "unknown_domain": unknown_domain,
    "missing_output": missing_output,
    "bad_attribute_type": bad_attribute_type,
    "op_of_later_opset": op_of_later_opset,
    "schema_violation": schema_violation,
}


def main(outdir: str) -> None:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for name, make in MODELS.items():
        (out / f"{name}.onnx").write_bytes(make())


if __name__ == "__main__":
    main(sys.argv[1])
