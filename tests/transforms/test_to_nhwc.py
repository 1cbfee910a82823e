"""to-nhwc: the interpreter gives the same numbers before and after; regions run
channels-last with transposes only at their boundaries; to-nhwc{layout=nchw}
undoes it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, parse
from light_models import PASS_TEST_NAMES, inputs, load, with_random_weights
from onnx import TensorProto, helper, numpy_helper
from xdsl.builder import Builder
from xdsl.dialects import func
from xdsl.dialects.builtin import FunctionType, ModuleOp, NameLoc, NoneAttr, StringAttr, UnknownLoc, f32, i64
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.rewriter import InsertPoint

import infer
from infer.diagnostics import InferError
from infer.dialects.infer.activation import PReluOp
from infer.dialects.infer.base import ints_of, tensor_type
from infer.dialects.infer.constant import ConstantOp
from infer.dialects.infer.elementwise import AddOp, CastOp, ClipOp, GreaterOp, MulOp, ReluOp, SelectOp
from infer.dialects.infer.epilogue import Epilogue
from infer.dialects.infer.matmul import MatmulOp
from infer.dialects.infer.nn import AvgPoolOp, ConvOp, ConvTransposeOp, LpPoolOp, LrnOp, MaxPoolOp
from infer.dialects.infer.normalization import BatchNormOp, InstanceNormOp, LayerNormOp
from infer.dialects.infer.reduction import (
    ArgMaxOp,
    HardmaxOp,
    LogSoftmaxOp,
    ReduceMaxOp,
    ReduceMeanOp,
    ReduceSumOp,
    SoftmaxOp,
)
from infer.dialects.infer.tensor import (
    ConcatOp,
    FlattenOp,
    GatherElementsOp,
    GatherOp,
    PadOp,
    ReshapeOp,
    ResizeOp,
    ShapeOfOp,
    SliceOp,
    SplitOp,
    SqueezeOp,
    TileOp,
    TransposeOp,
    UnsqueezeOp,
)
from infer.transforms.to_nhwc import ToNhwcPass

NHWC = ToNhwcPass()
NCHW = ToNhwcPass(layout="nchw")


def ops_named(module: ModuleOp, name: str) -> list[Operation]:
    return [op for op in module.walk() if op.name == name]


def transposes(module: ModuleOp) -> int:
    return len(ops_named(module, "infer.transpose"))


def layouts(module: ModuleOp) -> Counter[str]:
    """How many ops of each layout (for ops with a `layout` property and rank >= 3)."""
    found: Counter[str] = Counter()
    for op in module.walk():
        layout = op.properties.get("layout")
        if isinstance(layout, StringAttr) and len(op.operands[0].type.get_shape()) >= 3:  # type: ignore[attr-defined]
            found[layout.data] += 1
    return found


def op_histogram(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk() if op.name != "infer.constant")


def assert_no_transpose_chains(module: ModuleOp) -> None:
    """No transpose reads another one (in particular, none undoes another)."""
    for op in ops_named(module, "infer.transpose"):
        assert not isinstance(op.operands[0].owner, TransposeOp), f"transpose of a transpose: {op}"


def convert(
    module: ModuleOp, feeds: Sequence[np.ndarray] | dict[str, np.ndarray], *, same_ops: bool = True, **tolerance: float
) -> ModuleOp:
    """to-nhwc, checked numerically; then the inverse, checked again, which must give
    back the original transposes (and, with `same_ops`, all the original op counts)
    and no channels-last op."""
    after = assert_pass_preserves(module, NHWC, feeds, **tolerance)
    assert_no_transpose_chains(after)
    back = assert_pass_preserves(after, NCHW, feeds, **tolerance)
    assert_no_transpose_chains(back)
    assert transposes(back) == transposes(module)
    if same_ops:
        assert op_histogram(back) == op_histogram(module)
    assert layouts(back)["nhwc"] == layouts(module)["nhwc"]
    return after


# -- building small graphs ------------------------------------------------------------------------------


class Graph:
    """Builds a function `main_graph` op by op; every op gets a location `n<i>`."""

    def __init__(self, *arg_types: Attribute, seed: int = 0) -> None:
        self.block = Block(arg_types=arg_types)
        self.builder = Builder(InsertPoint.at_end(self.block))
        self.rng = np.random.default_rng(seed)
        self.count = 0

    @property
    def args(self) -> tuple[SSAValue, ...]:
        return self.block.args

    def __call__(self, op: Operation) -> SSAValue:
        op.location = NameLoc(StringAttr(f"n{self.count}"), NoneAttr())
        self.count += 1
        return self.builder.insert(op).results[0]

    def weight(self, *shape: int, scale: float = 0.5) -> SSAValue:
        return self(ConstantOp((self.rng.standard_normal(shape) * scale).astype(np.float32)))

    def conv(self, x: SSAValue, out: int, kernel: int = 3, groups: int = 1, bias: bool = True) -> SSAValue:
        rank = len(x.type.get_shape())  # type: ignore[attr-defined]
        channels = x.type.get_shape()[1]  # type: ignore[attr-defined]
        n = rank - 2
        w = self.weight(out, channels // groups, *[kernel] * n)
        b = self.weight(out) if bias else None
        pad = kernel // 2
        return self(ConvOp(x, w, b, strides=[1] * n, dilations=[1] * n, pads=[pad] * 2 * n, groups=groups))

    def module(self, *results: SSAValue) -> ModuleOp:
        self.builder.insert(func.ReturnOp(*results))
        arg_types = [a.type for a in self.args]
        function = func.FuncOp(
            "main_graph", FunctionType.from_lists(arg_types, [r.type for r in results]), Region(self.block)
        )
        module = ModuleOp([function])
        module.verify()
        return module


def tensor(*dims: int | None) -> Attribute:
    return tensor_type(f32, list(dims))


def normal(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


# -- small graphs ------------------------------------------------------------------------------------


def test_conv_relu_pool_dynamic_dims(rng: np.random.Generator) -> None:
    module = parse("""
    func.func @main_graph(%x: tensor<?x3x?x?xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x?x?xf32> {
      %c = infer.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
                                  pads = array<i64: 1, 1, 1, 1>}
             : (tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32>
      %r = infer.relu %c : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
      %p = infer.max_pool %r {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
             pads = array<i64: 0, 0, 0, 0>, ceil_mode} : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
      func.return %p : tensor<?x8x?x?xf32>
    }
    """)
    w, b = normal(rng, 8, 3, 3, 3), normal(rng, 8)
    for shape in [(2, 3, 9, 7), (1, 3, 4, 5)]:
        after = convert(module, [normal(rng, *shape), w, b])
        assert transposes(after) == 2
        assert layouts(after) == {"nhwc": 2}
    # The inverse gives back the very same IR.
    back = after.clone()
    NCHW.apply(None, back)  # type: ignore[arg-type]
    assert infer.print_ir(back) == infer.print_ir(module)


def _onnx_graph(
    nodes: list[onnx.NodeProto],
    initializers: dict[str, np.ndarray],
    input_shape: Sequence[int | str],
    output: str = "y",
) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(input_shape))],
        [helper.make_empty_tensor_value_info(output)],
        [numpy_helper.from_array(a, n) for n, a in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def _conv_node(name: str, x: str, out: str, w: str, b: str | None = None, kernel: int = 1) -> onnx.NodeProto:
    pads = [kernel // 2] * 4
    return helper.make_node("Conv", [x, w, *([b] if b else [])], [out], name=name, pads=pads)


def test_conv_bias_concat_conv(rng: np.random.Generator) -> None:
    """Conv, a per-channel bias added (a constant [1, C, 1, 1]), concatenated with
    a second branch along the channels, then another conv."""
    init = {
        "w1": normal(rng, 6, 3, 3, 3),
        "w2": normal(rng, 4, 3, 1, 1),
        "bias": normal(rng, 1, 6, 1, 1),
        "w3": normal(rng, 5, 10, 3, 3),
    }
    nodes = [
        _conv_node("c1", "x", "a", "w1", kernel=3),
        helper.make_node("Add", ["a", "bias"], ["ab"], name="add"),
        _conv_node("c2", "x", "b", "w2"),
        helper.make_node("Concat", ["ab", "b"], ["cat"], name="cat", axis=1),
        _conv_node("c3", "cat", "y", "w3", kernel=3),
    ]
    module = infer.to_infer(_onnx_graph(nodes, init, ["N", 3, "H", "W"]))
    after = convert(module, {"x": normal(rng, 2, 3, 7, 6)})
    assert transposes(after) == 2
    (concat,) = ops_named(after, "infer.concat")
    assert concat.properties["axis"].value.data == 3  # type: ignore[attr-defined]
    (add,) = ops_named(after, "infer.add")
    assert add.operands[1].type.get_shape() == (1, 1, 1, 6)  # type: ignore[attr-defined]
    assert ops_named(after, "infer.constant")  # the bias, transposed at compile time
    assert not any(c.results[0].type.get_shape() == (1, 6, 1, 1) for c in ops_named(after, "infer.constant"))  # type: ignore[attr-defined]


def test_inception_branches(rng: np.random.Generator) -> None:
    """1x1, 1x1 -> 3x3 and pool -> 1x1 branches joined by a concat, a global
    average pool, flatten and a classifier: one transpose, at the input."""
    init = {
        "w1": normal(rng, 4, 3, 1, 1),
        "w2": normal(rng, 2, 3, 1, 1),
        "w3": normal(rng, 4, 2, 3, 3),
        "w4": normal(rng, 3, 3, 1, 1),
        "b4": normal(rng, 3),
        "fc": normal(rng, 11, 5),
        "fcb": normal(rng, 5),
    }
    nodes = [
        _conv_node("b1", "x", "y1", "w1"),
        _conv_node("b2a", "x", "y2a", "w2"),
        helper.make_node("Relu", ["y2a"], ["y2r"], name="b2r"),
        _conv_node("b2b", "y2r", "y2", "w3", kernel=3),
        helper.make_node("MaxPool", ["x"], ["p"], name="pool", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        _conv_node("b3", "p", "y3", "w4", "b4"),
        helper.make_node("Concat", ["y1", "y2", "y3"], ["cat"], name="cat", axis=1),
        helper.make_node("Relu", ["cat"], ["r"], name="relu"),
        helper.make_node("GlobalAveragePool", ["r"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc", "fcb"], ["y"], name="fc"),
    ]
    module = infer.to_infer(_onnx_graph(nodes, init, ["N", 3, "H", "W"]))
    for shape in [(2, 3, 6, 5), (1, 3, 3, 4)]:
        after = convert(module, {"x": normal(rng, *shape)})
        assert transposes(after) == 1
        assert layouts(after) == {"nhwc": layouts(module)["nchw"]}


def test_residual_blocks(rng: np.random.Generator) -> None:
    """conv-bn-relu-conv-bn plus the skip connection, twice, with dynamic dims."""
    g = Graph(tensor(None, 4, None, None))
    x = g.args[0]
    for _ in range(2):
        y = g.conv(x, 4)
        scale, shift, mean, var = (g.weight(4) for _ in range(4))
        var = g(MulOp(var, var))
        y = g(BatchNormOp(y, scale, shift, mean, var, epsilon=1e-3))
        y = g(ClipOp(y, 0.0, 6.0))
        y = g.conv(y, 4, bias=False)
        x = g(AddOp(y, x))
    module = g.module(x)
    after = convert(module, [normal(rng, 2, 4, 5, 7)])
    assert transposes(after) == 2
    assert layouts(after) == {"nhwc": 6}


def test_epilogue_and_attributes_are_kept(rng: np.random.Generator) -> None:
    g = Graph(tensor(1, 3, 5, 5))
    w = g.weight(4, 3, 3, 3)
    conv = ConvOp(g.args[0], w, strides=[1, 1], dilations=[1, 1], pads=[1] * 4, epilogue=Epilogue("clip", (0.0, 6.0)))
    conv.attributes["infer.mark"] = StringAttr("kept")
    module = g.module(g(conv))
    after = convert(module, [normal(rng, 1, 3, 5, 5) * 4])
    (new,) = ops_named(after, "infer.conv")
    assert new.properties["activation"] == StringAttr("clip")
    assert list(new.properties["activation_params"].get_values()) == [0.0, 6.0]  # type: ignore[attr-defined]
    assert new.attributes["infer.mark"] == StringAttr("kept")


# -- one op carried (or not) inside a channels-last region -------------------------------------------

Case = Callable[[Graph, SSAValue], list[SSAValue]]


def _split(g: Graph, y: SSAValue) -> list[SSAValue]:
    split = SplitOp(y, 1, sizes=[2, 4])
    g(split)
    return [g(AddOp(split.results[0], split.results[0])), split.results[1]]


def _gather(g: Graph, y: SSAValue) -> list[SSAValue]:
    indices = g(ConstantOp(np.array([[5, 0], [2, 2]], np.int64)))
    return [g(GatherOp(y, indices, 1))]


def _gather_elements(g: Graph, y: SSAValue) -> list[SSAValue]:
    indices = g(ConstantOp(np.random.default_rng(1).integers(0, 6, (2, 6, 4, 5)).astype(np.int64)))
    return [g(GatherElementsOp(y, indices, 1))]


def _select(g: Graph, y: SSAValue) -> list[SSAValue]:
    positive = g(GreaterOp(y, g(ConstantOp.splat(0.0, tensor(1, 1, 1, 1)))))  # type: ignore[arg-type]
    return [g(SelectOp(positive, y, g.weight(1, 6, 1, 1)))]


def _unsqueeze_squeeze(g: Graph, y: SSAValue) -> list[SSAValue]:
    u = g(UnsqueezeOp(y, [2, 5]))
    s = g(ReduceSumOp(u, [1], keepdims=True))
    return [g(SqueezeOp(s, [1, 2]))]


def _reshape_split_channels(g: Graph, y: SSAValue) -> list[SSAValue]:
    r = g(ReshapeOp.to(y, [None, 2, 3, 4, 5]))
    return [g(ReduceMaxOp(r, [2], keepdims=False))]


def _reshape_runtime_shape(g: Graph, y: SSAValue) -> list[SSAValue]:
    shape = g(ShapeOfOp(y))
    return [g(ReshapeOp(y, shape))]


def _shape_of(start: int, end: int) -> Case:
    def case(g: Graph, y: SSAValue) -> list[SSAValue]:
        return [g(AddOp(g(ShapeOfOp(y, start, end)), g(ConstantOp(np.ones(end - start, np.int64)))))]

    return case


def _reshape_constant_shape(g: Graph, y: SSAValue) -> list[SSAValue]:
    shape = g(ConstantOp(np.array([-1, 2, 3, 20], np.int64)))
    return [g(SoftmaxOp(g(ReshapeOp(y, shape, tensor(None, 2, 3, 20))), [1]))]


def _layer_norm(axis: int) -> Case:
    def case(g: Graph, y: SSAValue) -> list[SSAValue]:
        dims = [1, 6, 4, 5]
        scale = g.weight(*[d if i >= axis else 1 for i, d in enumerate(dims)])
        return [g(LayerNormOp(y, scale, g.weight(*scale.type.get_shape()), axis=axis, epsilon=1e-5))]  # type: ignore[attr-defined]

    return case


def _matmul(g: Graph, y: SSAValue) -> list[SSAValue]:
    return [g(MatmulOp(y, g.weight(1, 1, 5, 3)))]


CASES: dict[str, tuple[Case, bool]] = {
    "relu": (lambda g, y: [g(ReluOp(y))], True),
    "clip": (lambda g, y: [g(ClipOp(y, -0.5, 0.5))], True),
    "cast": (lambda g, y: [g(CastOp(y, i64))], True),
    "prelu": (lambda g, y: [g(PReluOp(y, g.weight(1, 6, 1, 1)))], True),
    "select": (_select, True),
    "mul_runtime_operand": (lambda g, y: [g(MulOp(y, g(ReluOp(y))))], True),
    "concat": (lambda g, y: [g(ConcatOp([y, g(ReluOp(y)), y], 1))], True),
    "split": (_split, True),
    "pad_constant": (lambda g, y: [g(PadOp(y, [0, 1, 2, 0, 0, 0, 1, 3], "constant", 1.5))], True),
    "pad_reflect": (lambda g, y: [g(PadOp(y, [0, 0, 1, 2, 0, 0, 2, 1], "reflect"))], True),
    "pad_edge_crop": (lambda g, y: [g(PadOp(y, [0, -1, 1, -2, 0, 2, 0, 1], "edge"))], True),
    "slice": (lambda g, y: [g(SliceOp(y, [0, 5, 0, 1], [2, 0, 4, 9], [1, -2, 3, 1]))], True),
    "tile": (lambda g, y: [g(TileOp(y, [1, 2, 1, 3]))], True),
    "resize_linear": (
        lambda g, y: [g(ResizeOp(y, mode="linear", scales=[1.0, 1.0, 2.0, 1.5]))],
        True,
    ),
    "resize_roi": (
        lambda g, y: [
            g(
                ResizeOp(
                    y,
                    mode="cubic",
                    coordinate_mode="tf_crop_and_resize",
                    sizes=[-1, -1, 7, 3],
                    roi=[0, 0, 0.1, 0.2, 1, 1, 0.9, 0.7],
                    extrapolation_value=2.0,
                )
            )
        ],
        True,
    ),
    "reduce_channels_keepdims": (lambda g, y: [g(ReduceSumOp(y, [1], keepdims=True))], True),
    "reduce_spatial": (lambda g, y: [g(ReduceMeanOp(y, [2, 3]))], True),
    "reduce_mixed": (lambda g, y: [g(ReduceMaxOp(y, [1, 3]))], True),
    "arg_max_channels": (lambda g, y: [g(ArgMaxOp(y, 1, keepdims=True, select_last_index=True))], True),
    "softmax_channels": (lambda g, y: [g(SoftmaxOp(y, [1]))], True),
    "log_softmax_channels_width": (lambda g, y: [g(LogSoftmaxOp(y, [1, 3]))], True),
    "hardmax_channels": (lambda g, y: [g(HardmaxOp(y, [1]))], True),
    "hardmax_spatial": (lambda g, y: [g(HardmaxOp(y, [2, 3]))], True),
    # Over several axes, the first maximum in row-major order depends on their order.
    "hardmax_channels_width": (lambda g, y: [g(HardmaxOp(y, [1, 3]))], False),
    "gather": (_gather, True),
    "gather_elements": (_gather_elements, True),
    "unsqueeze_squeeze": (_unsqueeze_squeeze, True),
    "reshape_split_channels": (_reshape_split_channels, True),
    "reshape_constant_shape": (_reshape_constant_shape, True),
    "reshape_runtime_shape": (_reshape_runtime_shape, False),
    "flatten_spatial": (lambda g, y: [g(FlattenOp(y, 2))], False),
    "layer_norm_chw": (_layer_norm(1), True),
    "layer_norm_w": (_layer_norm(3), False),
    "matmul": (_matmul, False),
    # The dims of a channels-last value are read where they are: never a transpose.
    "shape_of_batch": (_shape_of(0, 1), True),
    "shape_of_spatial": (_shape_of(2, 4), True),
    "shape_of_all": (_shape_of(0, 4), True),
}
SAME_OPS_AFTER_INVERSE = {"reshape_runtime_shape": False, "shape_of_all": False}  # shape_of + gather, twice


@pytest.mark.parametrize("name", list(CASES))
def test_op_in_region(name: str, rng: np.random.Generator) -> None:
    """conv -> op -> outputs: the op runs on the channels-last value (carried), or
    the value goes back to NCHW first (a boundary)."""
    case, carried = CASES[name]
    g = Graph(tensor(None, 3, 4, 5))
    y = g.conv(g.args[0], 6)
    results = case(g, y)
    module = g.module(*results)
    after = convert(module, [normal(rng, 2, 3, 4, 5)], same_ops=SAME_OPS_AFTER_INVERSE.get(name, True))
    # The op of the case that reads the conv's value: it reads it as it is
    # (channels-last) when carried, or through a transpose back when not.
    conv = ops_named(after, "infer.conv")[0]
    readers = [use.operation for use in conv.results[0].uses]
    assert layouts(after) == {"nhwc": 1}
    if carried:
        assert all(not isinstance(r, TransposeOp) for r in readers), readers
    else:
        assert any(isinstance(r, TransposeOp) and list(ints_of(r.perm)) == [0, 3, 1, 2] for r in readers)


LAYOUT_CASES: dict[str, Callable[[Graph, SSAValue], SSAValue]] = {
    "conv_transpose": lambda g, x: g(
        ConvTransposeOp(
            x, g.weight(3, 2, 3, 3), strides=[2, 2], dilations=[1, 1], pads=[1, 0, 1, 1], output_padding=[1, 0]
        )
    ),
    "avg_pool": lambda g, x: g(
        AvgPoolOp(
            x,
            kernel=[3, 2],
            strides=[2, 1],
            dilations=[1, 1],
            pads=[1, 1, 1, 0],
            count_include_pad=True,
            ceil_mode=True,
        )
    ),
    "lp_pool": lambda g, x: g(LpPoolOp(x, p=3.0, kernel=[2, 2], strides=[1, 1], dilations=[2, 1], pads=[0, 0, 0, 0])),
    "max_pool": lambda g, x: g(MaxPoolOp(x, kernel=[2, 3], strides=[1, 2], dilations=[1, 1], pads=[0, 1, 1, 1])),
    "lrn": lambda g, x: g(LrnOp(x, size=3, alpha=1e-2, beta=0.75, bias=1.0)),
    "instance_norm": lambda g, x: g(InstanceNormOp(x, g.weight(3), g.weight(3), epsilon=1e-5)),
    "depthwise_conv": lambda g, x: g.conv(x, 6, groups=3),
}


@pytest.mark.parametrize("name", list(LAYOUT_CASES))
def test_layout_ops(name: str, rng: np.random.Generator) -> None:
    g = Graph(tensor(None, 3, None, None))
    module = g.module(LAYOUT_CASES[name](g, g.args[0]))
    after = convert(module, [normal(rng, 2, 3, 6, 7)])
    assert layouts(after) == {"nhwc": 1}
    assert transposes(after) == 2


@pytest.mark.parametrize("spatial", [1, 3])
def test_other_spatial_ranks(spatial: int, rng: np.random.Generator) -> None:
    g = Graph(tensor(None, 2, *[None] * spatial))
    y = g.conv(g.args[0], 4)
    y = g(MaxPoolOp(y, kernel=[2] * spatial, strides=[1] * spatial, dilations=[1] * spatial, pads=[0] * 2 * spatial))
    module = g.module(g(AddOp(y, g.weight(1, 4, *[1] * spatial))))
    after = convert(module, [normal(rng, 2, 2, *[4] * spatial)])
    assert layouts(after) == {"nhwc": 2}
    assert transposes(after) == 2
    first = ops_named(after, "infer.transpose")[0]
    assert list(ints_of(first.properties["perm"])) == [0, *range(2, spatial + 2), 1]


def test_rank_two_batch_norm_is_left_alone(rng: np.random.Generator) -> None:
    g = Graph(tensor(None, 4))
    x = g.args[0]
    module = g.module(g(BatchNormOp(x, g.weight(4), g.weight(4), g.weight(4), g(ReluOp(g.weight(4))), epsilon=1e-3)))
    after = convert(module, [normal(rng, 3, 4)])
    assert transposes(after) == 0
    assert infer.print_ir(after) == infer.print_ir(module)


def test_graph_without_layout_ops_is_unchanged(rng: np.random.Generator) -> None:
    g = Graph(tensor(None, 6, 4))
    shape = g(ConstantOp(np.array([-1, 3, 8], np.int64)))
    r = g(ReshapeOp(g(ReluOp(g.args[0])), shape, tensor(None, 3, 8)))
    module = g.module(g(SoftmaxOp(g(TransposeOp(r, [0, 2, 1])), [2])))
    after = convert(module, [normal(rng, 2, 6, 4)])
    assert op_histogram(after) == op_histogram(module)
    (reshape,) = ops_named(after, "infer.reshape")
    assert len(reshape.operands) == 2


def test_transposes_keep_their_producers_locations(rng: np.random.Generator) -> None:
    g = Graph(tensor(1, 3, 4, 4))
    y = g.conv(g.args[0], 5)
    r = g(ReluOp(y))
    module = g.module(r, g(FlattenOp(r, 2)))
    after = convert(module, [normal(rng, 1, 3, 4, 4)])
    relu = ops_named(after, "infer.relu")[0]
    assert transposes(after) == 2  # the input, and the relu's value going out
    for op in after.walk():
        if isinstance(op, TransposeOp):
            if op.operands[0] is after.body.block.first_op.body.block.args[0]:  # type: ignore[attr-defined]
                assert isinstance(op.location, UnknownLoc)  # a graph input has no producer
            else:
                assert op.location == relu.location
        elif not isinstance(op, ModuleOp | func.FuncOp | func.ReturnOp):
            assert not isinstance(op.location, UnknownLoc), op


def test_unknown_layout_is_an_error() -> None:
    module = parse("func.func @main_graph(%x: tensor<1xf32>) -> tensor<1xf32> { func.return %x : tensor<1xf32> }")
    with pytest.raises(InferError, match="unknown layout 'hwcn'"):
        ToNhwcPass(layout="hwcn").apply(None, module)  # type: ignore[arg-type]


# -- the light models --------------------------------------------------------------------------------

TRANSPOSES = {
    # Only the input is transposed; a classifier's reshape or flatten of a
    # [N, C, 1, 1] value reads the channels-last data as it is.
    "densenet121": 1,
    "inception_v1": 1,
    "inception_v2": 1,
    "resnet50": 1,
    "squeezenet": 1,
    # The input, and the flatten of [N, C, 6, 6] (7 x 7 for vgg) before the classifier.
    "bvlc_alexnet": 2,
    "vgg19": 2,
    "zfnet512": 2,
    # The input, and one per channel shuffle (16, as in NCHW).
    "shufflenet": 17,
}


@pytest.mark.parametrize("name", PASS_TEST_NAMES)
def test_light_model(name: str) -> None:
    model = load(name)
    module = infer.to_infer(with_random_weights(model))
    after = convert(module, inputs(model), rtol=1e-4, atol=1e-4)
    assert transposes(after) == TRANSPOSES[name]
    assert layouts(after)["nchw"] == 0
    assert layouts(after)["nhwc"] == layouts(module)["nchw"]


@pytest.mark.parametrize(("symbols", "expected"), [(["N", 3, 224, 224], 1), (["N", 3, "H", "W"], 2)])
def test_light_model_with_dynamic_dims(symbols: list[int | str], expected: int, rng: np.random.Generator) -> None:
    """resnet50 with a dynamic batch (its classifier reshape hard-codes batch 1), and
    with dynamic height and width: the classifier's reshape then needs the
    channels back first."""
    model = with_random_weights(load("resnet50"))
    dims = model.graph.input[0].type.tensor_type.shape.dim
    for dim, symbol in zip(dims, symbols, strict=True):
        if isinstance(symbol, str):
            dim.dim_param = symbol
    module = infer.to_infer(model)
    after = convert(module, {model.graph.input[0].name: normal(rng, 1, 3, 224, 224)}, rtol=1e-4, atol=1e-4)
    assert transposes(after) == expected
    assert layouts(after)["nchw"] == 0
