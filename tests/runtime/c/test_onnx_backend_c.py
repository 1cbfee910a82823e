"""onnx's backend test suites through the C target (`infer.backend` with target="c"): every
case that passes through the interpreter must pass compiled (slow: run with --runslow).

Each case is lowered to loops, emitted, compiled (cached in a temporary directory for
the session) and run; the expected failures are the interpreter's
(`tests/models/onnx_backend_xfail.txt`).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from infer.backend import InferBackend, InferRep

sys.path.insert(0, str(Path(__file__).parents[2] / "models"))
from onnx_backend import SUITES, expected_failures

pytestmark = pytest.mark.slow

CACHE = tempfile.mkdtemp(prefix="infer-c-backend-")


class CBackend(InferBackend):
    """`infer.backend` compiling every model to C."""

    @classmethod
    def prepare(cls, model: Any, device: str = "CPU", **kwargs: Any) -> InferRep:  # type: ignore[override]
        kwargs.setdefault("target", "c")
        kwargs.setdefault("cache_dir", CACHE)
        return super().prepare(model, device, **kwargs)


def _backend_test():
    import os

    os.environ.setdefault("ONNX_HOME", tempfile.mkdtemp(prefix="infer-onnx-home-"))
    import onnx.backend.test

    test = onnx.backend.test.BackendTest(CBackend, __name__)
    test.exclude(r"_cuda$")
    for name in expected_failures():
        test.xfail(f"^{name}$")
    return test


globals().update({name: case for name, case in _backend_test().test_cases.items() if name in SUITES})
