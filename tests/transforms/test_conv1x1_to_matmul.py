"""`conv1x1-to-matmul`: pointwise convs become matmuls with the same numbers, in both
layouts, with dynamic dims, constant or computed weights, and on the light models."""

from __future__ import annotations

from collections import Counter

import light_models
import numpy as np
import pytest
from infer_ir import assert_pass_preserves, parse
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp

import infer
from infer.dialects.infer.nn import ConvOp
from infer.registry import load_context
from infer.transforms.conv1x1_to_matmul import Conv1x1ToMatmulPass, is_pointwise


def counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk())


def conv_ir(x: str, w: str, y: str, *, layout: str = "nchw", bias: str | None = None, constant: bool = False) -> str:
    """A function with one pointwise conv; the weight (and bias) are arguments, or splats
    when `constant`."""
    spatial = x.count("x") - 2
    props = (
        f"strides = array<i64: {', '.join(['1'] * spatial)}>, dilations = array<i64: {', '.join(['2'] * spatial)}>, "
        f'pads = array<i64: {", ".join(["0"] * 2 * spatial)}>, layout = "{layout}"'
    )
    args = [f"%x: tensor<{x}>"]
    body = []
    if constant:
        body.append(f"%w = infer.constant splat<0.125> : tensor<{w}>")
    else:
        args.append(f"%w: tensor<{w}>")
    operands = "%x, %w"
    types = f"tensor<{x}>, tensor<{w}>"
    if bias is not None:
        args.append(f"%b: tensor<{bias}>")
        operands += ", %b"
        types += f", tensor<{bias}>"
    body.append(f"%y = infer.conv {operands} {{{props}}} : ({types}) -> tensor<{y}>")
    return (
        f"func.func @main({', '.join(args)}) -> tensor<{y}> {{\n  "
        + "\n  ".join(body)
        + f"\n  func.return %y : tensor<{y}>\n}}"
    )


CASES = {
    # name: (x type, weight type, result type, layout, bias type, input shapes)
    "nchw": ("2x3x4x5xf32", "6x3x1x1xf32", "2x6x4x5xf32", "nchw", "6xf32", [(2, 3, 4, 5)]),
    "nchw_dynamic_batch": ("?x3x4x5xf32", "6x3x1x1xf32", "?x6x4x5xf32", "nchw", None, [(3, 3, 4, 5)]),
    "nchw_dynamic_spatial": ("2x3x?x5xf32", "6x3x1x1xf32", "2x6x?x5xf32", "nchw", "6xf32", [(2, 3, 7, 5)]),
    "nchw_all_dynamic": ("?x?x?x?xf32", "6x3x1x1xf32", "?x6x?x?xf32", "nchw", "6xf32", [(2, 3, 7, 3)]),
    "nchw_1d": ("?x3x?xf32", "4x3x1xf32", "?x4x?xf32", "nchw", "4xf32", [(2, 3, 9)]),
    "nchw_3d": ("?x2x3x?x4xf32", "5x2x1x1x1xf32", "?x5x3x?x4xf32", "nchw", "5xf32", [(2, 2, 3, 3, 4)]),
    "nhwc": ("2x4x5x3xf32", "6x3x1x1xf32", "2x4x5x6xf32", "nhwc", "6xf32", [(2, 4, 5, 3)]),
    "nhwc_dynamic_batch": ("?x4x5x3xf32", "6x3x1x1xf32", "?x4x5x6xf32", "nhwc", None, [(3, 4, 5, 3)]),
    "nhwc_all_dynamic": ("?x?x?x3xf32", "6x3x1x1xf32", "?x?x?x6xf32", "nhwc", "6xf32", [(2, 3, 5, 3)]),
    "nhwc_1d": ("?x7x3xf64", "2x3x1xf64", "?x7x2xf64", "nhwc", "2xf64", [(2, 7, 3)]),
    "nchw_f16": ("?x8x3x3xf16", "4x8x1x1xf16", "?x4x3x3xf16", "nchw", "4xf16", [(2, 8, 3, 3)]),
}


def _inputs(rng: np.random.Generator, x: str, w: str, bias: str | None, shapes: list[tuple[int, ...]], constant: bool):
    dtype = {"f32": np.float32, "f64": np.float64, "f16": np.float16}[x[-3:]]
    arrays = [rng.standard_normal(shapes[0]).astype(dtype)]
    if not constant:
        arrays.append(rng.standard_normal([int(d) for d in w[:-4].split("x")]).astype(dtype))
    if bias is not None:
        arrays.append(rng.standard_normal([int(bias[:-4])]).astype(dtype))
    return arrays


@pytest.mark.parametrize("constant", [False, True], ids=["weight_arg", "weight_constant"])
@pytest.mark.parametrize("case", CASES)
def test_pointwise_conv_becomes_matmul(case: str, constant: bool, rng: np.random.Generator) -> None:
    x, w, y, layout, bias, shapes = CASES[case]
    module = parse(conv_ir(x, w, y, layout=layout, bias=bias, constant=constant))
    inputs = _inputs(rng, x, w, bias, shapes, constant)
    f16 = x.endswith("f16")
    after = assert_pass_preserves(
        module, Conv1x1ToMatmulPass(), inputs, rtol=2e-3 if f16 else 1e-5, atol=2e-3 if f16 else 1e-6
    )
    found = counts(after)
    assert found["infer.conv"] == 0 and found["infer.matmul"] == 1
    assert found["infer.add"] == (bias is not None)
    if constant:
        # The weight is reshaped at compile time, and stays a splat.
        assert "splat<1.250000e-01>" in str(after)
        assert found["infer.transpose"] == 0


def test_dynamic_dims_take_other_sizes(rng: np.random.Generator) -> None:
    """One rewritten module serves every size of its dynamic dims."""
    x, w, y, layout, bias, _ = CASES["nchw_all_dynamic"]
    module = parse(conv_ir(x, w, y, layout=layout, bias=bias))
    for shape in [(1, 3, 1, 1), (3, 3, 2, 9), (2, 3, 5, 1)]:
        inputs = _inputs(rng, x, w, bias, [shape], False)
        assert_pass_preserves(module, Conv1x1ToMatmulPass(), inputs)


@pytest.mark.parametrize(
    ("props", "result"),
    [
        ("strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>", "1x4x3x3"),
        ("strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 1, 0, 0>", "1x4x6x7"),
        (
            "strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, groups = 2 : i64",
            "1x4x6x6",
        ),
        (
            "strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, "
            'activation = "relu"',
            "1x4x6x6",
        ),
    ],
    ids=["stride", "pads", "groups", "epilogue"],
)
def test_other_convs_stay(props: str, result: str) -> None:
    weight = "4x2x1x1xf32" if "groups" in props else "4x4x1x1xf32"
    module = parse(
        f"""func.func @main(%x: tensor<1x4x6x6xf32>, %w: tensor<{weight}>) -> tensor<{result}xf32> {{
          %y = infer.conv %x, %w {{{props}}} : (tensor<1x4x6x6xf32>, tensor<{weight}>) -> tensor<{result}xf32>
          func.return %y : tensor<{result}xf32>
        }}"""
    )
    before = str(module)
    Conv1x1ToMatmulPass().apply(load_context(), module)
    assert str(module) == before


def test_onnx_conv_with_symbolic_dims(rng: np.random.Generator) -> None:
    """An ONNX Conv with a 1x1 kernel and symbolic batch and spatial dims."""
    weight = rng.standard_normal((8, 5, 1, 1)).astype(np.float32)
    bias = rng.standard_normal(8).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w", "b"], ["y"], name="pointwise", kernel_shape=[1, 1])],
        "pointwise",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 5, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 8, "H", "W"])],
        [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    module = infer.to_infer(model)
    after = assert_pass_preserves(module, Conv1x1ToMatmulPass(), {"x": rng.standard_normal((2, 5, 3, 7), np.float32)})
    assert counts(after)["infer.matmul"] == 1 and counts(after)["infer.conv"] == 0
    assert 'loc("pointwise")' in infer.print_ir(after, debuginfo=True)


@pytest.mark.parametrize(("name", "pointwise"), [("densenet121", 62), ("resnet50", 33), ("squeezenet", 17)])
def test_light_models(name: str, pointwise: int) -> None:
    model = light_models.with_random_weights(light_models.load(name))
    module = infer.to_infer(model)
    assert sum(isinstance(op, ConvOp) and is_pointwise(op) for op in module.walk()) == pointwise
    convs = counts(module)["infer.conv"]
    after = assert_pass_preserves(module, Conv1x1ToMatmulPass(), light_models.inputs(model), rtol=1e-4, atol=1e-5)
    found = counts(after)
    assert found["infer.matmul"] == pointwise
    assert found["infer.conv"] == convs - pointwise
