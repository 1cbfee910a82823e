"""`fuse-conv-add`: residual adds after a conv or gemm (and the activation after them)
fused into the op; the results before and after are equal bit for bit, node by node."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, assert_pass_preserves_nodes, parse, run
from light_models import inputs, load, with_random_weights
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

import infer
from infer.dialects.infer.epilogue import Epilogue
from infer.dialects.infer.matmul import GemmOp
from infer.dialects.infer.nn import ConvOp
from infer.pipeline import build_pipeline, level_passes, level_spec
from infer.registry import load_context
from infer.transforms.conv1x1_to_matmul import Conv1x1ToMatmulPass
from infer.transforms.fuse_conv_activation import FuseConvActivationPass
from infer.transforms.fuse_conv_add import FuseConvAddPass
from infer.transforms.fuse_conv_bias import FuseConvBiasPass
from infer.transforms.fuse_conv_bn import FuseConvBnPass
from infer.transforms.to_nhwc import ToNhwcPass
from infer.verify_each import node_of

f32 = np.float32


def _counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk())


def _compute_ops(module: ModuleOp) -> list[str]:
    return [op.name for op in module.walk() if op.name.startswith("infer.") and op.name != "infer.constant"]


def _model(
    nodes: list[onnx.NodeProto],
    x_shape: Sequence[int | str],
    initializers: dict[str, np.ndarray],
    extra_inputs: Sequence[tuple[str, Sequence[int | str]]] = (),
) -> ModuleOp:
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))]
        + [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(s)) for n, s in extra_inputs],
        [helper.make_empty_tensor_value_info(nodes[-1].output[0])],
        [numpy_helper.from_array(a, n) for n, a in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return infer.to_infer(model)


def _exact(module: ModuleOp, pass_: ModulePass, feeds: Sequence[dict[str, np.ndarray]]) -> ModuleOp:
    """The pass, checked bit for bit: outputs on each feed, every node on the first."""
    after = assert_pass_preserves_nodes(module, pass_, feeds[0], rtol=0, atol=0)
    for feed in feeds[1:]:
        assert_pass_preserves(module, pass_, feed, rtol=0, atol=0, same_bits=True)
    return after


def _convs(module: ModuleOp) -> list[ConvOp]:
    return [op for op in module.walk() if isinstance(op, ConvOp)]


def _block(rng: np.random.Generator, *, bias: bool = True, first: bool = True, act: str | None = "Relu") -> ModuleOp:
    """A residual block: `act(conv(x) + x)` (the conv first or second in the add)."""
    weights = {"w": rng.standard_normal((4, 4, 3, 3)).astype(f32)}
    if bias:
        weights["b"] = rng.standard_normal(4).astype(f32)
    conv = helper.make_node("Conv", ["x", "w", *(["b"] if bias else [])], ["c"], name="conv", pads=[1, 1, 1, 1])
    add = helper.make_node("Add", ["c", "x"] if first else ["x", "c"], ["s"], name="add")
    nodes = [conv, add]
    if act is not None:
        nodes.append(helper.make_node(act, ["s"], ["y"], name="act"))
    return _model(nodes, ["N", 4, "H", "W"], weights)


def _feeds(rng: np.random.Generator) -> list[dict[str, np.ndarray]]:
    return [{"x": rng.standard_normal(s).astype(f32)} for s in ([2, 4, 5, 6], [1, 4, 3, 3])]


@pytest.mark.parametrize("first", [True, False], ids=["conv_first", "conv_second"])
@pytest.mark.parametrize("bias", [True, False])
def test_residual_block(first: bool, bias: bool, rng: np.random.Generator) -> None:
    module = _block(rng, bias=bias, first=first)
    after = _exact(module, FuseConvAddPass(), _feeds(rng))
    assert _compute_ops(after) == ["infer.conv"]
    (conv,) = _convs(after)
    assert conv.residual is not None and conv.residual is conv.input
    assert conv.epilogue == Epilogue("relu") and (conv.bias is not None) == bias
    assert node_of(conv.location) == "act"
    assert [node_of(loc) for loc in conv.location.locations.data] == ["conv", "add", "act"]  # type: ignore[attr-defined]


def test_add_without_activation(rng: np.random.Generator) -> None:
    after = _exact(_block(rng, act=None), FuseConvAddPass(), _feeds(rng))
    assert _compute_ops(after) == ["infer.conv"]
    (conv,) = _convs(after)
    assert conv.residual is not None and conv.epilogue is None


@pytest.mark.parametrize("act", ["Sigmoid", "Tanh", "LeakyRelu"])
def test_other_activations(act: str, rng: np.random.Generator) -> None:
    after = _exact(_block(rng, act=act), FuseConvAddPass(), _feeds(rng))
    (conv,) = _convs(after)
    assert conv.epilogue is not None and _compute_ops(after) == ["infer.conv"]


def test_downsampling_block_fuses_the_later_conv(rng: np.random.Generator) -> None:
    """`relu(conv_b(x) + conv_a(x))`: the conv defined later takes the other as its residual."""
    weights = {
        "wa": rng.standard_normal((6, 4, 1, 1)).astype(f32),
        "wb": rng.standard_normal((6, 4, 3, 3)).astype(f32),
    }
    nodes = [
        helper.make_node("Conv", ["x", "wa"], ["a"], name="down", strides=[2, 2]),
        helper.make_node("Conv", ["x", "wb"], ["b"], name="main", strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["b", "a"], ["s"], name="add"),
        helper.make_node("Relu", ["s"], ["y"], name="relu"),
    ]
    module = _model(nodes, ["N", 4, "H", "W"], weights)
    feeds = [{"x": rng.standard_normal(s).astype(f32)} for s in ([2, 4, 6, 6], [1, 4, 5, 3])]
    after = _exact(module, FuseConvAddPass(), feeds)
    down, main = _convs(after)
    assert down.residual is None and main.residual is down.result
    assert main.epilogue == Epilogue("relu")


RESIDUAL_CONV_RELU = """
func.func @main_graph(%x: tensor<?x4x?x?xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<?x4x?x?xf32> {
  %c = infer.conv %x, %w residual %x {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
         pads = array<i64: 1, 1, 1, 1>} : (tensor<?x4x?x?xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x?x?xf32> loc("conv")
  %y = infer.relu %c : (tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> loc("relu")
  func.return %y : tensor<?x4x?x?xf32>
}
"""


def test_conv_activation_accepts_a_conv_with_a_residual(rng: np.random.Generator) -> None:
    module = parse(RESIDUAL_CONV_RELU)
    w = rng.standard_normal((4, 4, 3, 3)).astype(f32)
    feeds = [{"input0": rng.standard_normal(s).astype(f32), "input1": w} for s in ([2, 4, 5, 6], [1, 4, 3, 3])]
    after = _exact(module, FuseConvActivationPass(), feeds)
    (conv,) = _convs(after)
    assert conv.residual is conv.input and conv.epilogue == Epilogue("relu")
    assert _compute_ops(after) == ["infer.conv"]


NOT_FUSED = {
    # The conv's value has another use.
    "shared": [
        helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c", "x"], ["s"]),
        helper.make_node("Mul", ["s", "c"], ["y"]),
    ],
    # An activation before the add cannot move after it.
    "activation_first": [
        helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("Add", ["r", "x"], ["y"]),
    ],
    # A broadcasting add: the other operand has another shape.
    "broadcast": [
        helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c", "v"], ["y"]),
    ],
    # The conv's value stretches to the other operand's shape.
    "stretched": [
        helper.make_node("Conv", ["x", "w1"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c", "x"], ["y"]),
    ],
    # conv(x) + conv(x): the same value twice.
    "same_value": [
        helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c", "c"], ["y"]),
    ],
}


@pytest.mark.parametrize("name", NOT_FUSED)
def test_not_fused(name: str, rng: np.random.Generator) -> None:
    weights = {
        "w": rng.standard_normal((4, 4, 3, 3)).astype(f32),
        "w1": rng.standard_normal((1, 4, 3, 3)).astype(f32),
        "v": rng.standard_normal((1, 4, 1, 5)).astype(f32),
    }
    module = _model(NOT_FUSED[name], [2, 4, 3, 5], weights)
    after = _exact(module, FuseConvAddPass(), [{"x": rng.standard_normal((2, 4, 3, 5)).astype(f32)}])
    assert _counts(after)["infer.add"] == 1
    assert all(conv.residual is None for conv in _convs(after))


def _gemm_block(rng: np.random.Generator, act: str | None = "Relu") -> ModuleOp:
    """A transformer-like `act(Linear(h) + x)`, `h = x * 2`."""
    weights = {
        "w": rng.standard_normal((8, 8)).astype(f32),
        "c": rng.standard_normal(8).astype(f32),
        "two": np.array([2.0], f32),
    }
    nodes = [
        helper.make_node("Mul", ["x", "two"], ["h"], name="h"),
        helper.make_node("Gemm", ["h", "w", "c"], ["g"], name="fc", transB=1),
        helper.make_node("Add", ["x", "g"], ["s"], name="add"),
    ]
    if act is not None:
        nodes.append(helper.make_node(act, ["s"], ["y"], name="act"))
    return _model(nodes, ["N", 8], weights)


@pytest.mark.parametrize("act", [None, "Relu", "Tanh"])
def test_gemm_residual(act: str | None, rng: np.random.Generator) -> None:
    module = _gemm_block(rng, act)
    feeds = [{"x": rng.standard_normal(s).astype(f32)} for s in ([3, 8], [1, 8])]
    after = _exact(module, FuseConvAddPass(), feeds)
    assert _compute_ops(after) == ["infer.mul", "infer.gemm"]
    (gemm,) = [op for op in after.walk() if isinstance(op, GemmOp)]
    assert gemm.residual is not None and gemm.c is not None
    assert (gemm.epilogue is None) == (act is None)
    # Option gemm=false leaves it.
    kept = _exact(module, FuseConvAddPass(gemm=False), feeds[:1])
    assert _counts(kept)["infer.add"] == 1


def test_gemm_decomposition_keeps_the_residual(rng: np.random.Generator) -> None:
    module = _gemm_block(rng)
    FuseConvAddPass().apply(load_context(), module)
    feed = {"x": rng.standard_normal((3, 8)).astype(f32)}
    decomposed = assert_pass_preserves(module, build_pipeline("decompose-composites"), feed, rtol=0, atol=0)
    assert _counts(decomposed)["infer.add"] == 2 and _counts(decomposed)["infer.gemm"] == 0


def test_the_fused_op_equals_the_chain_in_numpy(rng: np.random.Generator) -> None:
    """The reference of a conv with a residual is the chain's numbers, computed here in numpy."""
    module = _block(rng, bias=False)
    FuseConvAddPass().apply(load_context(), module)
    (conv,) = _convs(module)
    assert conv.residual is not None
    x = rng.standard_normal((1, 4, 4, 4)).astype(f32)
    w = next(op for op in module.walk() if op.name == "infer.constant").to_numpy()  # type: ignore[attr-defined]
    padded = np.pad(x, [(0, 0), (0, 0), (1, 1), (1, 1)])
    conv_value = np.zeros((1, 4, 4, 4), np.float64)
    for i in range(3):
        for j in range(3):
            conv_value += np.einsum("nchw,oc->nohw", padded[:, :, i : i + 4, j : j + 4], w[:, :, i, j])
    expected = np.maximum(conv_value.astype(f32) + x, 0)
    (actual,) = run(module, {"x": x})
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


def test_folds_leave_a_conv_with_a_residual(rng: np.random.Generator) -> None:
    """A batch norm, a bias add or conv1x1-to-matmul cannot take a conv that has a residual."""
    weights = {
        "w": rng.standard_normal((4, 4, 1, 1)).astype(f32),
        "scale": rng.uniform(0.5, 2, 4).astype(f32),
        "shift": rng.standard_normal(4).astype(f32),
        "mean": rng.standard_normal(4).astype(f32),
        "var": rng.uniform(0.5, 2, 4).astype(f32),
        "t": rng.standard_normal((4, 1, 1)).astype(f32),
    }
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"]),
        helper.make_node("Add", ["c", "x"], ["s"]),
        helper.make_node("BatchNormalization", ["s", "scale", "shift", "mean", "var"], ["n"]),
        helper.make_node("Add", ["n", "t"], ["y"]),
    ]
    module = _model(nodes, [2, 4, 3, 3], weights)
    FuseConvAddPass().apply(load_context(), module)
    (conv,) = _convs(module)
    assert conv.residual is not None
    feed = {"x": rng.standard_normal((2, 4, 3, 3)).astype(f32)}
    for pass_ in (FuseConvBnPass(), FuseConvBiasPass(), Conv1x1ToMatmulPass()):
        after = assert_pass_preserves(module, pass_, feed, rtol=0, atol=0)
        (conv,) = _convs(after)
        assert conv.residual is not None


def test_to_nhwc_lays_out_the_residual(rng: np.random.Generator) -> None:
    module = _block(rng)
    FuseConvAddPass().apply(load_context(), module)
    feed = {"x": rng.standard_normal((2, 4, 5, 6)).astype(f32)}
    after = assert_pass_preserves(module, ToNhwcPass(), feed, rtol=1e-6, atol=1e-6)
    (conv,) = _convs(after)
    assert conv.layout.data == "nhwc" and conv.residual is not None
    assert conv.residual.type == conv.result.type


def test_in_level_2_after_the_other_fusions() -> None:
    passes = level_passes(2)
    assert "fuse-conv-add" in passes
    fusions = [p for p in passes if p.startswith(("fuse-", "recompose-"))]
    assert fusions[-1] == "fuse-conv-add"


def test_resnet50_residual_adds_and_their_relus_fuse() -> None:
    """ResNet-50 at -O2: its 16 residual adds, and the 16 relus after them, become part
    of a conv; the result is the same bits as the level without the pass."""
    model = with_random_weights(load("resnet50"))
    spec = level_spec(2)
    without = infer.to_infer(model)
    build_pipeline(spec.replace("fuse-conv-add,", "")).apply(load_context(), without)
    fused = without.clone()
    before = _counts(without)
    assert before["infer.add"] == 16 and before["infer.relu"] == 16
    after = _exact(fused, FuseConvAddPass(), [inputs(model)])
    counts = _counts(after)
    assert counts["infer.add"] == 0 and counts["infer.relu"] == 0
    assert sum(counts.values()) == sum(before.values()) - 32
    convs = _convs(after)
    assert sum(c.residual is not None for c in convs) == 16
    assert all(c.epilogue == Epilogue("relu") for c in convs if c.residual is not None)
