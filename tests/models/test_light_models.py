"""The 9 light models of the onnx wheel through the interpreter.

With their own weights (fills of 0.02) they must match the expected outputs
shipped beside them, with onnx's BackendTest tolerances; copies with seeded
random weights must match onnxruntime. Every printed module must parse back.
"""

from __future__ import annotations

import numpy as np
import pytest
from light_models import NAMES, expected_output, inputs, load, path, with_random_weights
from onnx_models import run_onnxruntime

import infer


@pytest.mark.parametrize("name", NAMES)
def test_light_model_matches_expected_output(name: str) -> None:
    model = load(name)
    outputs = infer.compile(model).run(inputs(model))
    (actual,) = outputs.values()
    expected = expected_output(name)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-3, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_light_model_with_random_weights_matches_onnxruntime(name: str) -> None:
    model = with_random_weights(load(name), seed=0)
    feeds = {k: np.random.default_rng(1).random(v.shape, np.float32) for k, v in inputs(model).items()}
    (expected,) = run_onnxruntime(model, feeds)
    (actual,) = infer.compile(model).run(feeds).values()
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_light_model_ir_round_trips(name: str) -> None:
    model_path = str(path(name))
    for module in (infer.load(model_path), infer.to_infer(model_path)):
        text = infer.print_ir(module, constants=True)
        assert infer.print_ir(infer.parse_ir(text), constants=True) == text
