"""merge-duplicates: merged constants and ops checked by running the interpreter before
and after the pass, on hand-written IR, ONNX graphs and the light models."""

from __future__ import annotations

from collections import Counter

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, parse
from light_models import PASS_TEST_NAMES, dynamic_batch, inputs, load, with_random_weights
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp, NameLoc
from xdsl.transforms.dead_code_elimination import DeadCodeElimination

import infer
from infer.dialects.infer import ConstantOp
from infer.registry import load_context
from infer.transforms.merge_duplicates import MergeDuplicatesPass


def counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk() if op.name.startswith("infer."))


def constants(module: ModuleOp) -> list[ConstantOp]:
    return [op for op in module.walk() if isinstance(op, ConstantOp)]


CONVS = """
func.func @main(%x: tensor<?x2x6x6xf32>) -> tensor<?x3x4x4xf32> {
  %w1 = infer.constant dense<"{w}"> : tensor<3x2x3x3xf32> loc("w1")
  %b1 = infer.constant splat<0.25> : tensor<3xf32> loc("b1")
  %c1 = infer.conv %x, %w1, %b1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
          pads = array<i64: 0, 0, 0, 0>} : (tensor<?x2x6x6xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>)
          -> tensor<?x3x4x4xf32> loc("conv1")
  %w2 = infer.constant dense<"{w}"> : tensor<3x2x3x3xf32> loc("w2")
  %b2 = infer.constant dense<[0.25, 0.25, 0.25]> : tensor<3xf32> loc("b2")
  %c2 = infer.conv %x, %w2, %b2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
          pads = array<i64: 0, 0, 0, 0>} : (tensor<?x2x6x6xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>)
          -> tensor<?x3x4x4xf32> loc("conv2")
  %r1 = infer.relu %c1 : (tensor<?x3x4x4xf32>) -> tensor<?x3x4x4xf32>
  %r2 = infer.relu %c2 : (tensor<?x3x4x4xf32>) -> tensor<?x3x4x4xf32>
  %y = infer.sub %r1, %r2 : (tensor<?x3x4x4xf32>, tensor<?x3x4x4xf32>) -> tensor<?x3x4x4xf32>
  %z = infer.add %y, %c2 : (tensor<?x3x4x4xf32>, tensor<?x3x4x4xf32>) -> tensor<?x3x4x4xf32>
  func.return %z : tensor<?x3x4x4xf32>
}
"""


def _hex(array: np.ndarray) -> str:
    return "0x" + array.astype("<f4").tobytes().hex().upper()


@pytest.mark.parametrize("batch", [1, 3])
def test_equal_weights_merge_and_so_do_their_convs(rng: np.random.Generator, batch: int) -> None:
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    module = parse(CONVS.replace("{w}", _hex(w)))
    assert counts(module) == Counter(
        {"infer.constant": 4, "infer.conv": 2, "infer.relu": 2, "infer.sub": 1, "infer.add": 1}
    )
    x = rng.standard_normal((batch, 2, 6, 6)).astype(np.float32)
    after = assert_pass_preserves(module, MergeDuplicatesPass(), [x])
    assert counts(after) == Counter(
        {"infer.constant": 2, "infer.conv": 1, "infer.relu": 1, "infer.sub": 1, "infer.add": 1}
    )
    weight, bias = constants(after)
    # The first of each survives, with its location; the bias keeps the splat storage.
    assert isinstance(weight.location, NameLoc) and weight.location.desc.data == "w1"
    assert isinstance(bias.location, NameLoc) and bias.location.desc.data == "b1"
    assert bias.is_splat and len(bias.value.data.data) == 4
    (conv,) = [op for op in after.walk() if op.name == "infer.conv"]
    assert isinstance(conv.location, NameLoc) and conv.location.desc.data == "conv1"


DIFFERENT = """
func.func @main() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
                      tensor<2xi32>) {
  %a = infer.constant dense<"0x0000C07F0000C07F"> : tensor<2xf32>
  %b = infer.constant dense<"0x0100C07F0100C07F"> : tensor<2xf32>
  %c = infer.constant splat<0.0> : tensor<2xf32>
  %d = infer.constant splat<-0.0> : tensor<2xf32>
  %e = infer.constant dense<"0x0000C07F0000C07F"> : tensor<2xf32>
  %f = infer.constant dense<0> : tensor<2xi32>
  func.return %a, %b, %c, %d, %e, %f
    : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi32>
}
"""


def test_constants_compare_by_bytes() -> None:
    module = parse(DIFFERENT)
    after = module.clone()
    MergeDuplicatesPass().apply(load_context(), after)
    after.verify()
    # Only the two NaNs with one payload merge; -0.0, the other payload and i32 zeros stay.
    assert len(constants(after)) == 5
    values = [c.to_numpy() for c in constants(after)]
    assert [v.view(np.uint32)[0] for v in values[:2]] == [0x7FC00000, 0x7FC00001]
    assert [np.signbit(v[0]) for v in values[2:4]] == [False, True]


def test_large_weights_hash_their_bytes(rng: np.random.Generator) -> None:
    w = rng.standard_normal((512, 1024)).astype(np.float32)
    other = w.copy()
    other[-1, -1] += 1  # differs in the last element only
    text = f"""
    func.func @main(%x: tensor<?x512xf32>) -> (tensor<?x1024xf32>, tensor<?x1024xf32>, tensor<?x1024xf32>) {{
      %a = infer.constant dense<"{_hex(w)}"> : tensor<512x1024xf32>
      %b = infer.constant dense<"{_hex(w)}"> : tensor<512x1024xf32>
      %c = infer.constant dense<"{_hex(other)}"> : tensor<512x1024xf32>
      %p = infer.matmul %x, %a : (tensor<?x512xf32>, tensor<512x1024xf32>) -> tensor<?x1024xf32>
      %q = infer.matmul %x, %b : (tensor<?x512xf32>, tensor<512x1024xf32>) -> tensor<?x1024xf32>
      %r = infer.matmul %x, %c : (tensor<?x512xf32>, tensor<512x1024xf32>) -> tensor<?x1024xf32>
      func.return %p, %q, %r : tensor<?x1024xf32>, tensor<?x1024xf32>, tensor<?x1024xf32>
    }}
    """
    module = parse(text)
    x = rng.standard_normal((2, 512)).astype(np.float32)
    after = assert_pass_preserves(module, MergeDuplicatesPass(), [x], rtol=1e-5, atol=1e-4)
    assert counts(after) == Counter({"infer.constant": 2, "infer.matmul": 2})


def _branches_model() -> onnx.ModelProto:
    """Two branches an exporter kept apart: equal initializers under two names, the same ops."""
    rng = np.random.default_rng(1)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    scale = np.full((1, 4, 1, 1), 0.5, np.float32)
    nodes = []
    for branch in ("a", "b"):
        nodes += [
            helper.make_node("Conv", ["x", f"w_{branch}"], [f"c_{branch}"], name=f"conv_{branch}", pads=[1, 1, 1, 1]),
            helper.make_node("Mul", [f"c_{branch}", f"s_{branch}"], [f"m_{branch}"], name=f"mul_{branch}"),
            helper.make_node("Relu", [f"m_{branch}"], [f"r_{branch}"], name=f"relu_{branch}"),
        ]
    nodes.append(helper.make_node("Concat", ["r_a", "r_b"], ["y"], name="concat", axis=1))
    graph = helper.make_graph(
        nodes,
        "branches",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [
            numpy_helper.from_array(w, "w_a"),
            numpy_helper.from_array(w.copy(), "w_b"),
            numpy_helper.from_array(scale, "s_a"),
            numpy_helper.from_array(scale.copy(), "s_b"),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


@pytest.mark.parametrize("batch", [1, 2])
def test_onnx_branches(rng: np.random.Generator, batch: int) -> None:
    module = infer.to_infer(_branches_model())
    before = counts(module)
    assert before["infer.conv"] == 2
    x = rng.standard_normal((batch, 3, 8, 8)).astype(np.float32)
    after = assert_pass_preserves(module, MergeDuplicatesPass(), {"x": x})
    ops = counts(after)
    assert ops["infer.conv"] == ops["infer.mul"] == ops["infer.relu"] == 1
    assert ops["infer.constant"] == before["infer.constant"] // 2


def test_functions_keep_their_constants() -> None:
    module = parse(
        """
        func.func @main() -> tensor<4xf32> {
          %a = infer.constant splat<3.0> : tensor<4xf32>
          %r = func.call @other() : () -> tensor<4xf32>
          %y = infer.add %a, %r : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
          func.return %y : tensor<4xf32>
        }
        func.func private @other() -> tensor<4xf32> {
          %a = infer.constant splat<3.0> : tensor<4xf32>
          func.return %a : tensor<4xf32>
        }
        """
    )
    after = assert_pass_preserves(module, MergeDuplicatesPass(), [])
    assert len(constants(after)) == 2


# -- the light models --------------------------------------------------------------------------------

MERGED_FILLS = {
    "bvlc_alexnet": 35,
    "densenet121": 774,
    "inception_v1": 222,
    "inception_v2": 450,
    "resnet50": 231,
    "shufflenet": 224,
    "squeezenet": 100,
    "vgg19": 62,
    "zfnet512": 35,
}
"""Op counts after the pass on the light models as shipped, whose weights are all
splats of 0.02: one constant per weight shape, and ops of equal inputs merged."""


def live_counts(module: ModuleOp) -> Counter[str]:
    """Op counts without dead ops (a clone drops uses by ops the converter left detached)."""
    clone = module.clone()
    DeadCodeElimination().apply(load_context(), clone)
    return counts(clone)


@pytest.mark.parametrize("name", PASS_TEST_NAMES)
def test_light_model_as_shipped(name: str) -> None:
    model = load(name)
    module = infer.to_infer(model)
    after = assert_pass_preserves(module, MergeDuplicatesPass(), inputs(model), rtol=1e-4, atol=1e-5)
    assert sum(counts(after).values()) == MERGED_FILLS[name] < sum(live_counts(module).values())


@pytest.mark.parametrize(("name", "merged"), [("inception_v2", 22), ("resnet50", 0)])
def test_light_model_random_weights(name: str, merged: int) -> None:
    """With random weights only the constant initializers of equal bytes merge (zero
    biases, unit scales), and nothing else changes."""
    model = with_random_weights(load(name))
    module = infer.to_infer(dynamic_batch(model) if name == "resnet50" else model)
    after = assert_pass_preserves(module, MergeDuplicatesPass(), inputs(model), rtol=1e-4, atol=1e-5)
    before = live_counts(module)
    assert before["infer.constant"] - counts(after)["infer.constant"] == merged
    assert sum(before.values()) - sum(counts(after).values()) == merged


def test_narrow_float_constants() -> None:
    """bf16 constants (a numpy dtype from ml_dtypes) merge like any other."""
    module = parse(
        """
        func.func @main() -> (tensor<4xbf16>, tensor<4xbf16>, tensor<4xbf16>, tensor<4xbf16>) {
          %a = infer.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xbf16>
          %b = infer.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xbf16>
          %c = infer.constant dense<[1.0, 2.0, 3.0, 5.0]> : tensor<4xbf16>
          %d = infer.add %a, %c : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xbf16>
          %e = infer.add %b, %c : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xbf16>
          func.return %a, %b, %d, %e : tensor<4xbf16>, tensor<4xbf16>, tensor<4xbf16>, tensor<4xbf16>
        }
        """
    )
    MergeDuplicatesPass().apply(load_context(), module)
    module.verify()
    assert counts(module) == Counter({"infer.constant": 2, "infer.add": 1})
