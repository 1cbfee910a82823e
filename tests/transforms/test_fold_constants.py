"""fold-constants: every fold checked by running the interpreter before and after the
pass, on hand-written IR, ONNX graphs and the light models; op counts show that it folded."""

from __future__ import annotations

from collections import Counter

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, parse, run
from light_models import BIG, NAMES, dynamic_batch, inputs, load, with_random_weights
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import FusedLoc, ModuleOp, NameLoc

import infer
from infer.diagnostics import InferError
from infer.dialects.constants import dense_to_numpy
from infer.dialects.infer import ConstantOp
from infer.registry import load_context
from infer.transforms.decompose_composites import DecomposeCompositesPass
from infer.transforms.fold_constants import FoldConstantsPass


def counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk() if op.name.startswith("infer."))


def constants(module: ModuleOp) -> list[ConstantOp]:
    return [op for op in module.walk() if isinstance(op, ConstantOp)]


SHAPE_CHAIN = """
func.func @main(%x: tensor<?x3x8x8xf32>) -> (tensor<?x192xf32>, tensor<2xi64>, tensor<2xi64>) {
  %s = infer.shape_of %x {start = 0 : i64, end = 4 : i64} : (tensor<?x3x8x8xf32>) -> tensor<4xi64>
  %l = infer.slice %s {starts = array<i64: 1>, ends = array<i64: 4>, steps = array<i64: 1>}
         : (tensor<4xi64>) -> tensor<3xi64>
  %p = infer.reduce_prod %l {axes = array<i64: 0>, keepdims} : (tensor<3xi64>) -> tensor<1xi64>
  %m = infer.constant dense<-1> : tensor<1xi64>
  %c = infer.concat %m, %p {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %r = infer.reshape %x, %c : (tensor<?x3x8x8xf32>, tensor<2xi64>) -> tensor<?x192xf32>
  %j = infer.constant dense<[0, 3]> : tensor<2xi64>
  %k = infer.gather %s, %j {axis = 0 : i64} : (tensor<4xi64>, tensor<2xi64>) -> tensor<2xi64>
  %hw = infer.shape_of %x {start = 2 : i64, end = 4 : i64} : (tensor<?x3x8x8xf32>) -> tensor<2xi64>
  %z = infer.constant dense<0> : tensor<2xi64>
  %e = infer.equal %c, %z : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi1>
  %q = infer.shape_of %x {start = 0 : i64, end = 2 : i64} : (tensor<?x3x8x8xf32>) -> tensor<2xi64>
  %v = infer.select %e, %q, %hw : (tensor<2xi1>, tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  func.return %r, %k, %v : tensor<?x192xf32>, tensor<2xi64>, tensor<2xi64>
}
"""


@pytest.mark.parametrize("batch", [1, 3])
def test_shape_subgraph_on_static_dims(rng: np.random.Generator, batch: int) -> None:
    module = parse(SHAPE_CHAIN)
    x = rng.standard_normal((batch, 3, 8, 8)).astype(np.float32)
    after = assert_pass_preserves(module, FoldConstantsPass(), [x])
    ops = counts(after)
    # Only the shape of the dynamic pick (dim 0 and 3) stays.
    assert ops["infer.shape_of"] == 1 and ops["infer.gather"] == 1
    assert ops["infer.slice"] == ops["infer.reduce_prod"] == ops["infer.concat"] == ops["infer.select"] == 0
    assert ops["infer.equal"] == 0 and ops["infer.reshape"] == 1


FILL_CHAIN = """
func.func @main(%x: tensor<4096x1000xf32>) -> tensor<4096x1000xf32> {
  %s = infer.constant dense<[1000, 4096]> : tensor<2xi64>
  %f = infer.fill %s {value = 0.25 : f32} : (tensor<2xi64>) -> tensor<?x?xf32>
  %t = infer.transpose %f {perm = array<i64: 1, 0>} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %e = infer.exp %t : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %h = infer.cast %e : (tensor<?x?xf32>) -> tensor<?x?xf16>
  %d = infer.cast %h : (tensor<?x?xf16>) -> tensor<?x?xf32>
  %y = infer.add %x, %d : (tensor<4096x1000xf32>, tensor<?x?xf32>) -> tensor<4096x1000xf32>
  func.return %y : tensor<4096x1000xf32>
}
"""


def test_fill_and_splat_chain_stay_splats(rng: np.random.Generator) -> None:
    module = parse(FILL_CHAIN)
    x = rng.standard_normal((4096, 1000)).astype(np.float32)
    # A cap below the fill's 4M elements: splats are not capped.
    after = assert_pass_preserves(module, FoldConstantsPass(max_elements=16), [x])
    assert counts(after) == Counter({"infer.constant": 1, "infer.add": 1})
    (splat,) = constants(after)
    assert splat.is_splat and len(splat.value.data.data) == 4  # one f32, not 4M


SPLATS = """
func.func @main() -> (tensor<8x4x3xf32>, tensor<2x3x4x8xf32>, tensor<3x8x2x2xf32>, tensor<3x8x4xf32>,
                      tensor<6x4x12xf32>, tensor<3x6x8xf32>, tensor<64x64xf32>, tensor<64x64xi32>,
                      tensor<64x64xi1>, tensor<3x4x8xf32>, tensor<1x1xf32>) {
  %w = infer.constant splat<0.5> : tensor<3x4x8xf32>
  %t = infer.transpose %w {perm = array<i64: 2, 1, 0>} : (tensor<3x4x8xf32>) -> tensor<8x4x3xf32>
  %s = infer.constant dense<[2, 1, 1, 1]> : tensor<4xi64>
  %u = infer.unsqueeze %w {axes = array<i64: 0>} : (tensor<3x4x8xf32>) -> tensor<1x3x4x8xf32>
  %b = infer.broadcast_to %u, %s : (tensor<1x3x4x8xf32>, tensor<4xi64>) -> tensor<2x3x4x8xf32>
  %r = infer.reshape %w : (tensor<3x4x8xf32>) -> tensor<3x8x2x2xf32>
  %c = infer.concat %w, %w {axis = 1 : i64} : (tensor<3x4x8xf32>, tensor<3x4x8xf32>) -> tensor<3x8x8xf32>
  %l = infer.slice %c {starts = array<i64: 0, 0, 1>, ends = array<i64: 3, 8, 8>, steps = array<i64: 1, 1, 2>}
         : (tensor<3x8x8xf32>) -> tensor<3x8x4xf32>
  %p = infer.tile %w {repeats = array<i64: 2, 1, 1>} : (tensor<3x4x8xf32>) -> tensor<6x4x8xf32>
  %q = infer.pad %p {pads = array<i64: 0, 0, 2, 0, 0, 2>, mode = "edge"} : (tensor<6x4x8xf32>) -> tensor<6x4x12xf32>
  %i = infer.constant dense<[0, 1, 2, -1, 0, 1]> : tensor<6xi64>
  %g = infer.gather %w, %i {axis = 1 : i64} : (tensor<3x4x8xf32>, tensor<6xi64>) -> tensor<3x6x8xf32>
  %a = infer.constant splat<1.75> : tensor<64x64xf32>
  %two = infer.constant dense<2.0> : tensor<1x1xf32>
  %m = infer.mul %a, %two : (tensor<64x64xf32>, tensor<1x1xf32>) -> tensor<64x64xf32>
  %k = infer.cast %a : (tensor<64x64xf32>) -> tensor<64x64xi32>
  %x = infer.constant splat<4.0> : tensor<64x64xf32>
  %n = infer.less %m, %x : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xi1>
  %o = infer.constant splat<-2.0> : tensor<3x4x8xf32>
  %cond = infer.less %o, %w : (tensor<3x4x8xf32>, tensor<3x4x8xf32>) -> tensor<3x4x8xi1>
  %sel = infer.select %cond, %o, %w : (tensor<3x4x8xi1>, tensor<3x4x8xf32>, tensor<3x4x8xf32>) -> tensor<3x4x8xf32>
  %gelu = infer.gelu %sel : (tensor<3x4x8xf32>) -> tensor<3x4x8xf32>
  %one = infer.constant dense<3.0> : tensor<f32>
  %uu = infer.unsqueeze %one {axes = array<i64: 0, 1>} : (tensor<f32>) -> tensor<1x1xf32>
  func.return %t, %b, %r, %l, %q, %g, %m, %k, %n, %gelu, %uu
    : tensor<8x4x3xf32>, tensor<2x3x4x8xf32>, tensor<3x8x2x2xf32>, tensor<3x8x4xf32>, tensor<6x4x12xf32>,
      tensor<3x6x8xf32>, tensor<64x64xf32>, tensor<64x64xi32>, tensor<64x64xi1>, tensor<3x4x8xf32>, tensor<1x1xf32>
}
"""


def test_splats_fold_without_their_bytes() -> None:
    module = parse(SPLATS)
    after = assert_pass_preserves(module, FoldConstantsPass(max_elements=1), [])
    assert set(counts(after)) == {"infer.constant"}
    results = [c for c in constants(after) if c.result.type.element_count() > 1]
    assert len(results) == 10 and all(c.is_splat for c in results)
    # The one-element result keeps its own shape (it is not printed as a 0-d splat).
    (single,) = [c for c in constants(after) if c.result.type.element_count() == 1]
    assert infer.print_ir(after).count("tensor<1x1xf32>") >= 2
    assert single.value.type == single.result.type


DENSE = """
func.func @main(%x: tensor<3x4xf32>) -> (tensor<2x3xf32>, tensor<3x2xf32>, tensor<3x4xf32>, tensor<?xi64>) {
  %a = infer.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = infer.constant dense<[[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]]> : tensor<2x3xf32>
  %s = infer.add %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %t = infer.transpose %a {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %o = infer.constant dense<[[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]]> : tensor<2x4xf32>
  %p = infer.constant dense<[[1.0, -1.0], [0.5, 2.0], [3.0, 1.0]]> : tensor<3x2xf32>
  %m = infer.matmul %p, %o : (tensor<3x2xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
  %y = infer.mul %x, %m : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %r0 = infer.constant dense<2> : tensor<i64>
  %r1 = infer.constant dense<11> : tensor<i64>
  %r2 = infer.constant dense<3> : tensor<i64>
  %r = infer.range %r0, %r1, %r2 : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  func.return %s, %t, %y, %r : tensor<2x3xf32>, tensor<3x2xf32>, tensor<3x4xf32>, tensor<?xi64>
}
"""


def test_dense_constants_and_the_cap(rng: np.random.Generator) -> None:
    module = parse(DENSE)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    folded = assert_pass_preserves(module, FoldConstantsPass(), [x])
    # The range reaches the function's dynamic result type: it stays.
    assert counts(folded) == Counter({"infer.constant": 6, "infer.mul": 1, "infer.range": 1})
    capped = assert_pass_preserves(module, FoldConstantsPass(max_elements=6), [x])
    assert counts(capped)["infer.matmul"] == 1  # 12 elements > 6
    assert counts(capped)["infer.add"] == 0 and counts(capped)["infer.transpose"] == 0


REFINE = """
func.func @main(%x: tensor<5xi64>) -> tensor<5xi64> {
  %a = infer.constant dense<0> : tensor<i64>
  %b = infer.constant dense<5> : tensor<i64>
  %c = infer.constant dense<1> : tensor<i64>
  %r = infer.range %a, %b, %c : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %n = infer.neg %r : (tensor<?xi64>) -> tensor<?xi64>
  %y = infer.add %x, %n : (tensor<5xi64>, tensor<?xi64>) -> tensor<5xi64>
  func.return %y : tensor<5xi64>
}
"""


def test_refined_types(rng: np.random.Generator) -> None:
    module = parse(REFINE)
    x = rng.integers(-9, 9, 5).astype(np.int64)
    after = assert_pass_preserves(module, FoldConstantsPass(), [x])
    assert counts(after) == Counter({"infer.constant": 1, "infer.add": 1})
    (constant,) = constants(after)
    np.testing.assert_array_equal(constant.to_numpy(), [0, -1, -2, -3, -4])


FAILING = """
func.func @main() -> tensor<1xi64> {
  %s = infer.constant dense<[1, 2]> : tensor<2xi64>
  %i = infer.constant dense<[5]> : tensor<1xi64>
  %g = infer.gather %s, %i {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<1xi64>
  func.return %g : tensor<1xi64>
}
"""


def test_failing_op_is_left_for_run_time() -> None:
    module = parse(FAILING)
    FoldConstantsPass().apply(load_context(), module)
    assert counts(module)["infer.gather"] == 1
    with pytest.raises(InferError, match="out of range"):
        run(module, [])


LOCATED = """
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = infer.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32> loc("a")
  %n = infer.neg %a : (tensor<4xf32>) -> tensor<4xf32> loc("neg")
  %e = infer.exp %n : (tensor<4xf32>) -> tensor<4xf32> loc(fused["scale", "exp"])
  %y = infer.add %x, %e : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> loc("add")
  func.return %y : tensor<4xf32>
}
"""


def test_folded_constant_keeps_the_location_of_its_op(rng: np.random.Generator) -> None:
    module = parse(LOCATED)
    after = assert_pass_preserves(module, FoldConstantsPass(), [rng.standard_normal(4).astype(np.float32)])
    (constant,) = constants(after)
    assert isinstance(constant.location, FusedLoc)
    names = [loc.desc.data for loc in constant.location.locations.data if isinstance(loc, NameLoc)]
    assert names == ["scale", "exp"]


def _shape_model(batch: str | int) -> onnx.ModelProto:
    """Shape arithmetic as exporters write it: halve the input's shape, fill, sum, add."""
    nodes = [
        helper.make_node("Shape", ["x"], ["s"], name="shape"),
        helper.make_node("Cast", ["s"], ["sf"], name="cast", to=TensorProto.FLOAT),
        helper.make_node("Mul", ["sf", "half"], ["h"], name="mul"),
        helper.make_node("Ceil", ["h"], ["hc"], name="ceil"),
        helper.make_node("Cast", ["hc"], ["hi"], name="cast2", to=TensorProto.INT64),
        helper.make_node(
            "ConstantOfShape", ["hi"], ["f"], name="fill", value=numpy_helper.from_array(np.array([1.5], np.float32))
        ),
        helper.make_node("ReduceSum", ["f"], ["r"], name="sum", keepdims=0),
        helper.make_node("Add", ["x", "r"], ["z"], name="add"),
        helper.make_node("Shape", ["x"], ["s2"], name="shape2"),
        helper.make_node("Slice", ["s2", "one", "four"], ["chw"], name="slice"),
        helper.make_node("ReduceProd", ["chw"], ["n"], name="prod", keepdims=1),
        helper.make_node("Concat", ["minus1", "n"], ["flat"], name="concat", axis=0),
        helper.make_node("Reshape", ["z", "flat"], ["y"], name="reshape"),
    ]
    graph = helper.make_graph(
        nodes,
        "shapes",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 3, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [
            numpy_helper.from_array(np.array(0.5, np.float32), "half"),
            numpy_helper.from_array(np.array([1], np.int64), "one"),
            numpy_helper.from_array(np.array([4], np.int64), "four"),
            numpy_helper.from_array(np.array([-1], np.int64), "minus1"),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_onnx_shape_arithmetic_static(rng: np.random.Generator) -> None:
    module = infer.to_infer(_shape_model(2))
    before = counts(module)
    # With static dims the conversion already folds the shape arithmetic (a node
    # may need it as a constant); the pass keeps the result.
    assert before["infer.fill"] == 0 and before["infer.mul"] == 0
    x = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    after = assert_pass_preserves(module, FoldConstantsPass(), {"x": x})
    assert counts(after) == Counter({"infer.constant": 1, "infer.add": 1, "infer.reshape": 1})


@pytest.mark.parametrize("batch", [1, 5])
def test_onnx_shape_arithmetic_dynamic_batch(rng: np.random.Generator, batch: int) -> None:
    module = infer.to_infer(_shape_model("N"))
    before = counts(module)
    x = rng.standard_normal((batch, 3, 4, 4)).astype(np.float32)
    after = assert_pass_preserves(module, FoldConstantsPass(), {"x": x})
    ops = counts(after)
    # The fill's shape depends on the batch; the flattening shape does not.
    assert ops["infer.fill"] == 1 and ops["infer.concat"] == 0 and ops["infer.reduce_prod"] == 0
    assert sum(ops.values()) < sum(before.values())


# -- the light models --------------------------------------------------------------------------------

BATCH_NORM_MODELS = {"densenet121", "inception_v2", "resnet50", "shufflenet"}


DYNAMIC = ["inception_v1", "resnet50", "shufflenet", "squeezenet"]
"""Light models also run with a symbolic batch dim (`?` in every activation type)."""


@pytest.mark.parametrize(
    ("name", "dynamic"),
    [pytest.param(n, False, marks=pytest.mark.slow) if n in BIG else (n, False) for n in NAMES]
    + [(n, True) for n in DYNAMIC],
    ids=lambda v: str(v),
)
def test_light_model(name: str, dynamic: bool) -> None:
    """After `decompose-composites`, every batch norm is `(x - mean) / sqrt(var + eps) * scale + bias`:
    the constant half of that folds; gemm's transposed weights fold below the cap."""
    model = with_random_weights(load(name))
    module = infer.to_infer(dynamic_batch(model) if dynamic else model)
    DecomposeCompositesPass().apply(load_context(), module)
    before = counts(module)
    after = assert_pass_preserves(module, FoldConstantsPass(), inputs(model), rtol=1e-4, atol=1e-5)
    ops = counts(after)
    if name in BATCH_NORM_MODELS:
        assert before["infer.sqrt"] > 0 and ops["infer.sqrt"] == 0
    if before["infer.transpose"]:
        assert ops["infer.transpose"] < before["infer.transpose"]
    if name in BATCH_NORM_MODELS or before["infer.transpose"]:
        assert sum(ops.values()) < sum(before.values())


@pytest.mark.parametrize("name", ["resnet50", "squeezenet"])
def test_light_model_as_converted_is_a_fixpoint(name: str) -> None:
    """The converter already folds what it can: the pass leaves its output as it is."""
    module = infer.to_infer(with_random_weights(load(name)))
    text = infer.print_ir(module)
    FoldConstantsPass().apply(load_context(), module)
    assert infer.print_ir(module) == text


def test_narrow_floats_fold_in_f32_rounded_to_the_element_type() -> None:
    """bf16 folds with the interpreter's semantics: f32 arithmetic, rounded to bf16."""
    module = parse(
        """
        func.func @main() -> tensor<4xbf16> {
          %a = infer.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xbf16>
          %b = infer.constant dense<[0.00390625, 0.0078125, 256.0, 4.0]> : tensor<4xbf16>
          %d = infer.add %a, %b : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xbf16>
          func.return %d : tensor<4xbf16>
        }
        """
    )
    FoldConstantsPass().apply(load_context(), module)
    module.verify()
    assert counts(module) == Counter({"infer.constant": 1})
    (constant,) = [op for op in module.walk() if isinstance(op, ConstantOp)]
    folded = dense_to_numpy(constant.value).astype(np.float32)  # type: ignore[arg-type]
    # 1 + 2^-8, 2 + 2^-7 and 259 are ties in bf16 (7 stored mantissa bits): they round to even.
    np.testing.assert_array_equal(folded, [1.0, 2.0, 260.0, 8.0])
