"""BatchNormalization, InstanceNormalization and LayerNormalization through
convert-onnx-to-infer, against onnxruntime (or onnx's reference evaluator, or
a later version of the same op, where onnxruntime lacks a version); the
decompositions of the composites."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, parse
from onnx.reference import ReferenceEvaluator
from onnx_models import assert_matches_onnxruntime, node_model, run_infer

import infer
from infer.transforms.decompose_composites import DecomposeCompositesPass


def _f32(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


def _bn_params(rng: np.random.Generator, channels: int, dtype: type = np.float32) -> dict[str, np.ndarray]:
    return {
        "scale": rng.standard_normal(channels).astype(dtype),
        "bias": rng.standard_normal(channels).astype(dtype),
        "mean": rng.standard_normal(channels).astype(dtype),
        "var": rng.uniform(0.5, 2.0, channels).astype(dtype),
    }


def _assert_matches_reference(model: onnx.ModelProto, feeds: dict[str, np.ndarray], tolerance: float = 1e-5) -> None:
    (expected,) = ReferenceEvaluator(model).run(None, feeds)
    (actual,) = run_infer(model, feeds)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=tolerance, atol=tolerance)


def _assert_one_line(info: pytest.ExceptionInfo[infer.InferError], *parts: str) -> None:
    message = str(info.value)
    assert "\n" not in message
    for part in parts:
        assert part in message, message


# -- BatchNormalization ------------------------------------------------------------------


@pytest.mark.parametrize("opset", [7, 9, 14, 15])
@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 5), (2, 3, 4, 5), (1, 3, 2, 3, 2)])
def test_batch_norm(opset: int, shape: tuple[int, ...], rng: np.random.Generator) -> None:
    x = _f32(rng, *shape)
    model = node_model(
        "BatchNormalization", {"x": x}, opset=opset, attrs={"epsilon": 1e-3}, initializers=_bn_params(rng, 3)
    )
    assert_matches_onnxruntime(model, {"x": x})


def test_batch_norm_dynamic_dims_and_runtime_parameters(rng: np.random.Generator) -> None:
    x = _f32(rng, 2, 4, 3, 5)
    params = _bn_params(rng, 4)
    model = node_model("BatchNormalization", {"x": x, **params}, opset=15, input_shapes={"x": ["N", 4, "H", "W"]})
    assert_matches_onnxruntime(model, {"x": x, **params})
    assert_matches_onnxruntime(model, {"x": _f32(rng, 1, 4, 7, 2), **params})


def test_batch_norm_15_mixed_types(rng: np.random.Generator) -> None:
    # onnxruntime has BatchNormalization-15 for one type only: onnx's reference evaluator is the oracle.
    x = _f32(rng, 2, 3, 4).astype(np.float16)
    model = node_model("BatchNormalization", {"x": x}, opset=15, initializers=_bn_params(rng, 3))
    _assert_matches_reference(model, {"x": x}, tolerance=1e-2)
    params = _bn_params(rng, 3, np.float64)
    model = node_model("BatchNormalization", {"x": x, **params}, opset=15)
    _assert_matches_reference(model, {"x": x, **params}, tolerance=1e-2)


def test_batch_norm_7_per_activation(rng: np.random.Generator) -> None:
    x = _f32(rng, 2, 3, 4)
    params = {k: np.abs(v) + 0.5 if k == "var" else v for k, v in _bn_params(rng, 12).items()}
    params = {k: v.reshape(3, 4) for k, v in params.items()}
    model = node_model("BatchNormalization", {"x": x}, opset=7, attrs={"spatial": 0}, initializers=params)
    assert_matches_onnxruntime(model, {"x": x})


@pytest.mark.parametrize("opset", [1, 6])
def test_batch_norm_before_7(opset: int, rng: np.random.Generator) -> None:
    # onnxruntime starts at version 7: version 6 is checked with onnx's reference
    # evaluator, version 1 against version 9 of the same node.
    x = _f32(rng, 2, 3, 4, 4)
    params = _bn_params(rng, 3)
    attrs: dict[str, object] = {"is_test": 1, "epsilon": 1e-4}
    if opset == 1:
        attrs["consumed_inputs"] = [0, 0, 0, 1, 1]
        (old,) = run_infer(
            node_model("BatchNormalization", {"x": x}, opset=1, attrs=attrs, initializers=params), {"x": x}
        )
        model = node_model("BatchNormalization", {"x": x}, opset=9, attrs={"epsilon": 1e-4}, initializers=params)
        (new,) = assert_matches_onnxruntime(model, {"x": x})
        np.testing.assert_allclose(old, new, rtol=1e-6)
    else:
        _assert_matches_reference(
            node_model("BatchNormalization", {"x": x}, opset=opset, attrs=attrs, initializers=params), {"x": x}
        )


def test_batch_norm_training_mode_is_a_diagnostic(rng: np.random.Generator) -> None:
    x = _f32(rng, 2, 3)
    model = node_model(
        "BatchNormalization", {"x": x}, opset=15, attrs={"training_mode": 1}, initializers=_bn_params(rng, 3)
    )
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, "node 'batchnormalization_node' (BatchNormalization, opset 15)", "training_mode = 1")


def test_batch_norm_is_test_0_is_a_diagnostic(rng: np.random.Generator) -> None:
    x = _f32(rng, 2, 3)
    model = node_model("BatchNormalization", {"x": x}, opset=6, initializers=_bn_params(rng, 3))
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, "(BatchNormalization, opset 6)", "is_test = 0")


def test_batch_norm_used_running_mean_is_a_diagnostic(rng: np.random.Generator) -> None:
    x = _f32(rng, 2, 3)
    model = node_model(
        "BatchNormalization", {"x": x}, opset=9, initializers=_bn_params(rng, 3), outputs=("y", "running_mean")
    )
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, "(BatchNormalization, opset 9)", "'running_mean'", "not supported")


def test_batch_norm_wrong_parameter_shape_is_a_diagnostic(rng: np.random.Generator) -> None:
    x = _f32(rng, 2, 3, 4)
    model = node_model("BatchNormalization", {"x": x}, opset=15, initializers=_bn_params(rng, 4))
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, "(BatchNormalization, opset 15)", "parameters must have shape [3]")


# -- InstanceNormalization -----------------------------------------------------------------


@pytest.mark.parametrize("opset", [6, 22])
@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 4, 5), (1, 3, 2, 3, 4)])
def test_instance_norm(opset: int, shape: tuple[int, ...], rng: np.random.Generator) -> None:
    x = _f32(rng, *shape) * 3 + 1
    params = {"scale": _f32(rng, 3), "bias": _f32(rng, 3)}
    symbolic = ["N", 3, *[f"D{i}" for i in range(len(shape) - 2)]]
    model = node_model(
        "InstanceNormalization",
        {"x": x},
        opset=opset,
        attrs={"epsilon": 1e-3},
        initializers=params,
        input_shapes={"x": symbolic},
    )
    assert_matches_onnxruntime(model, {"x": x})
    assert_matches_onnxruntime(model, {"x": _f32(rng, 3, 3, *[d + 1 for d in shape[2:]])})


def test_instance_norm_1_equals_6(rng: np.random.Generator) -> None:
    x = _f32(rng, 2, 3, 4, 4)
    params = {"scale": _f32(rng, 3), "bias": _f32(rng, 3)}
    v1 = node_model(
        "InstanceNormalization", {"x": x}, opset=1, attrs={"consumed_inputs": [0, 0, 0]}, initializers=params
    )
    (old,) = run_infer(v1, {"x": x})
    (new,) = assert_matches_onnxruntime(
        node_model("InstanceNormalization", {"x": x}, opset=6, initializers=params), {"x": x}
    )
    np.testing.assert_allclose(old, new, rtol=1e-6)


def test_instance_norm_of_a_matrix_is_a_diagnostic(rng: np.random.Generator) -> None:
    x = _f32(rng, 2, 3)
    model = node_model("InstanceNormalization", {"x": x}, opset=6, initializers={"s": _f32(rng, 3), "b": _f32(rng, 3)})
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, "(InstanceNormalization, opset 6)", "rank >= 3")


# -- LayerNormalization ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("axis", "scale_shape"),
    [(-1, (6,)), (2, (6,)), (1, (5, 6)), (-2, (1, 6)), (0, (4, 5, 6)), (1, (4, 1, 1)), (-1, (4, 1, 6))],
)
@pytest.mark.parametrize("with_bias", [False, True])
def test_layer_norm(axis: int, scale_shape: tuple[int, ...], with_bias: bool, rng: np.random.Generator) -> None:
    x = _f32(rng, 4, 5, 6) * 2 + 1
    params = {"scale": _f32(rng, *scale_shape)}
    if with_bias:
        params["bias"] = _f32(rng, *scale_shape)
    model = node_model(
        "LayerNormalization", {"x": x}, opset=17, attrs={"axis": axis, "epsilon": 1e-3}, initializers=params
    )
    assert_matches_onnxruntime(model, {"x": x})


def test_layer_norm_dynamic_dims(rng: np.random.Generator) -> None:
    x = _f32(rng, 2, 3, 8)
    params = {"scale": _f32(rng, 8), "bias": _f32(rng, 8)}
    model = node_model("LayerNormalization", {"x": x, **params}, opset=17, input_shapes={"x": ["B", "S", 8]})
    assert_matches_onnxruntime(model, {"x": x, **params})
    assert_matches_onnxruntime(model, {"x": _f32(rng, 1, 7, 8), **params})


@pytest.mark.parametrize("dtype", [np.float16, np.float64])
def test_layer_norm_other_dtypes(dtype: type, rng: np.random.Generator) -> None:
    x = (_f32(rng, 3, 16) * 4 + 2).astype(dtype)
    params = {"scale": _f32(rng, 16).astype(dtype), "bias": _f32(rng, 16).astype(dtype)}
    model = node_model("LayerNormalization", {"x": x}, opset=17, initializers=params)
    assert_matches_onnxruntime(model, {"x": x}, rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("outputs", [("y", "mean", "inv_std_dev"), ("y", "", "inv_std_dev"), ("y", "mean")])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layer_norm_statistics_outputs(outputs: tuple[str, ...], dtype: type, rng: np.random.Generator) -> None:
    x = (_f32(rng, 2, 3, 4) * 3 + 1).astype(dtype)
    model = node_model(
        "LayerNormalization",
        {"x": x},
        opset=17,
        attrs={"axis": 1},
        initializers={"s": _f32(rng, 3, 4).astype(dtype)},
        outputs=outputs,
    )
    if "" in outputs:
        model.graph.output.remove(model.graph.output[outputs.index("")])
    assert_matches_onnxruntime(model, {"x": x})


def test_layer_norm_stash_type_is_a_diagnostic(rng: np.random.Generator) -> None:
    x = _f32(rng, 2, 3)
    model = node_model(
        "LayerNormalization", {"x": x}, opset=17, attrs={"stash_type": 11}, initializers={"s": _f32(rng, 3)}
    )
    with pytest.raises(infer.InferError) as info:
        infer.compile(model)
    _assert_one_line(info, "(LayerNormalization, opset 17)", "stash_type")


# -- decompositions -------------------------------------------------------------------------

NORMALIZATIONS_IR = """
func.func @main(%x: tensor<?x3x?x?xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>,
                %h: tensor<?x?x?x3xf32>, %t: tensor<?x5x8xf32>, %ls: tensor<1x1x8xf32>, %lb: tensor<1x5x1xf32>,
                %f: tensor<?x5x8xf16>, %fs: tensor<1x5x8xf16>)
    -> (tensor<?x3x?x?xf32>, tensor<?x?x?x3xf32>, tensor<?x3x?x?xf32>, tensor<?x?x?x3xf32>, tensor<?x5x8xf32>,
        tensor<?x5x8xf32>, tensor<?x5x8xf16>) {
  %bn = infer.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-3 : f64}
          : (tensor<?x3x?x?xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x?x?xf32>
  %bh = infer.batch_norm %h, %s, %b, %m, %v {epsilon = 1.0e-3 : f64, layout = "nhwc"}
          : (tensor<?x?x?x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x?x?x3xf32>
  %in = infer.instance_norm %x, %s, %b {epsilon = 1.0e-5 : f64}
          : (tensor<?x3x?x?xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x?x?xf32>
  %ih = infer.instance_norm %h, %s, %b {epsilon = 1.0e-5 : f64, layout = "nhwc"}
          : (tensor<?x?x?x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x?x?x3xf32>
  %ln = infer.layer_norm %t, %ls, %lb {axis = 2 : i64, epsilon = 1.0e-5 : f64}
          : (tensor<?x5x8xf32>, tensor<1x1x8xf32>, tensor<1x5x1xf32>) -> tensor<?x5x8xf32>
  %lm = infer.layer_norm %t, %ls {axis = 1 : i64, epsilon = 1.0e-5 : f64}
          : (tensor<?x5x8xf32>, tensor<1x1x8xf32>) -> tensor<?x5x8xf32>
  %lf = infer.layer_norm %f, %fs {axis = 1 : i64, epsilon = 1.0e-5 : f64}
          : (tensor<?x5x8xf16>, tensor<1x5x8xf16>) -> tensor<?x5x8xf16>
  func.return %bn, %bh, %in, %ih, %ln, %lm, %lf : tensor<?x3x?x?xf32>, tensor<?x?x?x3xf32>, tensor<?x3x?x?xf32>,
      tensor<?x?x?x3xf32>, tensor<?x5x8xf32>, tensor<?x5x8xf32>, tensor<?x5x8xf16>
}
"""


def test_decompositions_match(rng: np.random.Generator) -> None:
    module = parse(NORMALIZATIONS_IR)
    params = _bn_params(rng, 3)
    inputs = [
        _f32(rng, 2, 3, 4, 5) * 3 + 1,
        *params.values(),
        _f32(rng, 2, 4, 5, 3) * 3 - 1,
        _f32(rng, 3, 5, 8) * 2,
        _f32(rng, 1, 1, 8),
        _f32(rng, 1, 5, 1),
        (_f32(rng, 3, 5, 8) * 2).astype(np.float16),
        _f32(rng, 1, 5, 8).astype(np.float16),
    ]
    after = assert_pass_preserves(module, DecomposeCompositesPass(), inputs, rtol=1e-4, atol=1e-5)
    names = {op.name for op in after.walk()}
    assert not names & {"infer.batch_norm", "infer.instance_norm", "infer.layer_norm"}
    assert {"infer.reduce_mean", "infer.sqrt", "infer.unsqueeze", "infer.cast"} <= names
