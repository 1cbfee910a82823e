"""The 9 light models of the onnx wheel lower completely to loops after -O2, and run in C.

Lowered to the loop level, each model holds only loop-level ops; compiled to C,
models with seeded random weights match the `infer` interpreter, with a static
and with a dynamic batch. The C runs of the larger models (seconds of compile
and run each) are in the slow suite.
"""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from light_models import NAMES, dynamic_batch, inputs, load, with_random_weights
from loop_level import lower_to_loops
from xdsl.dialects.builtin import ModuleOp

import infer
from infer.runtime.interpreter import Interpreter

FAST = ["squeezenet", "shufflenet", "inception_v1", "resnet50"]


def _optimized(model: onnx.ModelProto) -> ModuleOp:
    module = infer.load(model)
    infer.optimize(module, 2)
    return module


@pytest.mark.parametrize("name", NAMES)
def test_light_model_lowers_to_loops(name: str) -> None:
    lowered = lower_to_loops(_optimized(load(name)))  # asserts only loop-level ops are left
    names = {op.name for op in lowered.walk()}
    assert "scf.for" in names and not any(n.startswith(("infer.", "linalg.")) for n in names)


def _check_in_c(name: str, batch: int | None) -> None:
    from infer.runtime.c.build import build
    from infer.runtime.c.loader import CModel

    model = with_random_weights(load(name), seed=0)
    if batch is not None:
        model = dynamic_batch(model)
    module = _optimized(model)
    feeds = inputs(model)
    rng = np.random.default_rng(1)
    arrays = [rng.random(v.shape, np.float32) for v in feeds.values()]
    if batch is not None:
        arrays = [np.concatenate([a] * batch) for a in arrays]
    (expected,) = Interpreter(module).run(arrays).values()
    built = build(lower_to_loops(module))
    (actual,) = CModel(built.library, built.weights).run(arrays).values()
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", FAST)
def test_light_model_in_c(name: str) -> None:
    _check_in_c(name, batch=None)


def test_light_model_in_c_dynamic_batch() -> None:
    _check_in_c("squeezenet", batch=2)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in NAMES if n not in FAST])
def test_light_model_in_c_slow(name: str) -> None:
    _check_in_c(name, batch=None)
