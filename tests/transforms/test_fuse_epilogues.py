"""The epilogue of `infer.conv` / `infer.conv_transpose` / `infer.gemm`: every activation
of the table gives the same bits fused as the standalone op after the unfused producer;
gemm's decomposition and `unfuse_activation` bring the standalone op back."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, assert_pass_preserves_nodes, parse, run
from onnx import TensorProto, helper, numpy_helper
from xdsl.context import Context
from xdsl.dialects.builtin import ArrayAttr, FusedLoc, ModuleOp, NameLoc, NoneAttr, StringAttr, UnknownLoc
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import VerifyException

import infer
from infer.dialects.infer.base import ShapeError
from infer.dialects.infer.epilogue import (
    ACTIVATIONS,
    Epilogue,
    activation_of,
    activation_op,
    check_epilogue,
    fused_location,
    unfuse_activation,
)
from infer.dialects.infer.matmul import GemmOp
from infer.dialects.infer.nn import ConvOp, ConvTransposeOp
from infer.runtime.reference.nn import ACTIVATION_SEMANTICS
from infer.transforms.decompose_composites import DecomposeCompositesPass
from infer.transforms.fuse_conv_activation import FuseConvActivationPass
from infer.transforms.fuse_conv_bias import FuseConvBiasPass
from infer.transforms.fuse_conv_bn import FuseConvBnPass
from infer.transforms.fuse_gemm_activation import FuseGemmActivationPass
from infer.transforms.fuse_matmul_add import FuseMatmulAddPass
from infer.verify_each import node_of

PARAMS = {"clip": (-0.5, 0.75), "leaky_relu": (0.1,), "hard_sigmoid": (0.3, 0.4)}
"""Parameters for the activations that take some (others take none)."""


def _loc(name: str) -> NameLoc:
    return NameLoc(StringAttr(name), UnknownLoc())


def _epilogue(name: str) -> Epilogue:
    return Epilogue(name, PARAMS.get(name, ()))


def _attr(epilogue: Epilogue) -> str:
    text = f'activation = "{epilogue.activation}"'
    if epilogue.params:
        text += f", activation_params = array<f64: {', '.join(map(repr, epilogue.params))}>"
    return text


def test_every_activation_has_semantics_and_a_standalone_op() -> None:
    assert set(ACTIVATION_SEMANTICS) == set(ACTIVATIONS)
    for name in ACTIVATIONS:
        assert set(PARAMS.get(name, ())) or not ACTIVATIONS[name].params, name


CONV = """
func.func @main(%x: tensor<?x4x7x?x{t}>, %w: tensor<6x2x3x3x{t}>, %b: tensor<6x{t}>) -> tensor<?x6x5x?x{t}> {{
  %y = infer.conv %x, %w, %b {{strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
         pads = array<i64: 0, 1, 0, 1>, groups = 2 : i64{extra}}}
         : (tensor<?x4x7x?x{t}>, tensor<6x2x3x3x{t}>, tensor<6x{t}>) -> tensor<?x6x5x?x{t}>
  func.return %y : tensor<?x6x5x?x{t}>
}}
"""

CONV_TRANSPOSE = """
func.func @main(%x: tensor<1x4x3x3x{t}>, %w: tensor<4x3x2x2x{t}>, %b: tensor<6x{t}>) -> tensor<1x6x6x6x{t}> {{
  %y = infer.conv_transpose %x, %w, %b {{strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
         pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, groups = 2 : i64{extra}}}
         : (tensor<1x4x3x3x{t}>, tensor<4x3x2x2x{t}>, tensor<6x{t}>) -> tensor<1x6x6x6x{t}>
  func.return %y : tensor<1x6x6x6x{t}>
}}
"""

GEMM = """
func.func @main(%a: tensor<?x8x{t}>, %w: tensor<5x8x{t}>, %c: tensor<1x5x{t}>) -> tensor<?x5x{t}> {{
  %y = infer.gemm %a, %w, %c {{alpha = 1.5 : f64, beta = 0.5 : f64, trans_b{extra}}}
         : (tensor<?x8x{t}>, tensor<5x8x{t}>, tensor<1x5x{t}>) -> tensor<?x5x{t}>
  func.return %y : tensor<?x5x{t}>
}}
"""

INPUT_SHAPES = {
    "conv": [(2, 4, 7, 6), (6, 2, 3, 3), (6,)],
    "conv_transpose": [(1, 4, 3, 3), (4, 3, 2, 2), (6,)],
    "gemm": [(3, 8), (5, 8), (1, 5)],
}
TEMPLATES = {"conv": CONV, "conv_transpose": CONV_TRANSPOSE, "gemm": GEMM}


def _inputs(kind: str, dtype: type, rng: np.random.Generator) -> list[np.ndarray]:
    return [(rng.standard_normal(s) * 2).astype(dtype) for s in INPUT_SHAPES[kind]]


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("kind", ["conv", "conv_transpose", "gemm"])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_fused_equals_unfused_bit_for_bit(name: str, kind: str, dtype: type, rng: np.random.Generator) -> None:
    t = "f32" if dtype is np.float32 else "f16"
    epilogue = _epilogue(name)
    fused = parse(TEMPLATES[kind].format(t=t, extra=", " + _attr(epilogue)))
    plain = parse(TEMPLATES[kind].format(t=t, extra=""))
    inputs = _inputs(kind, dtype, rng)
    (y_fused,) = run(fused, inputs)
    (y_plain,) = run(plain, inputs)
    # The standalone op applied to the unfused result, through its own semantics.
    from infer.runtime.interpreter import execute

    producer = next(op for op in plain.walk() if isinstance(op, ConvOp | ConvTransposeOp | GemmOp))
    (expected,) = execute(activation_op(producer.results[0], epilogue), [y_plain])
    assert y_fused.dtype == expected.dtype
    np.testing.assert_array_equal(y_fused, expected)
    assert not np.array_equal(y_fused, y_plain), "the activation must change something"


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_gemm_decomposition_applies_the_activation(name: str, rng: np.random.Generator) -> None:
    module = parse(GEMM.format(t="f32", extra=", " + _attr(_epilogue(name))))
    after = assert_pass_preserves(module, DecomposeCompositesPass(), _inputs("gemm", np.float32, rng))
    assert not any(isinstance(op, GemmOp) for op in after.walk())


def test_integer_gemm_epilogues(rng: np.random.Generator) -> None:
    text = """
    func.func @main(%a: tensor<3x4xi32>, %b: tensor<4x5xi32>) -> tensor<3x5xi32> {{
      %y = infer.gemm %a, %b {{{extra}}} : (tensor<3x4xi32>, tensor<4x5xi32>) -> tensor<3x5xi32>
      func.return %y : tensor<3x5xi32>
    }}
    """
    a, b = rng.integers(-5, 5, (3, 4)).astype(np.int32), rng.integers(-5, 5, (4, 5)).astype(np.int32)
    for epilogue, expected in (
        (Epilogue("relu"), np.maximum(a @ b, 0)),
        (Epilogue("clip", (-3.0, 4.0)), np.clip(a @ b, -3, 4)),
    ):
        module = parse(text.format(extra=_attr(epilogue)))
        (y,) = run(module, [a, b])
        np.testing.assert_array_equal(y, expected)
        assert_pass_preserves(module, DecomposeCompositesPass(), [a, b])


@pytest.mark.parametrize("kind", ["conv", "conv_transpose", "gemm"])
def test_unfuse_activation(kind: str, rng: np.random.Generator) -> None:
    epilogue = Epilogue("hard_sigmoid", (0.3, 0.4))
    module = parse(TEMPLATES[kind].format(t="f32", extra=", " + _attr(epilogue)))
    inputs = _inputs(kind, np.float32, rng)
    (before,) = run(module, inputs)
    producer = next(op for op in module.walk() if isinstance(op, ConvOp | ConvTransposeOp | GemmOp))
    producer.location = FusedLoc(ArrayAttr((_loc("conv"), _loc("act"))), NoneAttr())
    activation = unfuse_activation(producer)
    assert activation is not None and activation_of(activation) == epilogue
    assert producer.epilogue is None  # type: ignore[attr-defined]
    assert activation.location == _loc("act")
    assert producer.location == _loc("conv")
    module.verify()
    (after,) = run(module, inputs)
    np.testing.assert_array_equal(after, before)
    assert unfuse_activation(producer) is None


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("swish", (), "unknown activation 'swish'"),
        ("clip", (0.0,), "activation 'clip' takes 2 (min, max) activation_params, got 1"),
        ("sigmoid", (1.0,), "activation 'sigmoid' takes none activation_params, got 1"),
        ("clip", (0.0, float("inf")), "params must be finite"),
    ],
)
def test_check_epilogue(name: str, params: tuple[float, ...], message: str) -> None:
    from xdsl.dialects.builtin import f32

    with pytest.raises(ShapeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_epilogue({k: v for k, v in Epilogue(name, params).properties().items() if v is not None}, f32)


def test_constructors_carry_the_epilogue() -> None:
    module = parse(GEMM.format(t="f32", extra=""))
    gemm = next(op for op in module.walk() if isinstance(op, GemmOp))
    fused = GemmOp(gemm.a, gemm.b, gemm.c, trans_b=True, epilogue=Epilogue("clip", (0.0, 6.0)))
    assert fused.epilogue == Epilogue("clip", (0.0, 6.0))
    fused.verify()
    with pytest.raises(VerifyException, match="unknown activation"):
        GemmOp(gemm.a, gemm.b, gemm.c, trans_b=True, epilogue=Epilogue("nope")).verify()


def test_activation_of_clip_forms() -> None:
    module = parse(
        """
        func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
          %a = infer.clip %x {min = 0.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
          %b = infer.clip %x {min = 0.0 : f64, max = 6.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
          %c = infer.clip %x {max = 6.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
          %d = infer.clip %x {min = -1.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
          func.return %a, %b, %c, %d : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
        }
        """
    )
    clips = [op for op in module.walk() if op.name == "infer.clip"]
    assert [activation_of(op) for op in clips] == [Epilogue("relu"), Epilogue("clip", (0.0, 6.0)), None, None]


def test_fused_location_flattens_in_program_order() -> None:
    module = parse(GEMM.format(t="f32", extra=""))
    gemm = next(op for op in module.walk() if isinstance(op, GemmOp))
    a, b, c = (_loc(n) for n in "abc")
    ops = [gemm.clone() for _ in range(3)]
    ops[0].location, ops[1].location, ops[2].location = FusedLoc(ArrayAttr((a, b)), NoneAttr()), UnknownLoc(), c
    assert fused_location(ops) == FusedLoc(ArrayAttr((a, b, c)), NoneAttr())
    assert fused_location(ops[1:]) == c
    assert fused_location(ops[1:2]) == UnknownLoc()


# -- the fusions in sequence ----------------------------------------------------------------


@dataclass(frozen=True)
class _Fusions(ModulePass):
    """The fusion passes in the order of the optimization pipeline."""

    name = "fusions"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for pass_ in (
            FuseConvBnPass(),
            FuseConvBiasPass(),
            FuseConvActivationPass(),
            FuseMatmulAddPass(),
            FuseGemmActivationPass(),
        ):
            pass_.apply(ctx, op)


def _onnx(nodes: list[onnx.NodeProto], x_shape: list[int | str], initializers: dict[str, np.ndarray]) -> ModuleOp:
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_empty_tensor_value_info(nodes[-1].output[0])],
        [numpy_helper.from_array(a, n) for n, a in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return infer.to_infer(model)


@pytest.mark.parametrize("bias", [True, False])
def test_conv_bn_scale_add_relu_becomes_one_conv(bias: bool, rng: np.random.Generator) -> None:
    """Caffe's Conv, BatchNorm, Scale (mul and add), ReLU: one conv with an epilogue."""
    f32 = np.float32
    weights = {
        "w": rng.standard_normal((8, 4, 3, 3)).astype(f32),
        "scale": rng.uniform(0.5, 2, 8).astype(f32),
        "shift": rng.standard_normal(8).astype(f32),
        "mean": rng.standard_normal(8).astype(f32),
        "var": rng.uniform(0.5, 2, 8).astype(f32),
        "s": rng.uniform(0.5, 2, (8, 1, 1)).astype(f32),
        "t": rng.standard_normal((8, 1, 1)).astype(f32),
    }
    if bias:
        weights["b"] = rng.standard_normal(8).astype(f32)
    nodes = [
        helper.make_node("Conv", ["x", "w", *(["b"] if bias else [])], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "scale", "shift", "mean", "var"], ["n"], name="bn"),
        helper.make_node("Mul", ["n", "s"], ["m"], name="mul"),
        helper.make_node("Add", ["m", "t"], ["a"], name="add"),
        helper.make_node("Relu", ["a"], ["y"], name="relu"),
    ]
    module = _onnx(nodes, ["N", 4, "H", "W"], weights)
    feed = {"x": rng.standard_normal((2, 4, 5, 7)).astype(f32)}
    after = assert_pass_preserves_nodes(module, _Fusions(), feed, rtol=1e-5, atol=1e-5)
    ops = [op.name for op in after.walk() if op.name.startswith("infer.") and op.name != "infer.constant"]
    assert ops == ["infer.conv"]
    (conv,) = [op for op in after.walk() if isinstance(op, ConvOp)]
    assert conv.epilogue == Epilogue("relu") and conv.bias is not None
    assert node_of(conv.location) == "relu"
    assert [node_of(loc) for loc in conv.location.locations.data] == ["conv", "bn", "mul", "add", "relu"]  # type: ignore[attr-defined]


def test_matmul_add_relu_becomes_one_gemm(rng: np.random.Generator) -> None:
    f32 = np.float32
    weights = {"w": rng.standard_normal((8, 5)).astype(f32), "b": rng.standard_normal(5).astype(f32)}
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["m"], name="mm"),
        helper.make_node("Add", ["m", "b"], ["a"], name="add"),
        helper.make_node("Relu", ["a"], ["y"], name="relu"),
    ]
    module = _onnx(nodes, ["N", 8], weights)
    feed = {"x": rng.standard_normal((3, 8)).astype(f32)}
    after = assert_pass_preserves_nodes(module, _Fusions(), feed, rtol=0, atol=0)
    (gemm,) = [op for op in after.walk() if op.name.startswith("infer.") and op.name != "infer.constant"]
    assert isinstance(gemm, GemmOp) and gemm.epilogue == Epilogue("relu") and gemm.c is not None


def test_gemm_bn_relu_becomes_one_gemm(rng: np.random.Generator) -> None:
    f32 = np.float32
    weights = {
        "w": rng.standard_normal((5, 8)).astype(f32),
        "c": rng.standard_normal(5).astype(f32),
        "scale": rng.uniform(0.5, 2, 5).astype(f32),
        "shift": rng.standard_normal(5).astype(f32),
        "mean": rng.standard_normal(5).astype(f32),
        "var": rng.uniform(0.5, 2, 5).astype(f32),
    }
    nodes = [
        helper.make_node("Gemm", ["x", "w", "c"], ["g"], name="fc", transB=1),
        helper.make_node("BatchNormalization", ["g", "scale", "shift", "mean", "var"], ["n"], name="bn"),
        helper.make_node("LeakyRelu", ["n"], ["y"], name="act", alpha=0.1),
    ]
    module = _onnx(nodes, ["N", 8], weights)
    after = assert_pass_preserves_nodes(module, _Fusions(), {"x": rng.standard_normal((3, 8)).astype(f32)})
    (gemm,) = [op for op in after.walk() if op.name.startswith("infer.") and op.name != "infer.constant"]
    assert isinstance(gemm, GemmOp) and gemm.epilogue is not None and gemm.epilogue.activation == "leaky_relu"
