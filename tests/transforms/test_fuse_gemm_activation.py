"""`fuse-gemm-activation`: activations after a gemm (or a rank-2 matmul) moved into the
gemm's epilogue; the results before and after are equal bit for bit, node by node."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, assert_pass_preserves_nodes, parse
from light_models import inputs, load, with_random_weights
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp

import infer
from infer.dialects.infer.epilogue import Epilogue
from infer.dialects.infer.matmul import GemmOp
from infer.transforms.fuse_gemm_activation import FuseGemmActivationPass


def _counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk())


def _epilogues(module: ModuleOp) -> list[Epilogue | None]:
    return [op.epilogue for op in module.walk() if isinstance(op, GemmOp)]


def _model(
    nodes: list[onnx.NodeProto], x_shape: Sequence[int | str], initializers: dict[str, np.ndarray]
) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))],
        [helper.make_empty_tensor_value_info(nodes[-1].output[0])],
        [numpy_helper.from_array(a, n) for n, a in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])
    model.ir_version = 9
    return model


def _random(rng: np.random.Generator, shape: Sequence[int]) -> np.ndarray:
    return (rng.standard_normal(list(shape)) * 2).astype(np.float32)


def _exact(module: ModuleOp, pass_: FuseGemmActivationPass, feeds: Sequence[dict[str, np.ndarray]]) -> ModuleOp:
    after = assert_pass_preserves_nodes(module, pass_, feeds[0], rtol=0, atol=0)
    for feed in feeds[1:]:
        assert_pass_preserves(module, pass_, feed, rtol=0, atol=0)
    return after


ACTIVATIONS: list[tuple[list[onnx.NodeProto], Epilogue]] = [
    ([helper.make_node("Relu", ["g"], ["y"])], Epilogue("relu")),
    ([helper.make_node("Clip", ["g", "lo", "hi"], ["y"])], Epilogue("clip", (-1.0, 1.5))),
    ([helper.make_node("LeakyRelu", ["g"], ["y"], alpha=0.2)], Epilogue("leaky_relu", (0.2,))),
    ([helper.make_node("Sigmoid", ["g"], ["y"])], Epilogue("sigmoid")),
    ([helper.make_node("Tanh", ["g"], ["y"])], Epilogue("tanh")),
    ([helper.make_node("Gelu", ["g"], ["y"])], Epilogue("gelu")),
    ([helper.make_node("HardSwish", ["g"], ["y"])], Epilogue("hard_swish")),
    ([helper.make_node("Sigmoid", ["g"], ["s"]), helper.make_node("Mul", ["s", "g"], ["y"])], Epilogue("silu")),
]


@pytest.mark.parametrize("producer", ["Gemm", "MatMul"])
@pytest.mark.parametrize(("nodes", "epilogue"), ACTIVATIONS, ids=lambda a: str(a) if isinstance(a, Epilogue) else "")
def test_activation(producer: str, nodes: list[onnx.NodeProto], epilogue: Epilogue, rng: np.random.Generator) -> None:
    weights = {
        "w": _random(rng, [5, 8] if producer == "Gemm" else [8, 5]),
        "c": _random(rng, [5]),
        "lo": np.array(-1.0, np.float32),
        "hi": np.array(1.5, np.float32),
    }
    if producer == "Gemm":
        node = helper.make_node("Gemm", ["x", "w", "c"], ["g"], name="fc", alpha=0.5, transB=1)
    else:
        node = helper.make_node("MatMul", ["x", "w"], ["g"], name="fc")
    module = infer.to_infer(_model([node, *nodes], ["N", 8], weights))
    after = _exact(module, FuseGemmActivationPass(), [{"x": _random(rng, [3, 8])}, {"x": _random(rng, [1, 8])}])
    assert _epilogues(after) == [epilogue]
    counts = _counts(after)
    assert counts["infer.matmul"] == 0
    # The activation's ops are gone; a matmul became the gemm.
    assert sum(counts.values()) == sum(_counts(module).values()) - len(nodes)


def test_matmul_option_and_batched_matmul(rng: np.random.Generator) -> None:
    weights = {"w": _random(rng, [8, 5])}
    nodes = [helper.make_node("MatMul", ["x", "w"], ["g"]), helper.make_node("Relu", ["g"], ["y"])]
    module = infer.to_infer(_model(nodes, ["N", 8], weights))
    feeds = [{"x": _random(rng, [3, 8])}]
    assert _counts(_exact(module, FuseGemmActivationPass(matmul=False), feeds))["infer.relu"] == 1
    batched = infer.to_infer(_model(nodes, [2, "N", 8], weights))
    after = _exact(batched, FuseGemmActivationPass(), [{"x": _random(rng, [2, 3, 8])}])
    assert _counts(after)["infer.relu"] == 1 and _counts(after)["infer.gemm"] == 0


def test_integer_gemm(rng: np.random.Generator) -> None:
    module = parse(
        """
func.func @main(%x: tensor<?x4xi32>, %w: tensor<4x3xi32>) -> (tensor<?x3xi32>, tensor<?x3xi32>) {
  %g = infer.gemm %x, %w : (tensor<?x4xi32>, tensor<4x3xi32>) -> tensor<?x3xi32> loc("g")
  %r = infer.relu %g : (tensor<?x3xi32>) -> tensor<?x3xi32> loc("r")
  %h = infer.gemm %x, %w : (tensor<?x4xi32>, tensor<4x3xi32>) -> tensor<?x3xi32> loc("h")
  %c = infer.clip %h {min = -5 : i64, max = 5 : i64} : (tensor<?x3xi32>) -> tensor<?x3xi32> loc("c")
  func.return %r, %c : tensor<?x3xi32>, tensor<?x3xi32>
}
"""
    )
    feed = {
        "input0": rng.integers(-5, 5, (6, 4)).astype(np.int32),
        "input1": rng.integers(-5, 5, (4, 3)).astype(np.int32),
    }
    after = _exact(module, FuseGemmActivationPass(), [feed])
    assert _epilogues(after) == [Epilogue("relu"), Epilogue("clip", (-5.0, 5.0))]


# Two fully connected layers followed by a relu in each.
LIGHT = {"bvlc_alexnet": 2, "zfnet512": 2, "inception_v1": 0}


@pytest.mark.parametrize("name", list(LIGHT))
def test_light_models(name: str) -> None:
    model = with_random_weights(load(name))
    module = infer.to_infer(model)
    after = _exact(module, FuseGemmActivationPass(), [inputs(model)])
    assert sum(e == Epilogue("relu") for e in _epilogues(after)) == LIGHT[name]
    assert _counts(after)["infer.relu"] == _counts(module)["infer.relu"] - LIGHT[name]
