"""Conv, ConvTranspose, MaxPool, AveragePool and LRN: converted and interpreted vs onnxruntime.

Where onnxruntime departs from the ONNX spec (SAME pads with dilations, SAME
pads that would be negative, ConvTranspose with negative derived pads, LRN
outside 4-D inputs and odd sizes), the oracle is onnxruntime on the
equivalent explicit-pads model, or `onnx.reference`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, parse
from onnx.reference import ReferenceEvaluator
from onnx_models import assert_matches_onnxruntime, node_model, run_infer, run_onnxruntime

import infer
from infer.transforms.decompose_composites import DecomposeCompositesPass

Shape = Sequence[int | str | None]


def _normal(rng: np.random.Generator, shape: Sequence[int], dtype: Any = np.float32) -> np.ndarray:
    return rng.standard_normal(shape).astype(dtype)


def _check(
    op_type: str,
    x: np.ndarray,
    opset: int,
    attrs: Mapping[str, Any],
    initializers: Mapping[str, np.ndarray] | None = None,
    x_shape: Shape | None = None,
    **tolerances: float,
) -> np.ndarray:
    model = node_model(
        op_type,
        {"x": x},
        opset=opset,
        attrs=attrs,
        initializers=initializers,
        input_shapes=None if x_shape is None else {"x": x_shape},
    )
    return assert_matches_onnxruntime(model, {"x": x}, **tolerances)[0]


def _diagnostic(model: onnx.ModelProto) -> str:
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    message = str(info.value)
    assert "\n" not in message
    return message


def _same_pads(
    sizes: Sequence[int], kernel: Sequence[int], strides: Sequence[int], dilations: Sequence[int], upper: bool
) -> list[int]:
    """SAME pads per the ONNX spec (dilated extent), for the explicit-pads oracle."""
    begins, ends = [], []
    for size, k, s, d in zip(sizes, kernel, strides, dilations, strict=True):
        total = max(0, (-(-size // s) - 1) * s + d * (k - 1) + 1 - size)
        begin = total // 2 if upper else total - total // 2
        begins.append(begin)
        ends.append(total - begin)
    return begins + ends


# -- Conv ----------------------------------------------------------------------------------

CONV_CASES: dict[str, tuple[Sequence[int], Sequence[int], dict[str, Any]]] = {
    # name: (input shape, weight shape, attributes)
    "pads_strides": ((2, 3, 9, 8), (4, 3, 3, 2), {"pads": [1, 0, 2, 1], "strides": [2, 1]}),
    "dilations": ((1, 3, 11, 10), (4, 3, 3, 3), {"dilations": [2, 3], "pads": [2, 1, 1, 3]}),
    "groups": ((2, 6, 7, 7), (4, 3, 3, 3), {"group": 2, "pads": [1, 1, 1, 1]}),
    "depthwise": ((1, 8, 9, 9), (8, 1, 3, 3), {"group": 8, "strides": [2, 2], "pads": [1, 1, 1, 1]}),
    "depthwise_multiplier": ((2, 4, 8, 7), (12, 1, 3, 2), {"group": 4, "dilations": [1, 2]}),
    "kernel_shape_given": ((1, 3, 6, 6), (2, 3, 3, 3), {"kernel_shape": [3, 3], "strides": [3, 2]}),
    "pointwise": ((2, 16, 5, 5), (8, 16, 1, 1), {}),
    "strided_pointwise": ((1, 8, 7, 7), (4, 8, 1, 1), {"strides": [2, 2]}),
    "valid": ((1, 2, 8, 9), (3, 2, 3, 2), {"auto_pad": "VALID", "strides": [2, 3]}),
    "same_upper_odd": ((1, 2, 7, 9), (3, 2, 4, 2), {"auto_pad": "SAME_UPPER", "strides": [2, 3]}),
    "same_lower_odd": ((1, 2, 7, 9), (3, 2, 4, 2), {"auto_pad": "SAME_LOWER", "strides": [2, 3]}),
    "same_upper_even_kernel": ((1, 2, 6, 5), (3, 2, 2, 4), {"auto_pad": "SAME_UPPER"}),
    "same_lower_even_kernel": ((1, 2, 6, 5), (3, 2, 2, 4), {"auto_pad": "SAME_LOWER"}),
    "conv1d": ((2, 3, 17), (5, 3, 4), {"strides": [3], "pads": [2, 1], "dilations": [2]}),
    "conv1d_same": ((2, 3, 10), (5, 3, 3), {"auto_pad": "SAME_LOWER", "strides": [2]}),
    "conv3d": ((1, 4, 5, 6, 7), (6, 2, 3, 2, 3), {"group": 2, "strides": [1, 2, 2], "pads": [1, 0, 1, 1, 1, 0]}),
    "conv3d_same": ((1, 2, 5, 4, 6), (3, 2, 2, 3, 3), {"auto_pad": "SAME_UPPER", "strides": [2, 1, 2]}),
}


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("case", sorted(CONV_CASES))
@pytest.mark.parametrize("opset", [7, 11, 13, 22])
def test_conv(opset: int, case: str, bias: bool, rng: np.random.Generator) -> None:
    x_shape, w_shape, attrs = CONV_CASES[case]
    initializers = {"w": _normal(rng, w_shape)}
    if bias:
        initializers["b"] = _normal(rng, [w_shape[0]])
    _check("Conv", _normal(rng, x_shape), opset, attrs, initializers)


@pytest.mark.parametrize(
    "attrs",
    [
        {"pads": [1, 2, 0, 1], "strides": [2, 1]},
        {"auto_pad": "SAME_UPPER"},
        {"auto_pad": "SAME_LOWER", "dilations": [1, 2]},
        {"auto_pad": "VALID", "strides": [2, 2]},
        {"group": 3, "pads": [1, 1, 1, 1]},
    ],
    ids=["pads", "same_upper", "same_lower_dilated", "valid", "groups"],
)
@pytest.mark.parametrize("opset", [11, 22])
def test_conv_dynamic_dims(opset: int, attrs: dict[str, Any], rng: np.random.Generator) -> None:
    w = _normal(rng, (6, 3 // attrs.get("group", 1), 3, 3))
    if "dilations" in attrs:
        # onnxruntime rejects SAME with dilations: check the pads against explicit ones.
        pads = _same_pads([9, 8], [3, 3], [1, 1], attrs["dilations"], upper=False)
        x = _normal(rng, (2, 3, 9, 8))
        dynamic = node_model(
            "Conv", {"x": x}, opset=opset, attrs=attrs, initializers={"w": w}, input_shapes={"x": ["N", 3, "H", "W"]}
        )
        explicit = node_model(
            "Conv", {"x": x}, opset=opset, attrs={"dilations": attrs["dilations"], "pads": pads}, initializers={"w": w}
        )
        np.testing.assert_allclose(
            run_infer(dynamic, {"x": x})[0], run_onnxruntime(explicit, {"x": x})[0], rtol=1e-4, atol=1e-5
        )
        return
    for shape in [(2, 3, 9, 8), (1, 3, 5, 12)]:
        _check("Conv", _normal(rng, shape), opset, attrs, {"w": w}, x_shape=["N", 3, "H", "W"])


@pytest.mark.parametrize("upper", [True, False], ids=["upper", "lower"])
@pytest.mark.parametrize("strides", [[1, 1], [2, 3]])
def test_conv_same_with_dilations_follows_the_spec(upper: bool, strides: list[int], rng: np.random.Generator) -> None:
    x, w = _normal(rng, (1, 2, 9, 8)), _normal(rng, (3, 2, 3, 2))
    dilations = [2, 3]
    attrs = {"auto_pad": "SAME_UPPER" if upper else "SAME_LOWER", "dilations": dilations, "strides": strides}
    same = node_model("Conv", {"x": x}, opset=13, attrs=attrs, initializers={"w": w})
    pads = _same_pads([9, 8], [3, 2], strides, dilations, upper)
    explicit = node_model(
        "Conv",
        {"x": x},
        opset=13,
        attrs={"dilations": dilations, "strides": strides, "pads": pads},
        initializers={"w": w},
    )
    (actual,) = run_infer(same, {"x": x})
    assert actual.shape[2:] == (-(-9 // strides[0]), -(-8 // strides[1]))
    np.testing.assert_allclose(actual, run_onnxruntime(explicit, {"x": x})[0], rtol=1e-4, atol=1e-5)


def test_conv_float16(rng: np.random.Generator) -> None:
    x, w, b = (
        _normal(rng, (1, 4, 7, 7), np.float16),
        _normal(rng, (6, 2, 3, 3), np.float16),
        _normal(rng, [6], np.float16),
    )
    _check("Conv", x, 13, {"group": 2, "pads": [1, 1, 1, 1]}, {"w": w, "b": b}, rtol=1e-2, atol=1e-2)


def test_conv_float64(rng: np.random.Generator) -> None:
    # onnxruntime has no f64 Conv kernel on CPU: the oracle is onnx.reference.
    x, w = _normal(rng, (1, 4, 7, 7), np.float64), _normal(rng, (6, 2, 3, 3), np.float64)
    model = node_model("Conv", {"x": x}, opset=13, attrs={"group": 2, "strides": [2, 1]}, initializers={"w": w})
    (expected,) = ReferenceEvaluator(model).run(None, {"x": x})
    (actual,) = run_infer(model, {"x": x})
    assert actual.dtype == np.float64
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


def test_conv_diagnostics(rng: np.random.Generator) -> None:
    x, w = _normal(rng, (1, 3, 8, 8)), _normal(rng, (4, 3, 3, 3))
    wrong_kernel = node_model("Conv", {"x": x}, opset=13, attrs={"kernel_shape": [2, 2]}, initializers={"w": w})
    message = _diagnostic(wrong_kernel)
    assert "node 'conv_node'" in message and "Conv" in message and "opset 13" in message
    assert "kernel_shape [2, 2] does not match the weight shape" in message

    strided_same = node_model(
        "Conv",
        {"x": x},
        opset=11,
        attrs={"auto_pad": "SAME_UPPER", "strides": [2, 2]},
        initializers={"w": w},
        input_shapes={"x": [1, 3, "H", "W"]},
    )
    assert "auto_pad SAME_UPPER with stride 2 on a dynamic spatial dim is not supported" in _diagnostic(strided_same)

    dynamic_weight = node_model("Conv", {"x": x, "w": w}, opset=13, input_shapes={"w": ["M", 3, 3, 3]})
    assert "the weight must have a static shape" in _diagnostic(dynamic_weight)

    bad_pads = node_model("Conv", {"x": x}, opset=13, attrs={"pads": [1, 1]}, initializers={"w": w})
    assert "attribute 'pads' has 2 entries, expected 4" in _diagnostic(bad_pads)


# -- ConvTranspose -------------------------------------------------------------------------

CONV_TRANSPOSE_CASES: dict[str, tuple[Sequence[int], Sequence[int], dict[str, Any]]] = {
    "plain": ((2, 3, 5, 4), (3, 4, 3, 3), {}),
    "strides_pads": ((1, 3, 5, 4), (3, 2, 3, 2), {"strides": [2, 3], "pads": [1, 0, 2, 1]}),
    "output_padding": ((1, 2, 4, 5), (2, 3, 3, 3), {"strides": [2, 3], "output_padding": [1, 2], "pads": [1, 1, 0, 1]}),
    "dilations": ((1, 2, 4, 4), (2, 3, 3, 2), {"dilations": [2, 3], "strides": [2, 1], "output_padding": [1, 0]}),
    "groups": ((2, 4, 3, 5), (4, 3, 2, 3), {"group": 2, "strides": [2, 2], "pads": [0, 1, 1, 0]}),
    "depthwise": (
        (1, 6, 4, 4),
        (6, 1, 3, 3),
        {"group": 6, "strides": [2, 2], "pads": [1, 1, 1, 1], "output_padding": [1, 1]},
    ),
    "kernel_shape_given": ((1, 2, 3, 3), (2, 2, 2, 2), {"kernel_shape": [2, 2], "strides": [2, 2]}),
    "same_upper": ((1, 2, 5, 4), (2, 3, 3, 4), {"auto_pad": "SAME_UPPER", "strides": [2, 2]}),
    "same_lower": ((1, 2, 5, 4), (2, 3, 3, 4), {"auto_pad": "SAME_LOWER", "strides": [2, 2]}),
    "same_upper_output_padding": (
        (1, 2, 3, 3),
        (2, 3, 4, 3),
        {"auto_pad": "SAME_UPPER", "strides": [3, 2], "output_padding": [1, 1]},
    ),
    "same_lower_dilated": (
        (1, 2, 3, 4),
        (2, 3, 3, 3),
        {"auto_pad": "SAME_LOWER", "strides": [2, 1], "dilations": [2, 2]},
    ),
    "valid": ((1, 2, 3, 4), (2, 3, 3, 2), {"auto_pad": "VALID", "strides": [2, 2]}),
    "output_shape_odd": ((1, 2, 4, 4), (2, 3, 3, 3), {"strides": [2, 2], "output_shape": [8, 7]}),
    "output_shape_same_upper": (
        (1, 2, 4, 4),
        (2, 3, 3, 3),
        {"strides": [2, 2], "output_shape": [8, 7], "auto_pad": "SAME_UPPER"},
    ),
    "output_shape_same_lower": (
        (1, 2, 4, 4),
        (2, 3, 3, 3),
        {"strides": [2, 2], "output_shape": [8, 7], "auto_pad": "SAME_LOWER"},
    ),
    "output_shape_output_padding": (
        (1, 2, 4, 4),
        (2, 3, 3, 3),
        {"strides": [2, 2], "output_shape": [9, 8], "output_padding": [1, 1]},
    ),
    "output_shape_ignores_pads": (
        (1, 2, 4, 4),
        (2, 3, 3, 3),
        {"strides": [2, 2], "output_shape": [7, 8], "pads": [1, 1, 1, 1]},
    ),
    "conv_transpose1d": ((2, 3, 6), (3, 2, 4), {"strides": [3], "pads": [1, 2], "output_padding": [2]}),
    "conv_transpose3d": (
        (1, 2, 3, 4, 3),
        (2, 2, 2, 3, 2),
        {"strides": [2, 1, 2], "pads": [0, 1, 1, 1, 0, 0], "dilations": [1, 2, 1]},
    ),
}


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("case", sorted(CONV_TRANSPOSE_CASES))
@pytest.mark.parametrize("opset", [7, 11, 22])
def test_conv_transpose(opset: int, case: str, bias: bool, rng: np.random.Generator) -> None:
    x_shape, w_shape, attrs = CONV_TRANSPOSE_CASES[case]
    initializers = {"w": _normal(rng, w_shape)}
    if bias:
        initializers["b"] = _normal(rng, [w_shape[1] * attrs.get("group", 1)])
    _check("ConvTranspose", _normal(rng, x_shape), opset, attrs, initializers)


@pytest.mark.parametrize(
    "attrs",
    [
        {"strides": [2, 2], "pads": [1, 0, 0, 1], "output_padding": [1, 1]},
        {"auto_pad": "SAME_UPPER", "strides": [2, 3]},
        {"auto_pad": "SAME_LOWER", "strides": [2, 2], "output_padding": [1, 1]},
    ],
    ids=["pads", "same_upper", "same_lower"],
)
def test_conv_transpose_dynamic_dims(attrs: dict[str, Any], rng: np.random.Generator) -> None:
    w = _normal(rng, (3, 2, 3, 3))
    for shape in [(2, 3, 4, 5), (1, 3, 6, 3)]:
        _check("ConvTranspose", _normal(rng, shape), 22, attrs, {"w": w}, x_shape=["N", 3, "H", "W"])


@pytest.mark.parametrize(
    "attrs",
    [
        {"auto_pad": "SAME_UPPER", "strides": [3, 3]},
        {"auto_pad": "SAME_LOWER", "strides": [3, 2]},
        {"strides": [2, 2], "output_shape": [8, 9], "auto_pad": "SAME_UPPER"},
    ],
    ids=["same_upper", "same_lower", "output_shape_same_upper"],
)
def test_conv_transpose_negative_pads_follow_the_spec(attrs: dict[str, Any], rng: np.random.Generator) -> None:
    # A SAME target or output_shape beyond what the kernel reaches asks for
    # negative pads: onnxruntime clamps them (or fails), onnx.reference (the
    # spec's formulas) leaves zeros.
    x, w = _normal(rng, (1, 2, 3, 3)), _normal(rng, (2, 3, 1, 2))
    model = node_model("ConvTranspose", {"x": x}, opset=22, attrs=attrs, initializers={"w": w})
    (expected,) = ReferenceEvaluator(model).run(None, {"x": x})
    (actual,) = run_infer(model, {"x": x})
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


def test_conv_transpose_diagnostics(rng: np.random.Generator) -> None:
    x, w = _normal(rng, (1, 2, 4, 4)), _normal(rng, (2, 3, 3, 3))
    dynamic = node_model(
        "ConvTranspose",
        {"x": x},
        opset=22,
        attrs={"output_shape": [8, 8], "strides": [2, 2]},
        initializers={"w": w},
        input_shapes={"x": [1, 2, "H", "W"]},
    )
    message = _diagnostic(dynamic)
    assert "node 'convtranspose_node'" in message and "ConvTranspose" in message and "opset 22" in message
    assert "output_shape with dynamic spatial input dims is not supported" in message

    wrong_output_shape = node_model(
        "ConvTranspose", {"x": x}, opset=22, attrs={"output_shape": [8, 8, 8]}, initializers={"w": w}
    )
    assert "attribute 'output_shape' has 3 entries, expected 2" in _diagnostic(wrong_output_shape)


# -- MaxPool and AveragePool -------------------------------------------------------------

POOL_CASES: dict[str, tuple[Sequence[int], dict[str, Any]]] = {
    "plain": ((2, 3, 8, 7), {"kernel_shape": [2, 2]}),
    "strides_pads": ((1, 3, 9, 8), {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}),
    "asymmetric_pads": ((1, 2, 7, 9), {"kernel_shape": [3, 2], "strides": [2, 3], "pads": [0, 1, 2, 1]}),
    "valid": ((1, 2, 9, 7), {"kernel_shape": [3, 2], "strides": [2, 2], "auto_pad": "VALID"}),
    "same_upper": ((1, 2, 9, 7), {"kernel_shape": [3, 2], "strides": [2, 2], "auto_pad": "SAME_UPPER"}),
    "same_lower": ((1, 2, 9, 7), {"kernel_shape": [4, 3], "strides": [2, 2], "auto_pad": "SAME_LOWER"}),
    "pool1d": ((2, 3, 11), {"kernel_shape": [3], "strides": [2], "pads": [1, 2]}),
    "pool3d": ((1, 2, 5, 6, 7), {"kernel_shape": [2, 3, 2], "strides": [1, 2, 2], "pads": [0, 1, 1, 1, 1, 0]}),
}
CEIL_CASES: dict[str, tuple[Sequence[int], dict[str, Any]]] = {
    # The last window starts in the input and reaches past the end padding.
    "ceil_partial": ((1, 2, 8, 8), {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}),
    # A ceil-mode window that would start in the end padding is dropped.
    "ceil_dropped": ((1, 2, 6, 5), {"kernel_shape": [2, 2], "strides": [2, 2], "pads": [1, 1, 1, 1]}),
    "ceil_no_pads": ((1, 2, 7, 6), {"kernel_shape": [2, 3], "strides": [2, 2]}),
    "ceil_same_upper": ((1, 2, 9, 8), {"kernel_shape": [3, 2], "strides": [2, 3], "auto_pad": "SAME_UPPER"}),
    "ceil_same_lower": ((1, 2, 9, 8), {"kernel_shape": [4, 3], "strides": [3, 2], "auto_pad": "SAME_LOWER"}),
    "ceil_valid": ((1, 2, 9, 8), {"kernel_shape": [2, 3], "strides": [2, 2], "auto_pad": "VALID"}),
    "ceil_pool1d": ((1, 2, 10), {"kernel_shape": [3], "strides": [3], "pads": [2, 2]}),
}
DILATED_CASES: dict[str, tuple[Sequence[int], dict[str, Any]]] = {
    "dilated": ((1, 2, 11, 10), {"kernel_shape": [3, 2], "dilations": [2, 3], "pads": [2, 1, 1, 1]}),
    "dilated_strided": (
        (1, 2, 12, 11),
        {"kernel_shape": [2, 2], "dilations": [3, 2], "strides": [2, 3], "pads": [1, 0, 1, 1]},
    ),
    "dilated_ceil": (
        (1, 2, 10, 9),
        {"kernel_shape": [3, 2], "dilations": [2, 2], "strides": [3, 2], "pads": [1, 1, 1, 0], "ceil_mode": 1},
    ),
}


@pytest.mark.parametrize("case", sorted(POOL_CASES))
@pytest.mark.parametrize("opset", [7, 8, 10, 11, 12, 22])
def test_max_pool(opset: int, case: str, rng: np.random.Generator) -> None:
    shape, attrs = POOL_CASES[case]
    _check("MaxPool", _normal(rng, shape), opset, attrs)


@pytest.mark.parametrize("case", sorted(CEIL_CASES) + sorted(DILATED_CASES))
@pytest.mark.parametrize("opset", [10, 11, 12, 22])
def test_max_pool_ceil_mode_and_dilations(opset: int, case: str, rng: np.random.Generator) -> None:
    shape, attrs = {**CEIL_CASES, **DILATED_CASES}[case]
    attrs = {"ceil_mode": 1, **attrs} if case in CEIL_CASES else attrs
    _check("MaxPool", _normal(rng, shape), opset, attrs)


@pytest.mark.parametrize("count_include_pad", [0, 1])
@pytest.mark.parametrize("case", sorted(POOL_CASES))
@pytest.mark.parametrize("opset", [7, 10, 11, 19, 22])
def test_average_pool(opset: int, case: str, count_include_pad: int, rng: np.random.Generator) -> None:
    shape, attrs = POOL_CASES[case]
    _check("AveragePool", _normal(rng, shape), opset, {**attrs, "count_include_pad": count_include_pad})


@pytest.mark.parametrize("count_include_pad", [0, 1])
@pytest.mark.parametrize("case", sorted(CEIL_CASES))
@pytest.mark.parametrize("opset", [10, 11, 19, 22])
def test_average_pool_ceil_mode(opset: int, case: str, count_include_pad: int, rng: np.random.Generator) -> None:
    # With count_include_pad, the part of a ceil-mode window beyond the end
    # padding is not counted: onnxruntime's rule.
    shape, attrs = CEIL_CASES[case]
    _check("AveragePool", _normal(rng, shape), opset, {**attrs, "ceil_mode": 1, "count_include_pad": count_include_pad})


@pytest.mark.parametrize("count_include_pad", [0, 1])
@pytest.mark.parametrize("case", sorted(DILATED_CASES))
@pytest.mark.parametrize("opset", [19, 22])
def test_average_pool_dilations(opset: int, case: str, count_include_pad: int, rng: np.random.Generator) -> None:
    shape, attrs = DILATED_CASES[case]
    _check("AveragePool", _normal(rng, shape), opset, {**attrs, "count_include_pad": count_include_pad})


def test_average_pool_ceil_window_past_the_padding_is_not_counted() -> None:
    # size 4, kernel 3, stride 2, pads 1/1, ceil: windows start at -1, 1, 3 and
    # the last one covers 3, 4 (end pad), 5 (past the padding): count 2, not 3.
    x = np.arange(4, dtype=np.float32).reshape(1, 1, 4)
    attrs = {"kernel_shape": [3], "strides": [2], "pads": [1, 1], "ceil_mode": 1, "count_include_pad": 1}
    y = _check("AveragePool", x, 19, attrs)
    np.testing.assert_allclose(y.reshape(-1), [(0 + 0 + 1) / 3, (1 + 2 + 3) / 3, (3 + 0) / 2])


@pytest.mark.parametrize("op_type", ["MaxPool", "AveragePool"])
@pytest.mark.parametrize(
    "attrs",
    [
        {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceil_mode": 1},
        {"kernel_shape": [3, 2], "auto_pad": "SAME_UPPER"},
        {"kernel_shape": [2, 2], "auto_pad": "SAME_LOWER", "dilations": [2, 1]},
        {"kernel_shape": [2, 2], "strides": [2, 2], "auto_pad": "VALID"},
    ],
    ids=["ceil", "same_upper", "same_lower_dilated", "valid"],
)
def test_pool_dynamic_dims(op_type: str, attrs: dict[str, Any], rng: np.random.Generator) -> None:
    for shape in [(2, 3, 9, 8), (1, 3, 6, 11)]:
        x = _normal(rng, shape)
        if "dilations" in attrs:
            # onnxruntime sizes SAME pads with the undilated kernel; compare with explicit pads.
            pads = _same_pads(shape[2:], attrs["kernel_shape"], [1, 1], attrs["dilations"], upper=False)
            dynamic = node_model(op_type, {"x": x}, opset=22, attrs=attrs, input_shapes={"x": ["N", 3, "H", "W"]})
            explicit = node_model(
                op_type, {"x": x}, opset=22, attrs={"kernel_shape": [2, 2], "dilations": [2, 1], "pads": pads}
            )
            (actual,) = run_infer(dynamic, {"x": x})
            np.testing.assert_allclose(actual, run_onnxruntime(explicit, {"x": x})[0], rtol=1e-5, atol=1e-6)
        else:
            _check(op_type, x, 22, attrs, x_shape=["N", 3, "H", "W"])


@pytest.mark.parametrize("op_type", ["MaxPool", "AveragePool"])
@pytest.mark.parametrize("upper", [True, False], ids=["upper", "lower"])
@pytest.mark.parametrize("ceil_mode", [0, 1])
def test_pool_same_with_dilations_follows_the_spec(
    op_type: str, upper: bool, ceil_mode: int, rng: np.random.Generator
) -> None:
    x = _normal(rng, (1, 2, 9, 10))
    kernel, strides, dilations = [3, 3], [2, 3], [2, 2]
    attrs = {"kernel_shape": kernel, "strides": strides, "dilations": dilations, "ceil_mode": ceil_mode}
    same = node_model(op_type, {"x": x}, opset=22, attrs={**attrs, "auto_pad": "SAME_UPPER" if upper else "SAME_LOWER"})
    explicit = node_model(
        op_type, {"x": x}, opset=22, attrs={**attrs, "pads": _same_pads([9, 10], kernel, strides, dilations, upper)}
    )
    (actual,) = run_infer(same, {"x": x})
    assert actual.shape[2:] == (5, 4)  # ceil(size / stride)
    np.testing.assert_allclose(actual, run_onnxruntime(explicit, {"x": x})[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_max_pool_integers(dtype: Any, rng: np.random.Generator) -> None:
    x = rng.integers(np.iinfo(dtype).min, np.iinfo(dtype).max, (1, 2, 7, 7), dtype=dtype)
    _check("MaxPool", x, 12, {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceil_mode": 1})


def test_pool_float16(rng: np.random.Generator) -> None:
    x = _normal(rng, (1, 3, 8, 8), np.float16)
    attrs = {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}
    _check("MaxPool", x, 12, attrs)
    _check("AveragePool", x, 11, {**attrs, "count_include_pad": 1}, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("opset", [8, 12, 22])
def test_max_pool_storage_order_without_indices(opset: int, rng: np.random.Generator) -> None:
    _check("MaxPool", _normal(rng, (1, 2, 6, 6)), opset, {"kernel_shape": [2, 2], "storage_order": 1})


def test_pool_diagnostics(rng: np.random.Generator) -> None:
    x = _normal(rng, (1, 2, 6, 6))
    too_large = node_model("MaxPool", {"x": x}, opset=12, attrs={"kernel_shape": [7, 7]}, outputs=("y", "indices"))
    message = _diagnostic(too_large)
    assert "node 'maxpool_node'" in message and "MaxPool" in message and "opset 12" in message
    assert "does not fit input of size 6" in message

    strided_same = node_model(
        "AveragePool",
        {"x": x},
        opset=19,
        attrs={"kernel_shape": [2, 2], "strides": [2, 2], "auto_pad": "SAME_LOWER"},
        input_shapes={"x": [1, 2, "H", 6]},
    )
    message = _diagnostic(strided_same)
    assert "AveragePool" in message and "opset 19" in message
    assert "auto_pad SAME_LOWER with stride 2 on a dynamic spatial dim is not supported" in message

    too_small = node_model("MaxPool", {"x": x}, opset=12, attrs={"kernel_shape": [8, 2]})
    assert "does not fit input of size 6" in _diagnostic(too_small)

    wrong_rank = node_model("AveragePool", {"x": x}, opset=19, attrs={"kernel_shape": [2]})
    assert "attribute 'kernel_shape' has 1 entries, expected 2" in _diagnostic(wrong_rank)


# -- LpPool and GlobalLpPool -----------------------------------------------------------


@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("case", sorted(POOL_CASES))
@pytest.mark.parametrize("opset", [7, 11, 18, 22])
def test_lp_pool(opset: int, case: str, p: int, rng: np.random.Generator) -> None:
    shape, attrs = POOL_CASES[case]
    _check("LpPool", _normal(rng, shape), opset, {**attrs, "p": p})


@pytest.mark.parametrize("case", sorted(CEIL_CASES) + sorted(DILATED_CASES))
@pytest.mark.parametrize("opset", [18, 22])
def test_lp_pool_ceil_mode_and_dilations(opset: int, case: str, rng: np.random.Generator) -> None:
    shape, attrs = {**CEIL_CASES, **DILATED_CASES}[case]
    attrs = {"ceil_mode": 1, **attrs} if case in CEIL_CASES else attrs
    _check("LpPool", _normal(rng, shape), opset, {**attrs, "p": 3})


def test_lp_pool_dynamic_dims(rng: np.random.Generator) -> None:
    attrs = {"kernel_shape": [3, 2], "pads": [1, 0, 1, 1], "p": 2}
    for shape in [(2, 3, 9, 8), (1, 3, 5, 4)]:
        _check("LpPool", _normal(rng, shape), 18, attrs, x_shape=["N", 3, "H", "W"])


@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("shape", [(2, 3, 7), (2, 3, 5, 4), (1, 2, 3, 4, 2)])
@pytest.mark.parametrize("opset", [7, 13])
def test_global_lp_pool(opset: int, shape: tuple[int, ...], p: int, rng: np.random.Generator) -> None:
    symbolic = ["N", shape[1], *[f"D{i}" for i in range(len(shape) - 2)]]
    _check("GlobalLpPool", _normal(rng, shape), opset, {"p": p}, x_shape=symbolic)


def test_lp_pool_diagnostics(rng: np.random.Generator) -> None:
    x = _normal(rng, (1, 2, 6, 6))
    model = node_model("LpPool", {"x": x}, opset=18, attrs={"kernel_shape": [2, 2], "p": 0})
    message = _diagnostic(model)
    assert "node 'lppool_node'" in message and "LpPool" in message and "opset 18" in message
    assert "attribute 'p' = 0 is not supported" in message


# -- LRN ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 3, 5])
@pytest.mark.parametrize("opset", [7, 13])
def test_lrn(opset: int, size: int, rng: np.random.Generator) -> None:
    attrs = {"size": size, "alpha": 0.3, "beta": 0.6, "bias": 1.5}
    _check("LRN", _normal(rng, (2, 7, 4, 5)), opset, attrs, x_shape=["N", 7, "H", "W"])


def test_lrn_defaults(rng: np.random.Generator) -> None:
    _check("LRN", _normal(rng, (1, 10, 3, 3)) * 30, 13, {"size": 5})


def _lrn_spec(x: np.ndarray, size: int, alpha: float, beta: float, bias: float) -> np.ndarray:
    """LRN as the ONNX spec writes it, channel by channel (onnx.reference's loops
    over the batch dim instead, so it cannot serve)."""
    square_sum = np.zeros_like(x)
    channels = x.shape[1]
    for c in range(channels):
        lo, hi = max(0, c - (size - 1) // 2), min(channels - 1, c + size // 2)
        square_sum[:, c] = (x[:, lo : hi + 1] ** 2).sum(axis=1)
    return x / (bias + alpha / size * square_sum) ** beta


@pytest.mark.parametrize("shape", [(3, 6), (2, 5, 7), (1, 6, 3, 2, 2), (2, 4, 3, 3)])
@pytest.mark.parametrize("size", [2, 4, 3])
def test_lrn_other_ranks_and_even_sizes(shape: tuple[int, ...], size: int, rng: np.random.Generator) -> None:
    # onnxruntime takes only 4-D inputs and odd sizes: for those it runs the input
    # flattened to [N, C, D, 1] (LRN's window runs across channels only); even
    # sizes are checked against the spec's formula.
    x = _normal(rng, shape)
    attrs = {"size": size, "alpha": 0.5, "beta": 0.8, "bias": 2.0}
    if size % 2:
        x4 = x.reshape(*shape[:2], -1, 1)
        expected = run_onnxruntime(node_model("LRN", {"x": x4}, opset=13, attrs=attrs), {"x": x4})[0].reshape(shape)
    else:
        expected = _lrn_spec(x, size, 0.5, 0.8, 2.0)
    model = node_model("LRN", {"x": x}, opset=13, attrs=attrs)
    np.testing.assert_allclose(run_infer(model, {"x": x})[0], expected, rtol=1e-5, atol=1e-6)


LRN_IR = """
func.func @main_graph(%x: tensor<{shape}xf32>) -> tensor<{shape}xf32> {{
  %y = infer.lrn %x {{size = {size} : i64, alpha = 3.000000e-01 : f64, beta = 7.500000e-01 : f64,
                      bias = 1.500000e+00 : f64, layout = "{layout}"}} : (tensor<{shape}xf32>) -> tensor<{shape}xf32>
  func.return %y : tensor<{shape}xf32>
}}
"""


@pytest.mark.parametrize(
    ("shape", "layout"),
    [
        ((2, 7, 4, 3), "nchw"),
        ((2, 4, 3, 7), "nhwc"),
        ((3, 6), "nchw"),
        ((2, 5, 4), "nchw"),
        ((2, 4, 5), "nhwc"),
        ((1, 6, 2, 3, 2), "nchw"),
    ],
)
@pytest.mark.parametrize("size", [1, 2, 5])
def test_lrn_decomposition_matches_the_composite(
    shape: tuple[int, ...], layout: str, size: int, rng: np.random.Generator
) -> None:
    module = parse(LRN_IR.format(shape="x".join(map(str, shape)), size=size, layout=layout))
    after = assert_pass_preserves(module, DecomposeCompositesPass(), [_normal(rng, shape)])
    names = {op.name for op in after.walk()}
    assert "infer.lrn" not in names and "infer.avg_pool" in names


def test_lrn_diagnostics(rng: np.random.Generator) -> None:
    x = _normal(rng, (4,))
    model = node_model("LRN", {"x": x}, opset=13, attrs={"size": 3})
    message = _diagnostic(model)
    assert "node 'lrn_node'" in message and "LRN" in message and "opset 13" in message
    assert "input must have rank >= 2" in message
