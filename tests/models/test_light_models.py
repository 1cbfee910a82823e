"""The 9 light models of the onnx wheel through the interpreter, unoptimized and optimized.

With their own weights (fills of 0.02) they must match the expected outputs
shipped beside them, with onnx's BackendTest tolerances; copies with seeded
random weights must match onnxruntime (on the logits: the softmax of a random
network is one-hot). Both at optimization level 0 and at
the default level. Every printed module must parse back.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import onnx
import pytest
from light_models import NAMES, expected_output, inputs, load, path, with_random_weights, without_softmax
from onnx_models import run_onnxruntime

import infer

LEVELS = [0, 2]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", NAMES)
def test_light_model_matches_expected_output(name: str, level: int) -> None:
    model = load(name)
    outputs = infer.compile(model, opt_level=level).run(inputs(model))
    (actual,) = outputs.values()
    expected = expected_output(name)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-3, atol=1e-7)


@cache
def _random_model(name: str) -> onnx.ModelProto:
    return without_softmax(with_random_weights(load(name), seed=0))


@cache
def _random_case(name: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
    model = _random_model(name)
    feeds = {k: np.random.default_rng(1).random(v.shape, np.float32) for k, v in inputs(model).items()}
    (expected,) = run_onnxruntime(model, feeds)
    return feeds, expected


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", NAMES)
def test_light_model_with_random_weights_matches_onnxruntime(name: str, level: int) -> None:
    feeds, expected = _random_case(name)
    (actual,) = infer.compile(_random_model(name), opt_level=level).run(feeds).values()
    assert actual.shape == expected.shape
    # Logits of random networks reach 1e5: compare against their scale.
    scale = float(np.abs(expected).max())
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4 * scale)


@pytest.mark.parametrize("name", NAMES)
def test_light_model_ir_round_trips(name: str) -> None:
    model_path = str(path(name))
    for module in (infer.load(model_path), infer.to_infer(model_path), infer.optimize(infer.load(model_path))):
        text = infer.print_ir(module, constants=True)
        assert infer.print_ir(infer.parse_ir(text), constants=True) == text
