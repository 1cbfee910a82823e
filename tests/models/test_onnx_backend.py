"""onnx's own backend test suites through `infer.backend` and the interpreter.

Every CPU case of the node (1,884 built in memory), simple, pytorch-converted,
pytorch-operator and real (the light models, inputs arange(n)/n) suites runs;
the cases listed in `onnx_backend_xfail.txt` are expected to fail (strictly:
one that starts passing fails the run until the list is regenerated).
"""

from __future__ import annotations

from onnx_backend import SUITES, expected_failures, make_backend_test

backend_test = make_backend_test(__name__)
for _name in expected_failures():
    backend_test.xfail(f"^{_name}$")

globals().update({name: case for name, case in backend_test.test_cases.items() if name in SUITES})
