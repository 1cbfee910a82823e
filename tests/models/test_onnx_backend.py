"""onnx's own backend test suites through `infer.backend` and the interpreter.

Every CPU case of the node (1,884 built in memory), simple, pytorch-converted,
pytorch-operator and real (the light models, inputs arange(n)/n) suites runs at
the default optimization level; the cases listed in `onnx_backend_xfail.txt` are
expected to fail (strictly: one that starts passing fails the run until the list
is regenerated). The simple and PyTorch suites also run unoptimized (level 0):
the same cases must pass with and without the optimizer.
"""

from __future__ import annotations

from typing import Any

from onnx_backend import SUITES, make_backend_test, with_expected_failures

from infer.backend import InferBackend, InferRep


class Level0Backend(InferBackend):
    """`infer.backend` without optimization."""

    @classmethod
    def prepare(cls, model: Any, device: str = "CPU", **kwargs: Any) -> InferRep:  # type: ignore[override]
        return super().prepare(model, device, **{**kwargs, "opt_level": 0})


_default = with_expected_failures(make_backend_test(__name__))
globals().update({name: case for name, case in _default.test_cases.items() if name in SUITES})

_level0 = with_expected_failures(make_backend_test(__name__, Level0Backend))
UNOPTIMIZED = (
    "OnnxBackendSimpleModelTest",
    "OnnxBackendPyTorchConvertedModelTest",
    "OnnxBackendPyTorchOperatorModelTest",
)
globals().update({f"{name}Level0": case for name, case in _level0.test_cases.items() if name in UNOPTIMIZED})
