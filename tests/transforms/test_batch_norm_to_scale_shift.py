"""`batch-norm-to-scale-shift`: batch norms with constant parameters become a mul and an
add with the same numbers, in both layouts, any rank, dynamic dims, f16, and on the
light models with standalone batch norms."""

from __future__ import annotations

from collections import Counter

import light_models
import numpy as np
import pytest
from infer_ir import assert_pass_preserves, parse
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp

import infer
from infer.registry import load_context
from infer.transforms.batch_norm_to_scale_shift import BatchNormToScaleShiftPass


def counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk())


def dense(array: np.ndarray, element: str) -> str:
    return f"infer.constant dense<{array.tolist()}> : tensor<{array.shape[0]}x{element}>"


def batch_norm_ir(x: str, channels: int, params: list[np.ndarray], *, layout: str, element: str, eps: float) -> str:
    names = ["scale", "bias", "mean", "var"]
    body = [f"%{n} = {dense(p, element)}" for n, p in zip(names, params, strict=True)]
    p = f"tensor<{channels}x{element}>"
    body.append(
        f'%y = infer.batch_norm %x, %scale, %bias, %mean, %var {{epsilon = {eps!r} : f64, layout = "{layout}"}}'
        f" : (tensor<{x}>, {p}, {p}, {p}, {p}) -> tensor<{x}>"
    )
    lines = "\n  ".join(body)
    return f"func.func @main(%x: tensor<{x}>) -> tensor<{x}> {{\n  {lines}\n  func.return %y : tensor<{x}>\n}}"


def random_params(rng: np.random.Generator, channels: int, dtype: type) -> list[np.ndarray]:
    scale = rng.standard_normal(channels)
    bias = rng.standard_normal(channels)
    mean = rng.standard_normal(channels)
    var = rng.uniform(0.1, 2.0, channels)
    return [p.astype(dtype) for p in (scale, bias, mean, var)]


CASES = {
    # name: (x type, channels, layout, run shape)
    "nchw": ("2x3x4x5", 3, "nchw", (2, 3, 4, 5)),
    "nchw_dynamic": ("?x3x?x?", 3, "nchw", (2, 3, 6, 1)),
    "nc": ("?x6", 6, "nchw", (5, 6)),
    "ncl": ("?x4x?", 4, "nchw", (2, 4, 9)),
    "nhwc": ("2x4x5x3", 3, "nhwc", (2, 4, 5, 3)),
    "nhwc_dynamic": ("?x?x?x3", 3, "nhwc", (1, 4, 2, 3)),
    "ncdhw": ("1x2x3x4x5", 2, "nchw", (1, 2, 3, 4, 5)),
}


@pytest.mark.parametrize("element", ["f32", "f64", "f16"])
@pytest.mark.parametrize("case", CASES)
def test_batch_norm_becomes_scale_and_shift(case: str, element: str, rng: np.random.Generator) -> None:
    x, channels, layout, shape = CASES[case]
    dtype = {"f32": np.float32, "f64": np.float64, "f16": np.float16}[element]
    module = parse(
        batch_norm_ir(
            f"{x}x{element}", channels, random_params(rng, channels, dtype), layout=layout, element=element, eps=1e-3
        )
    )
    tolerance = 3e-3 if element == "f16" else 1e-5
    after = assert_pass_preserves(
        module, BatchNormToScaleShiftPass(), [rng.standard_normal(shape).astype(dtype)], rtol=tolerance, atol=tolerance
    )
    found = counts(after)
    assert found["infer.batch_norm"] == 0
    assert found["infer.mul"] == 1 and found["infer.add"] == 1


def test_splat_parameters_stay_splats(rng: np.random.Generator) -> None:
    module = parse(
        """func.func @main(%x: tensor<?x64x?x?xf32>) -> tensor<?x64x?x?xf32> {
          %s = infer.constant splat<2.0> : tensor<64xf32>
          %m = infer.constant splat<0.5> : tensor<64xf32>
          %v = infer.constant splat<3.0> : tensor<64xf32>
          %y = infer.batch_norm %x, %s, %m, %m, %v {epsilon = 1.0 : f64}
                 : (tensor<?x64x?x?xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>)
                 -> tensor<?x64x?x?xf32>
          func.return %y : tensor<?x64x?x?xf32>
        }"""
    )
    after = assert_pass_preserves(module, BatchNormToScaleShiftPass(), [rng.standard_normal((2, 64, 3, 3), np.float32)])
    text = str(after)
    # factor 2 / sqrt(4) = 1: no mul; shift 0.5 - 0.5 * 1 = 0: no add; the batch norm is its input.
    assert counts(after)["infer.mul"] == 0 and counts(after)["infer.batch_norm"] == 0
    assert "func.return %x" in text


def test_parameters_that_are_not_constants_stay(rng: np.random.Generator) -> None:
    module = parse(
        """func.func @main(%x: tensor<1x3x4x4xf32>, %v: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
          %p = infer.constant splat<1.0> : tensor<3xf32>
          %y = infer.batch_norm %x, %p, %p, %p, %v {epsilon = 1.0e-05 : f64}
                 : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
                 -> tensor<1x3x4x4xf32>
          func.return %y : tensor<1x3x4x4xf32>
        }"""
    )
    before = str(module)
    BatchNormToScaleShiftPass().apply(load_context(), module)
    assert str(module) == before


def test_onnx_batch_normalization_with_symbolic_dims(rng: np.random.Generator) -> None:
    params = random_params(rng, 5, np.float32)
    names = ["scale", "bias", "mean", "var"]
    graph = helper.make_graph(
        [helper.make_node("BatchNormalization", ["x", *names], ["y"], name="bn", epsilon=1e-5)],
        "bn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 5, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 5, "H", "W"])],
        [numpy_helper.from_array(p, n) for p, n in zip(params, names, strict=True)],
    )
    module = infer.to_infer(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)]))
    after = assert_pass_preserves(
        module, BatchNormToScaleShiftPass(), {"x": rng.standard_normal((3, 5, 2, 7), np.float32)}
    )
    assert counts(after)["infer.batch_norm"] == 0
    text = infer.print_ir(after, debuginfo=True)
    assert text.count('loc("bn")') == 4  # two constants, the mul and the add


@pytest.mark.parametrize(
    ("name", "batch_norms", "absorb"),
    [("densenet121", 121, True), ("inception_v2", 69, True), ("inception_v2", 69, False), ("resnet50", 53, True)],
)
def test_light_models(name: str, batch_norms: int, absorb: bool) -> None:
    model = light_models.with_random_weights(light_models.load(name))
    module = infer.to_infer(model)
    before = counts(module)
    assert before["infer.batch_norm"] == batch_norms
    after = assert_pass_preserves(
        module, BatchNormToScaleShiftPass(absorb_affine=absorb), light_models.inputs(model), rtol=1e-4, atol=1e-5
    )
    found = counts(after)
    assert found["infer.batch_norm"] == 0
    if absorb:
        # DenseNet's and Inception's batch norms are each followed by a Caffe Scale layer
        # (a mul and an add): folded into the batch norm's mul and add.
        assert found["infer.mul"] == batch_norms
        assert found["infer.add"] == before["infer.add"] - before["infer.mul"] + batch_norms
    else:
        assert found["infer.mul"] == before["infer.mul"] + batch_norms
        assert found["infer.add"] == before["infer.add"] + batch_norms


AFFINE = """
func.func @main(%x: tensor<?x3x?x?xf32>) -> (tensor<?x3x?x?xf32>, tensor<?x3x?x?xf32>) {
  %scale = infer.constant dense<[2.0, 3.0, 0.5]> : tensor<3xf32>
  %bias = infer.constant dense<[0.0, 1.0, -1.0]> : tensor<3xf32>
  %mean = infer.constant dense<[1.0, 2.0, 0.25]> : tensor<3xf32>
  %var = infer.constant dense<[15.0, 8.0, 0.75]> : tensor<3xf32>
  %bn = infer.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0e-03 : f64}
         : (tensor<?x3x?x?xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
         -> tensor<?x3x?x?xf32> loc("bn")
  %g = infer.constant dense<[[[[1.5]], [[-2.0]], [[0.5]]]]> : tensor<1x3x1x1xf32>
  %m = infer.mul %g, %bn : (tensor<1x3x1x1xf32>, tensor<?x3x?x?xf32>) -> tensor<?x3x?x?xf32> loc("scale")
  %h = infer.constant splat<0.25> : tensor<1x1x1x1xf32>
  %a = infer.add %m, %h : (tensor<?x3x?x?xf32>, tensor<1x1x1x1xf32>) -> tensor<?x3x?x?xf32> loc("shift")
  %k = infer.constant dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>
  %s = infer.mul %a, %k : (tensor<?x3x?x?xf32>, tensor<1x1x1x2xf32>) -> tensor<?x3x?x2xf32> loc("spatial")
  %r = infer.relu %a : (tensor<?x3x?x?xf32>) -> tensor<?x3x?x?xf32>
  func.return %a, %r : tensor<?x3x?x?xf32>, tensor<?x3x?x?xf32>
}
"""


def test_absorbs_following_per_channel_affine_ops(rng: np.random.Generator) -> None:
    # %s (a mul varying along a spatial dim, unused) makes %a's value used twice: the chain stops at %a.
    module = parse(AFFINE)
    after = assert_pass_preserves(module, BatchNormToScaleShiftPass(), [rng.standard_normal((2, 3, 4, 2), np.float32)])
    found = counts(after)
    assert found["infer.batch_norm"] == 0 and found["infer.mul"] == 2 and found["infer.add"] == 1
    assert 'loc(fused["bn", "scale", "shift"])' in infer.print_ir(after, debuginfo=True)
    alone = assert_pass_preserves(
        module, BatchNormToScaleShiftPass(absorb_affine=False), [rng.standard_normal((1, 3, 5, 2), np.float32)]
    )
    assert counts(alone)["infer.mul"] == 3 and counts(alone)["infer.add"] == 2
