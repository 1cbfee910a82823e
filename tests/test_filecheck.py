"""Runs the lit + FileCheck suite under tests/filecheck as part of pytest."""

import os
import subprocess
import sys
from pathlib import Path

SUITE = Path(__file__).parent / "filecheck"


def test_filecheck_suite() -> None:
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=os.pathsep.join([bindir, os.environ.get("PATH", "")]))
    jobs = str(max(1, os.cpu_count() or 1))
    proc = subprocess.run(
        [os.path.join(bindir, "lit"), "-q", "-j", jobs, str(SUITE)], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
