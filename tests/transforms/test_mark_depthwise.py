"""`mark-depthwise`: depthwise convs (groups == input channels, any multiplier) carry
`infer.depthwise`, nothing else does, the mark changes no numbers, and the pass is idempotent."""

from __future__ import annotations

import light_models
import numpy as np
import pytest
from infer_ir import assert_pass_preserves, parse
from xdsl.dialects.builtin import ModuleOp

import infer
from infer.dialects.infer.nn import ConvOp
from infer.registry import load_context
from infer.transforms.mark_depthwise import DEPTHWISE, MarkDepthwisePass
from infer.verify_each import node_of

CONVS = """
func.func @main(%x: tensor<?x8x?x?xf32>, %d1: tensor<8x1x3x3xf32>, %d2: tensor<16x1x3x3xf32>,
                %g: tensor<8x2x3x3xf32>, %w: tensor<4x8x1x1xf32>, %n: tensor<?x?x8xf32>, %d3: tensor<8x1x3xf32>)
    -> (tensor<?x8x?x?xf32>, tensor<?x16x?x?xf32>, tensor<?x8x?x?xf32>, tensor<?x4x?x?xf32>, tensor<?x?x8xf32>) {
  %a = infer.conv %x, %d1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         groups = 8 : i64} : (tensor<?x8x?x?xf32>, tensor<8x1x3x3xf32>) -> tensor<?x8x?x?xf32> loc("dw1")
  %b = infer.conv %x, %d2 {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         groups = 8 : i64} : (tensor<?x8x?x?xf32>, tensor<16x1x3x3xf32>) -> tensor<?x16x?x?xf32> loc("dw2")
  %c = infer.conv %x, %g {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         groups = 4 : i64} : (tensor<?x8x?x?xf32>, tensor<8x2x3x3xf32>) -> tensor<?x8x?x?xf32> loc("grouped")
  %e = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
         : (tensor<?x8x?x?xf32>, tensor<4x8x1x1xf32>) -> tensor<?x4x?x?xf32> loc("dense")
  %f = infer.conv %n, %d3 {strides = array<i64: 1>, dilations = array<i64: 2>, pads = array<i64: 2, 2>,
         groups = 8 : i64, layout = "nhwc"} : (tensor<?x?x8xf32>, tensor<8x1x3xf32>) -> tensor<?x?x8xf32> loc("dw3")
  func.return %a, %b, %c, %e, %f : tensor<?x8x?x?xf32>, tensor<?x16x?x?xf32>, tensor<?x8x?x?xf32>,
                                   tensor<?x4x?x?xf32>, tensor<?x?x8xf32>
}
"""


def names_of_marked(module: ModuleOp) -> list[str]:
    return sorted(
        str(node_of(op.location)) for op in module.walk() if isinstance(op, ConvOp) and DEPTHWISE in op.attributes
    )


def test_marks_depthwise_convs_only(rng: np.random.Generator) -> None:
    module = parse(CONVS)
    shapes = [(2, 8, 5, 6), (8, 1, 3, 3), (16, 1, 3, 3), (8, 2, 3, 3), (4, 8, 1, 1), (2, 7, 8), (8, 1, 3)]
    inputs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    after = assert_pass_preserves(module, MarkDepthwisePass(), inputs)
    assert names_of_marked(after) == ["dw1", "dw2", "dw3"]


def test_idempotent() -> None:
    module = parse(CONVS)
    MarkDepthwisePass().apply(load_context(), module)
    once = str(module)
    MarkDepthwisePass().apply(load_context(), module)
    assert str(module) == once
    assert once.count(DEPTHWISE) == 3


def test_removes_stale_marks() -> None:
    stale = CONVS.replace("%e = infer.conv %x, %w {strides", "%e = infer.conv %x, %w {infer.depthwise, strides")
    module = parse(stale)
    assert names_of_marked(module) == ["dense"]
    MarkDepthwisePass().apply(load_context(), module)
    assert names_of_marked(module) == ["dw1", "dw2", "dw3"]


@pytest.mark.parametrize(("name", "depthwise"), [("shufflenet", 16), ("resnet50", 0)])
def test_light_models(name: str, depthwise: int) -> None:
    model = light_models.with_random_weights(light_models.load(name))
    module = infer.to_infer(model)
    after = assert_pass_preserves(module, MarkDepthwisePass(), light_models.inputs(model))
    assert len(names_of_marked(after)) == depthwise
