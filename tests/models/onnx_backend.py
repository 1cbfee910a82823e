"""onnx's `BackendTest` driving `infer.backend`, with the list of cases expected to fail.

`expected_failures()` reads `onnx_backend_xfail.txt`: one test name per line,
grouped under `# reason` comments. Regenerate it after a change that makes
cases pass or fail with

    python tests/models/onnx_backend.py --update

which runs every CPU case of the node, simple, pytorch-converted,
pytorch-operator and real (light models) suites and prints the counts.
"""

from __future__ import annotations

import collections
import os
import re
import sys
import tempfile
import unittest
from pathlib import Path

XFAIL_FILE = Path(__file__).with_name("onnx_backend_xfail.txt")
SUITES = (
    "OnnxBackendNodeModelTest",
    "OnnxBackendSimpleModelTest",
    "OnnxBackendPyTorchConvertedModelTest",
    "OnnxBackendPyTorchOperatorModelTest",
    "OnnxBackendRealModelTest",
)


def make_backend_test(module_name: str, backend: object = None):
    """A BackendTest over `backend` (default: infer.backend), CPU cases only, with the
    expected failures marked; light-model scratch data in a tmp dir."""
    os.environ.setdefault("ONNX_HOME", tempfile.mkdtemp(prefix="infer-onnx-home-"))
    import onnx.backend.test

    import infer.backend

    test = onnx.backend.test.BackendTest(backend or infer.backend, module_name)
    test.exclude(r"_cuda$")
    return test


def with_expected_failures(test):
    for name in expected_failures():
        test.xfail(f"^{name}$")
    return test


def expected_failures() -> list[str]:
    return [line.strip() for line in XFAIL_FILE.read_text().splitlines() if line.strip() and not line.startswith("#")]


KNOWN_DEVIATIONS = {
    **dict.fromkeys(
        (
            "test_resize_downsample_scales_cubic_align_corners_cpu",
            "test_resize_downsample_scales_linear_align_corners_cpu",
        ),
        "Resize align_corners downsampling by a scale: infer, like onnxruntime and PyTorch, maps x to"
        " x * (in - 1) / (out - 1) with the integer out; onnx's expected values divide by in * scale - 1",
    ),
    "test_maxunpool_export_with_output_shape_cpu": (
        "MaxUnpool with output_shape: infer, like onnxruntime and PyTorch, reads the indices as flat indices"
        " into the output; onnx's expected values place them by their coordinates in the default-sized output"
    ),
}
"""Cases whose expected outputs follow a reading of the spec `infer` deliberately does not."""


def _reason(traceback: str, name: str = "") -> str:
    if name in KNOWN_DEVIATIONS:
        return KNOWN_DEVIATIONS[name]
    last = [line for line in traceback.strip().splitlines() if line.strip()][-1]
    if "cannot be converted to infer yet" in last:
        match = re.search(r"(\w+) \(schema version", last)
        return f"no converter: {match.group(1) if match else '?'}"
    if "must be a constant" in last:
        return "an input that infer needs at compile time is a graph input"
    if "no numpy dtype" in last:
        return "element type without a numpy dtype in the interpreter (bfloat16, float8, int4, ...)"
    message = re.sub(r"^[\w.]+: ", "", last)
    message = re.sub(r"node '[^']*' ", "", message)
    return re.sub(r", opset \d+", "", message)[:140]


def update() -> None:
    backend_test = make_backend_test("update")
    suite = unittest.TestSuite()
    for name, case in backend_test.test_cases.items():
        if name in SUITES:
            suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(case))
    with open(os.devnull, "w") as sink:
        result = unittest.TextTestRunner(stream=sink, verbosity=0).run(suite)
    by_reason: dict[str, list[str]] = collections.defaultdict(list)
    for test, traceback in result.failures + result.errors:
        name = test.id().rsplit(".", 1)[-1]
        by_reason[_reason(traceback, name)].append(name)
    failed = sum(len(v) for v in by_reason.values())
    ran = result.testsRun - len(result.skipped)
    lines = [
        "# onnx backend test cases expected to fail through infer.backend (CPU), by reason.",
        "# Regenerate: python tests/models/onnx_backend.py --update",
        f"# {ran - failed} of {ran} cases pass.",
    ]
    for reason, names in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines += ["", f"# {reason} ({len(names)})", *sorted(names)]
    XFAIL_FILE.write_text("\n".join(lines) + "\n")
    print(f"{ran - failed} of {ran} cases pass; {failed} expected failures written to {XFAIL_FILE}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    update()
