"""`fuse-conv-activation`: activations after a conv or conv_transpose moved into its
epilogue; the results before and after are equal bit for bit, node by node."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, assert_pass_preserves_nodes
from light_models import PASS_TEST_NAMES, inputs, load, with_random_weights
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp

import infer
from infer.dialects.infer.epilogue import Epilogue
from infer.dialects.infer.nn import ConvOp, ConvTransposeOp
from infer.registry import load_context
from infer.transforms.fuse_conv_activation import FuseConvActivationPass
from infer.transforms.fuse_conv_bias import FuseConvBiasPass
from infer.transforms.fuse_conv_bn import FuseConvBnPass


def _counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk())


def _epilogues(module: ModuleOp) -> list[Epilogue | None]:
    return [op.epilogue for op in module.walk() if isinstance(op, ConvOp | ConvTransposeOp)]


def _model(
    nodes: list[onnx.NodeProto], x_shape: Sequence[int | str], initializers: dict[str, np.ndarray], opset: int = 17
) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))],
        [helper.make_empty_tensor_value_info(o) for o in nodes[-1].output],
        [numpy_helper.from_array(a, n) for n, a in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def _random(rng: np.random.Generator, shape: Sequence[int]) -> np.ndarray:
    return (rng.standard_normal(list(shape)) * 2).astype(np.float32)


def _exact(module: ModuleOp, pass_: FuseConvActivationPass, feeds: Sequence[dict[str, np.ndarray]]) -> ModuleOp:
    """The pass, checked bit for bit: outputs on each feed, every node on the first."""
    after = assert_pass_preserves_nodes(module, pass_, feeds[0], rtol=0, atol=0)
    for feed in feeds[1:]:
        assert_pass_preserves(module, pass_, feed, rtol=0, atol=0)
    return after


ACTIVATIONS: list[tuple[list[onnx.NodeProto], Epilogue]] = [
    ([helper.make_node("Relu", ["c"], ["y"])], Epilogue("relu")),
    ([helper.make_node("Clip", ["c", "lo", "hi"], ["y"])], Epilogue("clip", (0.0, 6.0))),
    # The converter bounds a missing max by FLT_MAX (it clips infinities): a clip, not a relu.
    ([helper.make_node("Clip", ["c", "lo"], ["y"])], Epilogue("clip", (0.0, float(np.finfo(np.float32).max)))),
    ([helper.make_node("LeakyRelu", ["c"], ["y"], alpha=0.1)], Epilogue("leaky_relu", (0.1,))),
    ([helper.make_node("Sigmoid", ["c"], ["y"])], Epilogue("sigmoid")),
    ([helper.make_node("HardSigmoid", ["c"], ["y"], alpha=0.25, beta=0.4)], Epilogue("hard_sigmoid", (0.25, 0.4))),
    ([helper.make_node("HardSwish", ["c"], ["y"])], Epilogue("hard_swish")),
    ([helper.make_node("Tanh", ["c"], ["y"])], Epilogue("tanh")),
    ([helper.make_node("Sigmoid", ["c"], ["s"]), helper.make_node("Mul", ["c", "s"], ["y"])], Epilogue("silu")),
    ([helper.make_node("Sigmoid", ["c"], ["s"]), helper.make_node("Mul", ["s", "c"], ["y"])], Epilogue("silu")),
    ([helper.make_node("Gelu", ["c"], ["y"], approximate="tanh")], Epilogue("gelu_tanh")),
]


@pytest.mark.parametrize("kind", ["Conv", "ConvTranspose"])
@pytest.mark.parametrize(("nodes", "epilogue"), ACTIVATIONS, ids=lambda a: str(a) if isinstance(a, Epilogue) else "")
def test_activation(kind: str, nodes: list[onnx.NodeProto], epilogue: Epilogue, rng: np.random.Generator) -> None:
    weights = {
        "w": _random(rng, [4, 2, 3, 3]),
        "b": _random(rng, [4]),
        "lo": np.array(0.0, np.float32),
        "hi": np.array(6.0, np.float32),
    }
    conv = helper.make_node(kind, ["x", "w", "b"], ["c"], name="conv", group=2, pads=[1, 1, 1, 1])
    model = _model([conv, *nodes], ["N", 4, "H", "W"], weights, opset=20)
    module = infer.to_infer(model)
    feeds = [{"x": _random(rng, s)} for s in ([2, 4, 5, 6], [1, 4, 3, 3])]
    after = _exact(module, FuseConvActivationPass(), feeds)
    assert _epilogues(after) == [epilogue]
    assert {op.name for op in after.walk()} == {op.name for op in module.walk()} - {
        op.name for op in module.walk() if op.name not in ("infer.constant", "infer.conv", "infer.conv_transpose")
    } | {"builtin.module", "func.func", "func.return"}


def test_only_option(rng: np.random.Generator) -> None:
    weights = {"w": _random(rng, [4, 4, 1, 1]), "v": _random(rng, [4, 4, 1, 1])}
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("Conv", ["r", "v"], ["d"]),
        helper.make_node("Sigmoid", ["d"], ["y"]),
    ]
    module = infer.to_infer(_model(nodes, [1, 4, 3, 3], weights))
    feeds = [{"x": _random(rng, [1, 4, 3, 3])}]
    assert _epilogues(_exact(module, FuseConvActivationPass(only=("relu",)), feeds)) == [Epilogue("relu"), None]
    assert _epilogues(_exact(module, FuseConvActivationPass(only=("sigmoid", "tanh")), feeds)) == [
        None,
        Epilogue("sigmoid"),
    ]
    assert _epilogues(_exact(module, FuseConvActivationPass(), feeds)) == [Epilogue("relu"), Epilogue("sigmoid")]


def test_second_activation_and_shared_result_stay(rng: np.random.Generator) -> None:
    weights = {"w": _random(rng, [4, 4, 1, 1]), "v": _random(rng, [4, 4, 1, 1])}
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("Sigmoid", ["r"], ["s"]),
        helper.make_node("Conv", ["s", "v"], ["d"]),
        helper.make_node("Relu", ["d"], ["e"]),
        helper.make_node("Add", ["d", "e"], ["y"]),
    ]
    module = infer.to_infer(_model(nodes, [1, 4, 3, 3], weights))
    after = _exact(module, FuseConvActivationPass(), [{"x": _random(rng, [1, 4, 3, 3])}])
    assert _epilogues(after) == [Epilogue("relu"), None]
    counts = _counts(after)
    assert counts["infer.sigmoid"] == 1 and counts["infer.relu"] == 1


# Relus that follow a conv directly (or once batch norms and scales are folded: the
# Caffe BN + Scale models), out of all relus; the others follow a residual add, a concat
# or a pre-activation batch norm.
LIGHT_RELUS = {
    "bvlc_alexnet": (5, 7),
    "densenet121": (59, 121),
    "inception_v1": (57, 57),
    "inception_v2": (69, 69),
    "resnet50": (33, 49),
    "shufflenet": (17, 33),
    "squeezenet": (26, 26),
    "vgg19": (16, 18),
    "zfnet512": (5, 7),
}


@pytest.mark.parametrize("name", PASS_TEST_NAMES)
def test_light_models(name: str) -> None:
    model = with_random_weights(load(name))
    module = infer.to_infer(model)
    # First the folds that put the conv right before its relu (exact checks need a fixed input).
    for pass_ in (FuseConvBnPass(), FuseConvBiasPass()):
        pass_.apply(load_context(), module)
    fused, relus = LIGHT_RELUS[name]
    assert _counts(module)["infer.relu"] == relus
    after = _exact(module, FuseConvActivationPass(), [inputs(model)])
    assert sum(e == Epilogue("relu") for e in _epilogues(after)) == fused
    assert _counts(after)["infer.relu"] == relus - fused
