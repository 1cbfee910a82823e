"""The bundled example (conv+BN+ReLU twice, dynamic batch/height/width) at two shapes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx_models import run_onnxruntime

import infer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MODEL = EXAMPLES / "conv_bn_relu.onnx"


def test_bundled_model_is_what_the_generator_builds() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_conv_bn_relu", EXAMPLES / "make_conv_bn_relu.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert generator.build().SerializeToString() == onnx.load(MODEL).SerializeToString()


@pytest.mark.parametrize("shape", [(2, 3, 17, 23), (1, 3, 32, 48)])
def test_example_matches_onnxruntime_at_two_shapes(shape: tuple[int, ...]) -> None:
    model = infer.compile(str(MODEL))
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    (actual,) = model.run({"data": x}).values()
    (expected,) = run_onnxruntime(onnx.load(MODEL), {"data": x})
    assert actual.shape == (shape[0], 256, shape[2], shape[3])
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)


def test_example_signature_keeps_symbolic_dims() -> None:
    text = infer.print_ir(infer.to_infer(str(MODEL)))
    assert 'infer.name = "data", infer.dim_params = ["N", "", "H", "W"]' in text
    assert "tensor<?x3x?x?xf32>" in text and "tensor<?x256x?x?xf32>" in text
