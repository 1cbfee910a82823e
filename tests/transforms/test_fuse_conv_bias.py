"""`fuse-conv-bias`: per-channel constants added after a conv or conv_transpose folded into
its bias; the interpreter's results before and after agree, node by node."""

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
from infer.dialects.infer.nn import ConvOp, ConvTransposeOp
from infer.registry import load_context
from infer.transforms.fuse_conv_bias import FuseConvBiasPass
from infer.transforms.fuse_conv_bn import FuseConvBnPass


def _counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk())


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
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def _random(rng: np.random.Generator, shape: Sequence[int]) -> np.ndarray:
    return rng.standard_normal(list(shape)).astype(np.float32)


def _check(module: ModuleOp, feeds: Sequence[dict[str, np.ndarray]], **tolerance: float) -> ModuleOp:
    after = assert_pass_preserves_nodes(module, FuseConvBiasPass(), feeds[0], **tolerance)
    for feed in feeds[1:]:
        assert_pass_preserves(module, FuseConvBiasPass(), feed, **tolerance)
    return after


@pytest.mark.parametrize("kind", ["Conv", "ConvTranspose"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(
    ("op", "shape", "first"),
    [("Add", [4, 1, 1], False), ("Add", [1, 4, 1, 1], True), ("Sub", [4, 1, 1], False), ("Add", [1], False)],
)
def test_conv_add(kind: str, bias: bool, op: str, shape: list[int], first: bool, rng: np.random.Generator) -> None:
    """ONNX's per-channel add ([C, 1, 1], unsqueezed by the converter; or a scalar), before or after the conv."""
    weight = [4, 2, 3, 3]  # Conv: [O, C/groups, k, k]; ConvTranspose: [C, O/groups, k, k]
    groups = 2
    channels = 4 if kind == "Conv" else 2 * groups
    weights = {"w": _random(rng, weight), "c": _random(rng, [channels if d == 4 else d for d in shape])}
    if bias:
        weights["b"] = _random(rng, [channels])
    conv = helper.make_node(
        kind, ["x", "w", *(["b"] if bias else [])], ["y"], name="conv", group=groups, pads=[1, 1, 1, 1]
    )
    add = helper.make_node(op, ["c", "y"] if first else ["y", "c"], ["z"], name="add")
    module = infer.to_infer(_model([conv, add], ["N", 4, "H", "W"], weights))
    after = _check(module, [{"x": _random(rng, s)} for s in ([2, 4, 5, 6], [1, 4, 3, 3])], rtol=1e-5, atol=1e-5)
    counts = _counts(after)
    assert counts[f"infer.{op.lower()}"] == 0
    (fused,) = [o for o in after.walk() if isinstance(o, ConvOp | ConvTransposeOp)]
    assert fused.bias is not None


def test_constant_minus_conv_stays(rng: np.random.Generator) -> None:
    weights = {"w": _random(rng, [4, 4, 1, 1]), "c": _random(rng, [4, 1, 1])}
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv"), helper.make_node("Sub", ["c", "y"], ["z"])]
    after = _check(infer.to_infer(_model(nodes, [1, 4, 3, 3], weights)), [{"x": _random(rng, [1, 4, 3, 3])}])
    assert _counts(after)["infer.sub"] == 1


def test_spatial_addend_stays(rng: np.random.Generator) -> None:
    weights = {"w": _random(rng, [4, 4, 1, 1]), "c": _random(rng, [4, 3, 1])}
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv"), helper.make_node("Add", ["y", "c"], ["z"])]
    after = _check(infer.to_infer(_model(nodes, [1, 4, 3, 3], weights)), [{"x": _random(rng, [1, 4, 3, 3])}])
    assert _counts(after)["infer.add"] == 1


def test_nhwc(rng: np.random.Generator) -> None:
    c = rng.standard_normal(3).astype("<f4")
    module = parse(
        f"""
func.func @main(%x: tensor<?x5x5x2xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<?x5x5x3xf32> {{
  %c = infer.constant dense<"0x{c.tobytes().hex().upper()}"> : tensor<1x1x1x3xf32>
  %y = infer.conv %x, %w {{strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         layout = "nhwc"}} : (tensor<?x5x5x2xf32>, tensor<3x2x3x3xf32>) -> tensor<?x5x5x3xf32> loc("conv")
  %z = infer.add %y, %c : (tensor<?x5x5x3xf32>, tensor<1x1x1x3xf32>) -> tensor<?x5x5x3xf32> loc("add")
  func.return %z : tensor<?x5x5x3xf32>
}}
"""
    )
    feed = {"input0": _random(rng, [2, 5, 5, 2]), "input1": _random(rng, [3, 2, 3, 3])}
    after = _check(module, [feed])
    assert _counts(after)["infer.add"] == 0


LIGHT = {
    # model: adds after fuse-conv-bn, after fuse-conv-bias
    "inception_v2": (69, 0),
    "densenet121": (121, 62),
}


@pytest.mark.parametrize("name", list(LIGHT))
def test_light_models_after_fuse_conv_bn(name: str) -> None:
    """Caffe's BN + Scale (mul, add): after fuse-conv-bn folds the BN and the mul, the add folds here."""
    model = with_random_weights(load(name))
    module = infer.to_infer(model)
    FuseConvBnPass().apply(load_context(), module)
    before, after_count = LIGHT[name]
    assert _counts(module)["infer.add"] == before
    after = _check(module, [inputs(model)], rtol=1e-5, atol=1e-5)
    assert _counts(after)["infer.add"] == after_count
