"""`fuse-conv-bn`: batch norms (and per-channel scales) folded into conv, conv_transpose,
gemm and matmul weights; the interpreter's results before and after agree, node by node."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, assert_pass_preserves_nodes, parse
from light_models import inputs, load, with_random_weights
from onnx import TensorProto, helper, numpy_helper
from xdsl.context import Context
from xdsl.dialects.builtin import FusedLoc, ModuleOp
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

import infer
from infer.dialects.infer.constant import ConstantOp, constant_value
from infer.dialects.infer.nn import ConvOp, ConvTransposeOp
from infer.dialects.infer.normalization import BatchNormOp
from infer.registry import load_context
from infer.transforms.fuse_conv_bn import FuseConvBnPass
from infer.verify_each import node_of

Shape = Sequence[int | str]


def _counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk())


def _model(
    nodes: list[onnx.NodeProto],
    x_shape: Shape,
    initializers: dict[str, np.ndarray],
    *,
    dtype: int = TensorProto.FLOAT,
    opset: int = 17,
) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", dtype, list(x_shape))],
        [helper.make_empty_tensor_value_info(nodes[-1].output[0])],
        [numpy_helper.from_array(a, n) for n, a in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def _bn_params(rng: np.random.Generator, channels: int, dtype: type = np.float32) -> dict[str, np.ndarray]:
    return {
        "scale": rng.uniform(0.5, 2.0, channels).astype(dtype),
        "bias": rng.standard_normal(channels).astype(dtype),
        "mean": rng.standard_normal(channels).astype(dtype),
        "var": rng.uniform(0.5, 2.0, channels).astype(dtype),
    }


def _bn(input: str, output: str = "y", epsilon: float = 1e-5) -> onnx.NodeProto:
    return helper.make_node(
        "BatchNormalization", [input, "scale", "bias", "mean", "var"], [output], name="bn", epsilon=epsilon
    )


def check(
    module: ModuleOp,
    pass_: ModulePass,
    feeds: Sequence[dict[str, np.ndarray]],
    *,
    rtol: float = 1e-5,
    atol: float = 1e-5,
) -> ModuleOp:
    """Runs the pass; asserts equal outputs on each feed, and equal values node by
    node on the first. Returns the transformed module."""
    after = assert_pass_preserves_nodes(module, pass_, feeds[0], rtol=rtol, atol=atol)
    for feed in feeds[1:]:
        assert_pass_preserves(module, pass_, feed, rtol=rtol, atol=atol)
    return after


def _random(rng: np.random.Generator, shape: Sequence[int], dtype: type = np.float32) -> np.ndarray:
    return rng.standard_normal(list(shape)).astype(dtype)


def test_check_catches_a_wrong_fold(rng: np.random.Generator) -> None:
    """`check` fails on a fold that is off by 1%."""
    model = _model(
        [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]), _bn("c")],
        [1, 3, 5, 5],
        {"w": _random(rng, [4, 3, 3, 3]), **_bn_params(rng, 4)},
    )
    module = infer.to_infer(model)

    class WrongFold(FuseConvBnPass):
        def apply(self, ctx: Context, op: ModuleOp) -> None:
            super().apply(ctx, op)
            conv = next(o for o in op.walk() if isinstance(o, ConvOp))
            weight = constant_value(conv.weight)
            assert weight is not None and conv.bias is not None
            wrong = ConstantOp(weight * np.float32(1.01))
            Rewriter.insert_op(wrong, InsertPoint.before(conv))
            conv.operands = [conv.input, wrong.result, conv.bias]

    with pytest.raises(AssertionError):
        check(module, WrongFold(), [{"x": _random(rng, [1, 3, 5, 5])}])


# -- conv ------------------------------------------------------------------------------------


@pytest.mark.parametrize("groups", [1, 2, 4])
@pytest.mark.parametrize("bias", [True, False])
def test_conv_bn_relu_dynamic(groups: int, bias: bool, rng: np.random.Generator) -> None:
    weights = {"w": _random(rng, [4, 4 // groups, 3, 3]), **_bn_params(rng, 4)}
    if bias:
        weights["b"] = _random(rng, [4])
    conv = helper.make_node(
        "Conv",
        ["x", "w", *(["b"] if bias else [])],
        ["c"],
        name="conv",
        pads=[1, 0, 1, 2],
        strides=[1, 2],
        group=groups,
    )
    relu = helper.make_node("Relu", ["n"], ["y"], name="relu")
    model = _model([conv, _bn("c", "n"), relu], ["N", 4, "H", "W"], weights)
    module = infer.to_infer(model)
    assert _counts(module)["infer.batch_norm"] == 1
    after = check(module, FuseConvBnPass(), [{"x": _random(rng, s)} for s in ([2, 4, 7, 6], [1, 4, 5, 9])])
    counts = _counts(after)
    assert counts["infer.batch_norm"] == 0 and counts["infer.relu"] == 1
    (fused,) = [op for op in after.walk() if isinstance(op, ConvOp)]
    assert fused.bias is not None
    assert isinstance(fused.location, FusedLoc) and node_of(fused.location) == "bn"
    # The BN parameters and the old weights are gone.
    assert counts["infer.constant"] == 2


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("bias", [True, False])
def test_conv_transpose_bn(groups: int, bias: bool, rng: np.random.Generator) -> None:
    weights = {"w": _random(rng, [4, 6 // groups, 3, 2]), **_bn_params(rng, 6)}
    if bias:
        weights["b"] = _random(rng, [6])
    conv = helper.make_node(
        "ConvTranspose",
        ["x", "w", *(["b"] if bias else [])],
        ["c"],
        name="deconv",
        strides=[2, 2],
        pads=[1, 0, 0, 1],
        output_padding=[1, 0],
        group=groups,
    )
    model = _model([conv, _bn("c")], ["N", 4, 3, "W"], weights)
    after = check(infer.to_infer(model), FuseConvBnPass(), [{"x": _random(rng, [2, 4, 3, 4])}])
    assert _counts(after)["infer.batch_norm"] == 0
    assert sum(isinstance(op, ConvTransposeOp) for op in after.walk()) == 1


def test_conv_bn_float16(rng: np.random.Generator) -> None:
    weights = {"w": _random(rng, [4, 3, 3, 3], np.float16), **_bn_params(rng, 4, np.float16)}
    conv = helper.make_node("Conv", ["x", "w"], ["c"], name="conv")
    model = _model([conv, _bn("c")], [1, 3, 6, 6], weights, dtype=TensorProto.FLOAT16)
    after = check(
        infer.to_infer(model), FuseConvBnPass(), [{"x": _random(rng, [1, 3, 6, 6], np.float16)}], rtol=5e-3, atol=1e-2
    )
    assert _counts(after)["infer.batch_norm"] == 0


# -- gemm and matmul ----------------------------------------------------------------------------


@pytest.mark.parametrize("trans_b", [0, 1])
@pytest.mark.parametrize("with_c", [True, False])
def test_gemm_bn(trans_b: int, with_c: bool, rng: np.random.Generator) -> None:
    weights = {"w": _random(rng, [5, 8] if trans_b else [8, 5]), **_bn_params(rng, 5)}
    if with_c:
        weights["c"] = _random(rng, [5])
    gemm = helper.make_node(
        "Gemm", ["x", "w", *(["c"] if with_c else [])], ["g"], name="fc", alpha=0.5, beta=2.0, transB=trans_b
    )
    model = _model([gemm, _bn("g")], ["N", 8], weights)
    after = check(infer.to_infer(model), FuseConvBnPass(), [{"x": _random(rng, [3, 8])}])
    counts = _counts(after)
    assert counts["infer.batch_norm"] == 0 and counts["infer.gemm"] == 1


def test_matmul_bn_becomes_gemm(rng: np.random.Generator) -> None:
    weights = {"w": _random(rng, [8, 5]), **_bn_params(rng, 5)}
    model = _model([helper.make_node("MatMul", ["x", "w"], ["m"], name="mm"), _bn("m")], ["N", 8], weights)
    after = check(infer.to_infer(model), FuseConvBnPass(), [{"x": _random(rng, [3, 8])}])
    counts = _counts(after)
    assert counts["infer.batch_norm"] == 0 and counts["infer.matmul"] == 0 and counts["infer.gemm"] == 1


def _hex(array: np.ndarray) -> str:
    return f'dense<"0x{array.astype("<f4").tobytes().hex().upper()}">'


def _bn_ir(rng: np.random.Generator, channels: int) -> str:
    params = _bn_params(rng, channels)
    return "\n".join(
        f"  %{name} = infer.constant {_hex(value)} : tensor<{channels}xf32>" for name, value in params.items()
    )


def test_batched_matmul_channels_last_bn(rng: np.random.Generator) -> None:
    module = parse(
        f"""
func.func @main(%x: tensor<?x?x8xf32>) -> tensor<?x?x5xf32> {{
  %w = infer.constant {_hex(_random(rng, [1, 8, 5]))} : tensor<1x8x5xf32>
{_bn_ir(rng, 5)}
  %m = infer.matmul %x, %w : (tensor<?x?x8xf32>, tensor<1x8x5xf32>) -> tensor<?x?x5xf32> loc("mm")
  %y = infer.batch_norm %m, %scale, %bias, %mean, %var {{epsilon = 1.0e-05 : f64, layout = "nhwc"}}
         : (tensor<?x?x5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>)
         -> tensor<?x?x5xf32> loc("bn")
  func.return %y : tensor<?x?x5xf32>
}}
"""
    )
    after = check(module, FuseConvBnPass(), [{"input0": _random(rng, [2, 3, 8])}, {"input0": _random(rng, [1, 4, 8])}])
    counts = _counts(after)
    assert counts["infer.batch_norm"] == 0 and counts["infer.matmul"] == 1 and counts["infer.add"] == 1


# -- layouts, scales, what must not fold ----------------------------------------------------


@pytest.mark.parametrize("kind", ["conv", "conv_transpose"])
def test_nhwc_conv_bn(kind: str, rng: np.random.Generator) -> None:
    weight = [6, 2, 3, 3] if kind == "conv" else [4, 3, 3, 3]
    extra = "" if kind == "conv" else ", output_padding = array<i64: 0, 0>"
    t = "tensor<?x4x?x6xf32>" if kind == "conv" else "tensor<?x13x?x6xf32>"
    module = parse(
        f"""
func.func @main(%x: tensor<?x7x?x4xf32>) -> {t} {{
  %w = infer.constant {_hex(_random(rng, weight))} : tensor<{"x".join(map(str, weight))}xf32>
{_bn_ir(rng, 6)}
  %c = infer.{kind} %x, %w {{strides = array<i64: 2, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         groups = 2 : i64, layout = "nhwc"{extra}}} : (tensor<?x7x?x4xf32>, tensor<{"x".join(map(str, weight))}xf32>)
         -> {t} loc("conv")
  %y = infer.batch_norm %c, %scale, %bias, %mean, %var {{epsilon = 1.0e-03 : f64, layout = "nhwc"}}
         : ({t}, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> {t} loc("bn")
  func.return %y : {t}
}}
"""
    )
    after = check(module, FuseConvBnPass(), [{"input0": _random(rng, [2, 7, 5, 4])}])
    assert _counts(after)["infer.batch_norm"] == 0


def test_channel_scale(rng: np.random.Generator) -> None:
    """Caffe's BN + Scale: a batch norm then a per-channel mul (and add) after a conv."""
    weights = {
        "w": _random(rng, [4, 3, 1, 1]),
        **_bn_params(rng, 4),
        "s": rng.uniform(0.5, 2, [1, 4, 1, 1]).astype(np.float32),
    }
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        _bn("c", "n"),
        helper.make_node("Mul", ["n", "s"], ["y"], name="scale"),
    ]
    module = infer.to_infer(_model(nodes, ["N", 3, 4, 4], weights))
    after = check(module, FuseConvBnPass(), [{"x": _random(rng, [2, 3, 4, 4])}])
    counts = _counts(after)
    assert counts["infer.batch_norm"] == 0 and counts["infer.mul"] == 0
    kept = check(module, FuseConvBnPass(scales=False), [{"x": _random(rng, [2, 3, 4, 4])}])
    assert _counts(kept)["infer.batch_norm"] == 0 and _counts(kept)["infer.mul"] == 1


def test_no_fold_when_the_conv_is_used_twice(rng: np.random.Generator) -> None:
    weights = {"w": _random(rng, [4, 3, 1, 1]), **_bn_params(rng, 4)}
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        _bn("c", "n"),
        helper.make_node("Add", ["n", "c"], ["y"], name="add"),
    ]
    after = check(
        infer.to_infer(_model(nodes, [1, 3, 4, 4], weights)), FuseConvBnPass(), [{"x": _random(rng, [1, 3, 4, 4])}]
    )
    assert _counts(after)["infer.batch_norm"] == 1


def test_splat_weights_stay_splats() -> None:
    """The light models' own weights are fills of 0.02: folded with a batch norm whose
    parameters are fills too (a uniform factor), they stay splats."""
    module = infer.to_infer(load("resnet50"))
    uniform = {
        node_of(op.location): all(isinstance(p.owner, ConstantOp) and p.owner.is_splat for p in op.operands[1:])
        for op in module.walk()
        if isinstance(op, BatchNormOp)
    }
    assert 0 < sum(uniform.values()) < len(uniform) == 53
    after = module.clone()
    FuseConvBnPass().apply(load_context(), after)
    convs = [op for op in after.walk() if isinstance(op, ConvOp)]
    assert len(convs) == 53 and _counts(after)["infer.batch_norm"] == 0
    for conv in convs:
        weight = conv.weight.owner
        assert isinstance(weight, ConstantOp)
        assert weight.is_splat == uniform[node_of(conv.location)]


# -- light models -----------------------------------------------------------------------------

LIGHT_BN = {
    # model: (batch norms before, after; muls before, after)
    "resnet50": (53, 0, 0, 0),
    "densenet121": (121, 62, 121, 62),
    "inception_v2": (69, 0, 69, 0),
    "shufflenet": (49, 0, 0, 0),
}


@pytest.mark.parametrize("name", list(LIGHT_BN))
def test_light_models(name: str) -> None:
    model = with_random_weights(load(name))
    module = infer.to_infer(model)
    bn_before, bn_after, mul_before, mul_after = LIGHT_BN[name]
    before = _counts(module)
    assert (before["infer.batch_norm"], before["infer.mul"]) == (bn_before, mul_before)
    after = check(module, FuseConvBnPass(), [inputs(model)], rtol=1e-5, atol=1e-5)
    counts = _counts(after)
    assert (counts["infer.batch_norm"], counts["infer.mul"]) == (bn_after, mul_after)
    assert counts["infer.conv"] == before["infer.conv"]
