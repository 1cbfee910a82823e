"""A broken model is one line from `infer-opt` and exit code 1; the API raises the same error."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

import infer
from infer.diagnostics import InferError

ROOT = Path(__file__).resolve().parents[3]
INFER_OPT = Path(sys.executable).parent / "infer-opt"

_spec = importlib.util.spec_from_file_location(
    "make_models", ROOT / "tests/filecheck/frontends/onnx/Inputs/make_models.py"
)
assert _spec is not None and _spec.loader is not None
make_models = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_models)

CASES = {
    "truncated": ["not an ONNX model", "the protobuf does not parse", "it may be truncated"],
    "random_bytes": ["not an ONNX model"],
    "unknown_op": ["node 'frob' (Frobnicate, opset 17)", "is not an operator of 'ai.onnx'", "spelling"],
    "undefined_input": ["node 'add1' (Add, opset 17)", "input 'ghost' is not produced by any node"],
    "unknown_domain": ["node 'fused' (Fused)", "imports no opset of domain 'com.acme'", "not an ONNX domain"],
    "missing_output": ["graph output 'y' is not produced", "check it with onnx.checker"],
    "bad_attribute_type": ["node 'softmax' (Softmax, opset 17)", "attribute 'axis' is FLOAT but Softmax expects INT"],
    "op_of_later_opset": ["node 'gelu' (Gelu, opset 17)", "(it exists from opset 20)", "opset_import is too old"],
    "schema_violation": ["node 'root' (Sqrt, opset 17)", "'X' has type tensor(int32), not one of T"],
}


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("models")
    make_models.main(str(directory))
    return directory


def _infer_opt(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(INFER_OPT), *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("case", list(CASES))
def test_cli_reports_one_line_and_exit_code_1(case: str, models: Path) -> None:
    path = models / f"{case}.onnx"
    proc = _infer_opt(str(path))
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    (line,) = lines
    assert line.startswith(f"infer-opt: error: {path}: ")
    for fragment in CASES[case]:
        assert fragment in line
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


@pytest.mark.parametrize("case", ["unknown_op", "bad_attribute_type", "truncated"])
def test_api_raises_the_same_diagnostic(case: str, models: Path) -> None:
    path = models / f"{case}.onnx"
    with pytest.raises(InferError) as error:
        infer.load(str(path))
    assert str(error.value).startswith(f"{path}: ")
    for fragment in CASES[case]:
        assert fragment in str(error.value)


def test_cli_refuses_external_data_outside_the_model_directory(tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    model = onnx.load_from_string(make_models.signature())
    path = model_dir / "model.onnx"
    onnx.save_model(model, path, save_as_external_data=True, location="w.bin", size_threshold=0)
    stored = onnx.load(path, load_external_data=False)
    (tmp_path / "elsewhere.bin").write_bytes((model_dir / "w.bin").read_bytes())
    for tensor in stored.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = "../elsewhere.bin"
    onnx.save_model(stored, path)
    proc = _infer_opt(str(path))
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "points at external data '../elsewhere.bin', which is outside the model's directory" in proc.stderr


def test_cli_reads_external_data_next_to_the_model(tmp_path: Path) -> None:
    weights = np.linspace(-1, 1, 4 * 3).astype(np.float32).reshape(4, 3)
    model = onnx.load_from_string(make_models.signature())
    model.graph.initializer[0].CopyFrom(numpy_helper.from_array(weights, "w"))
    path = tmp_path / "model.onnx"
    onnx.save_model(model, path, save_as_external_data=True, location="w.bin", size_threshold=0)
    proc = _infer_opt(str(path), "--print-constants")
    assert proc.returncode == 0, proc.stderr
    module = infer.parse_ir(proc.stdout)
    constant = next(op for op in module.walk() if op.name == "onnx.Constant" and op.results[0].name_hint == "w")
    assert constant.attributes["value"].data.data == weights.tobytes()  # type: ignore[attr-defined]
