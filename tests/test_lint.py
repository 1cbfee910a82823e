"""Lint (ruff) and type check (mypy) run as part of the tests."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIRS = {
    "dialects": "dialects",
    "frontends": "frontends",
    "lowering": "lowering",
    "transforms": "transforms",
    "runtime": "runtime",
}


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True)


def test_ruff_check() -> None:
    proc = _run("ruff", "check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format() -> None:
    proc = _run("ruff", "format", "--check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy(tmp_path: Path) -> None:
    # The root folders install as subpackages of `infer`; mypy sees that layout
    # through a tree of links.
    package = tmp_path / "infer"
    package.mkdir()
    for entry in (ROOT / "infer").iterdir():
        (package / entry.name).symlink_to(entry)
    for name, folder in PACKAGE_DIRS.items():
        (package / name).symlink_to(ROOT / folder)
    proc = _run(
        "mypy",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--cache-dir",
        str(tmp_path / "cache"),
        "-p",
        "infer",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr


def test_generated_onnx_dialect_is_current() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "dialects/onnx/generate.py")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (ROOT / "dialects/onnx/ops.py").read_text(), (
        "dialects/onnx/ops.py is stale: python dialects/onnx/generate.py > dialects/onnx/ops.py"
    )
