"""remove-no-ops: each removal checked by running the interpreter before and after the
pass, bit for bit (NaN, -0.0 and infinities included), at several sizes of the dynamic
dims; the ops that must stay are checked too."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, parse, run
from light_models import BIG, NAMES, dynamic_batch, inputs, load, with_random_weights
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.rewriter import InsertPoint, Rewriter

import infer
from infer.dialects.dtypes import to_numpy
from infer.dialects.infer.base import dims_of, element_of
from infer.dialects.infer.elementwise import IdentityOp, ReluOp
from infer.dialects.infer.tensor import ReshapeOp, ShapeOfOp, SliceOp, TransposeOp
from infer.transforms.remove_no_ops import RemoveNoOpsPass

INT64_MAX = int(np.iinfo(np.int64).max)


def counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk() if op.name.startswith("infer."))


def special(rng: np.random.Generator, shape: Sequence[int], dtype: type = np.float32) -> np.ndarray:
    """Random values with NaNs, infinities and negative zeros among them."""
    x = rng.standard_normal(shape).astype(dtype)
    flat = x.reshape(-1)
    picks = rng.permutation(flat.size)[: min(flat.size, 4)]
    flat[picks] = np.array([np.nan, -0.0, np.inf, -np.inf], dtype)[: picks.size]
    return x


def assert_bit_exact(module: ModuleOp, inputs: Mapping[str, np.ndarray] | list[np.ndarray]) -> ModuleOp:
    """Runs the pass; asserts the outputs are the same bits, and returns the transformed clone."""
    after = assert_pass_preserves(module, RemoveNoOpsPass(), inputs)
    for b, a in zip(run(module, inputs), run(after, inputs), strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()
    return after


CASES: dict[str, tuple[str, list[list[tuple[int, ...]]], Counter[str]]] = {
    # name: (IR, input shapes for each run (the dynamic dims vary), ops left after the pass)
    "identity_cast": (
        """
        func.func @main(%x: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf16>) {
          %a = infer.identity %x : (tensor<?x3xf32>) -> tensor<?x3xf32>
          %b = infer.cast %a : (tensor<?x3xf32>) -> tensor<?x3xf32>
          %c = infer.cast %b : (tensor<?x3xf32>) -> tensor<?x3xf16>
          func.return %b, %c : tensor<?x3xf32>, tensor<?x3xf16>
        }
        """,
        [[(5, 3)], [(1, 3)]],
        Counter({"infer.cast": 1}),
    ),
    "reshapes": (
        """
        func.func @main(%x: tensor<?x3x4xf32>, %y: tensor<?x?xf32>, %z: tensor<?x3x?x1xf32>)
            -> (tensor<?x3x4xf32>, tensor<?x?xf32>, tensor<?x3x?x1xf32>, tensor<?x12xf32>) {
          %a = infer.reshape %x : (tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
          %s = infer.constant dense<[-1, 3, 4]> : tensor<3xi64>
          %b = infer.reshape %a, %s : (tensor<?x3x4xf32>, tensor<3xi64>) -> tensor<?x3x4xf32>
          %t = infer.shape_of %y {start = 0 : i64, end = 2 : i64} : (tensor<?x?xf32>) -> tensor<2xi64>
          %c = infer.reshape %y, %t : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
          %n = infer.shape_of %z {start = 0 : i64, end = 1 : i64} : (tensor<?x3x?x1xf32>) -> tensor<1xi64>
          %k = infer.constant dense<3> : tensor<1xi64>
          %h = infer.shape_of %z {start = 2 : i64, end = 3 : i64} : (tensor<?x3x?x1xf32>) -> tensor<1xi64>
          %o = infer.constant dense<1> : tensor<1xi64>
          %p = infer.concat %n, %k, %h, %o {axis = 0 : i64}
                 : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4xi64>
          %d = infer.reshape %z, %p : (tensor<?x3x?x1xf32>, tensor<4xi64>) -> tensor<?x3x?x1xf32>
          %f = infer.flatten %b {axis = 1 : i64} : (tensor<?x3x4xf32>) -> tensor<?x12xf32>
          %g = infer.flatten %f {axis = 1 : i64} : (tensor<?x12xf32>) -> tensor<?x12xf32>
          func.return %b, %c, %d, %g : tensor<?x3x4xf32>, tensor<?x?xf32>, tensor<?x3x?x1xf32>, tensor<?x12xf32>
        }
        """,
        [[(2, 3, 4), (3, 5), (2, 3, 7, 1)], [(1, 3, 4), (6, 1), (3, 3, 2, 1)]],
        Counter({"infer.flatten": 1}),
    ),
    "transposes_slices": (
        """
        func.func @main(%x: tensor<?x1x1x8xf32>) -> (tensor<?x1x1x8xf32>, tensor<?x1x1x8xf32>) {
          %a = infer.transpose %x {perm = array<i64: 0, 1, 2, 3>} : (tensor<?x1x1x8xf32>) -> tensor<?x1x1x8xf32>
          %b = infer.transpose %a {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x1x1x8xf32>) -> tensor<?x1x1x8xf32>
          %c = infer.slice %b {starts = array<i64: 0, 0, 0, -8>, ends = array<i64: 9223372036854775807, 1,
                 -9223372036854775808, 100>, steps = array<i64: 1, 1, -1, 1>}
                 : (tensor<?x1x1x8xf32>) -> tensor<?x1x1x8xf32>
          %s = infer.constant dense<[-9223372036854775807, 0, 0, 0]> : tensor<4xi64>
          %e = infer.constant dense<9223372036854775807> : tensor<4xi64>
          %d = infer.dynamic_slice %c, %s, %e {steps = array<i64: 1, 1, 1, 1>}
                 : (tensor<?x1x1x8xf32>, tensor<4xi64>, tensor<4xi64>) -> tensor<?x1x1x8xf32>
          func.return %b, %d : tensor<?x1x1x8xf32>, tensor<?x1x1x8xf32>
        }
        """,
        [[(3, 1, 1, 8)], [(1, 1, 1, 8)]],
        Counter(),
    ),
    "pad_concat_split_tile_broadcast_gather": (
        """
        func.func @main(%x: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
          %a = infer.pad %x {pads = array<i64: 0, 0, 0, 0>, mode = "reflect"} : (tensor<?x3xf32>) -> tensor<?x3xf32>
          %b = infer.concat %a {axis = 1 : i64} : (tensor<?x3xf32>) -> tensor<?x3xf32>
          %c = infer.split %b {axis = 1 : i64, num_outputs = 1 : i64} : (tensor<?x3xf32>) -> tensor<?x3xf32>
          %d = infer.tile %c {repeats = array<i64: 1, 1>} : (tensor<?x3xf32>) -> tensor<?x3xf32>
          %s = infer.constant dense<[1, 3]> : tensor<2xi64>
          %e = infer.broadcast_to %d, %s : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<?x3xf32>
          %i = infer.constant dense<[0, 1, 2]> : tensor<3xi64>
          %f = infer.gather %e, %i {axis = 1 : i64} : (tensor<?x3xf32>, tensor<3xi64>) -> tensor<?x3xf32>
          %j = infer.constant dense<[0, 2, 1]> : tensor<3xi64>
          %g = infer.gather %f, %j {axis = 1 : i64} : (tensor<?x3xf32>, tensor<3xi64>) -> tensor<?x3xf32>
          func.return %f, %g : tensor<?x3xf32>, tensor<?x3xf32>
        }
        """,
        [[(4, 3)], [(9, 3)]],
        Counter({"infer.gather": 1, "infer.constant": 1}),
    ),
    "resize_clip_pool_reduce": (
        """
        func.func @main(%x: tensor<?x3x?x1xf32>, %i: tensor<?xi8>)
            -> (tensor<?x3x?x1xf32>, tensor<?x3x?x1xf32>, tensor<?xi8>, tensor<?x3x?x1xf32>) {
          %a = infer.resize %x {mode = "linear", scales = array<f64: 1.0, 1.0, 1.0, 1.0>}
                 : (tensor<?x3x?x1xf32>) -> tensor<?x3x?x1xf32>
          %b = infer.resize %a {mode = "cubic", coordinate_mode = "align_corners", sizes = array<i64: -1, 3, -1, 1>}
                 : (tensor<?x3x?x1xf32>) -> tensor<?x3x?x1xf32>
          %c = infer.clip %b {min = 0xFFF0000000000000 : f64} : (tensor<?x3x?x1xf32>) -> tensor<?x3x?x1xf32>
          %d = infer.max_pool %c {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 2, 2>,
                 pads = array<i64: 0, 0, 0, 0>} : (tensor<?x3x?x1xf32>) -> tensor<?x3x?x1xf32>
          %e = infer.avg_pool %d {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
                 pads = array<i64: 0, 0, 0, 0>} : (tensor<?x3x?x1xf32>) -> tensor<?x3x?x1xf32>
          %f = infer.reduce_max %e {axes = array<i64: 3>, keepdims} : (tensor<?x3x?x1xf32>) -> tensor<?x3x?x1xf32>
          %g = infer.reduce_prod %f {axes = array<i64: 3>, keepdims} : (tensor<?x3x?x1xf32>) -> tensor<?x3x?x1xf32>
          %h = infer.reduce_min %g {axes = array<i64: 3>, keepdims} : (tensor<?x3x?x1xf32>) -> tensor<?x3x?x1xf32>
          %k = infer.clip %i {min = -128 : i64, max = 300 : i64} : (tensor<?xi8>) -> tensor<?xi8>
          %s = infer.reduce_sum %x {axes = array<i64: 3>, keepdims} : (tensor<?x3x?x1xf32>) -> tensor<?x3x?x1xf32>
          func.return %h, %x, %k, %s : tensor<?x3x?x1xf32>, tensor<?x3x?x1xf32>, tensor<?xi8>, tensor<?x3x?x1xf32>
        }
        """,
        [[(2, 3, 5, 1), (7,)], [(1, 3, 1, 1), (300,)]],
        Counter({"infer.reduce_sum": 1}),
    ),
}


def feeds(module: ModuleOp, rng: np.random.Generator, shapes: Sequence[tuple[int, ...]]) -> list[np.ndarray]:
    """Inputs of `shapes` with the entry function's element types: floats with special
    values, integers over their whole range."""
    (function,) = [op for op in module.walk() if isinstance(op, func.FuncOp)]
    arrays = []
    for arg, shape in zip(function.args, shapes, strict=True):
        dtype = to_numpy(element_of(arg.type))
        if np.issubdtype(dtype, np.floating):
            arrays.append(special(rng, shape, dtype))
        else:
            info = np.iinfo(dtype)
            arrays.append(rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype))
    return arrays


@pytest.mark.parametrize("run_index", [0, 1])
@pytest.mark.parametrize("case", list(CASES))
def test_no_ops_are_removed_bit_exactly(rng: np.random.Generator, case: str, run_index: int) -> None:
    text, runs, left = CASES[case]
    module = parse(text)
    after = assert_bit_exact(module, feeds(module, rng, runs[run_index]))
    assert counts(after) == left, counts(after)


KEPT = """
func.func @main(%x: tensor<4x4xf32>, %y: tensor<?x4xf32>, %z: tensor<?x1xf32>)
    -> (tensor<4x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x?xf32>, tensor<4x4xf32>,
        tensor<?x4xf32>, tensor<4x4xf32>, tensor<?x4xf32>) {
  %a = infer.transpose %x {perm = array<i64: 1, 0>} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %b = infer.slice %y {starts = array<i64: 0, 0>, ends = array<i64: 2147483647, 4>, steps = array<i64: 1, 1>}
         : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %c = infer.slice %y {starts = array<i64: 0, -1>, ends = array<i64: 9223372036854775807, -9223372036854775808>,
         steps = array<i64: 1, -1>} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %n = infer.shape_of %y {start = 0 : i64, end = 1 : i64} : (tensor<?x4xf32>) -> tensor<1xi64>
  %u = infer.constant dense<-1> : tensor<1xi64>
  %s = infer.concat %n, %u {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %d = infer.reshape %y, %s : (tensor<?x4xf32>, tensor<2xi64>) -> tensor<?x4xf32>
  %t = infer.constant dense<[1, 5]> : tensor<2xi64>
  %e = infer.broadcast_to %z, %t : (tensor<?x1xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %f = infer.pad %x {pads = array<i64: 1, 0, -1, 0>} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %g = infer.clip %y {max = 3.4028234663852886e+38 : f64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %h = infer.resize %x {mode = "linear", coordinate_mode = "tf_crop_and_resize", scales = array<f64: 1.0, 1.0>,
         roi = array<f64: 0.0, 0.25, 1.0, 1.0>} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %k = infer.reduce_mean %y {axes = array<i64: 1>, keepdims} : (tensor<?x4xf32>) -> tensor<?x1xf32>
  %m = infer.mul %y, %k : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
  func.return %a, %b, %c, %d, %e, %f, %g, %h, %m : tensor<4x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>,
    tensor<?x4xf32>, tensor<?x?xf32>, tensor<4x4xf32>, tensor<?x4xf32>, tensor<4x4xf32>, tensor<?x4xf32>
}
"""


@pytest.mark.parametrize("rows", [1, 3])
def test_ops_that_change_values_stay(rng: np.random.Generator, rows: int) -> None:
    """A transpose of equal dims, a slice to INT32_MAX (may end before a dynamic dim), a
    reversal, a reshape whose -1 stands for a static dim next to a dynamic one (that
    could be 0, and then the -1 cannot be inferred), a
    stretching broadcast, a crop-and-pad, a clip at FLT_MAX (clips infinities), a
    crop-and-resize: none of them is a no-op."""
    module = parse(KEPT)
    after = assert_bit_exact(module, feeds(module, rng, [(4, 4), (rows, 4), (rows, 1)]))
    assert counts(after) == counts(module)


def _noop_model() -> onnx.ModelProto:
    """Ops an exporter writes that the converter keeps, each leaving its input as it is."""
    nodes = [
        helper.make_node("Shape", ["x"], ["s"], name="shape"),
        helper.make_node("Reshape", ["x", "s"], ["a"], name="reshape"),
        helper.make_node("Expand", ["a", "s"], ["b"], name="expand"),
        helper.make_node("Slice", ["b", "starts", "ends"], ["e"], name="slice"),
        helper.make_node("Transpose", ["e"], ["f"], name="transpose", perm=[0, 1, 2, 3]),
        helper.make_node("Resize", ["f", "", "scales"], ["g"], name="resize", mode="linear"),
        helper.make_node("MaxPool", ["g"], ["h"], name="pool", kernel_shape=[1, 1]),
        helper.make_node("Relu", ["h"], ["y"], name="relu"),
    ]
    graph = helper.make_graph(
        nodes,
        "noops",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [
            numpy_helper.from_array(np.zeros(4, np.int64), "starts"),
            numpy_helper.from_array(np.full(4, INT64_MAX, np.int64), "ends"),
            numpy_helper.from_array(np.ones(4, np.float32), "scales"),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


@pytest.mark.parametrize("shape", [(1, 3, 4, 1), (2, 3, 9, 1)])
def test_onnx_no_ops(rng: np.random.Generator, shape: tuple[int, ...]) -> None:
    module = infer.to_infer(_noop_model())
    before = counts(module)
    assert before["infer.reshape"] == before["infer.broadcast_to"] == before["infer.slice"] == 1
    after = assert_bit_exact(module, {"x": special(rng, shape)})
    assert counts(after) == Counter({"infer.relu": 1})


# -- the light models ---------------------------------------------------------------------------


def insert_no_ops(module: ModuleOp) -> int:
    """After every relu, a chain of no-ops as exporters leave them: an identity, a
    reshape to the shape of the value itself, an identity transpose, a whole slice."""
    inserted = 0
    for relu in [op for op in module.walk() if isinstance(op, ReluOp)]:
        value = relu.result
        rank = len(dims_of(value.type))
        uses = list(value.uses)
        chain: list[Operation] = [IdentityOp(value)]
        shape = ShapeOfOp(value)
        chain += [shape, ReshapeOp(chain[0].results[0], shape.result, value.type)]
        chain.append(TransposeOp(chain[-1].results[0], list(range(rank))))
        chain.append(SliceOp(chain[-1].results[0], [0] * rank, [INT64_MAX] * rank, [1] * rank))
        Rewriter.insert_op(chain, InsertPoint.after(relu))
        for use in uses:
            use.operation.operands[use.index] = chain[-1].results[0]
        inserted += len(chain)
    return inserted


@pytest.mark.parametrize(
    ("name", "dynamic"),
    [pytest.param(n, False, marks=pytest.mark.slow) if n in BIG else (n, False) for n in NAMES] + [("resnet50", True)],
)
def test_light_model(name: str, dynamic: bool) -> None:
    model = with_random_weights(load(name))
    module = infer.to_infer(dynamic_batch(model) if dynamic else model)
    original = counts(module)
    inserted = insert_no_ops(module)
    module.verify()
    assert inserted == 5 * original["infer.relu"] > 0
    after = assert_pass_preserves(module, RemoveNoOpsPass(), inputs(model), rtol=0, atol=0)
    # Every inserted op is gone (and the converter's dead constants, which a clone drops).
    left = counts(after)
    assert {k: v for k, v in left.items() if k != "infer.constant"} == {
        k: v for k, v in original.items() if k != "infer.constant"
    }
