"""The helpers the rewrite passes share (transforms/patterns.py)."""

from __future__ import annotations

import numpy as np

from infer.transforms.patterns import uniform


def test_uniform() -> None:
    assert uniform(np.zeros((300, 700), np.float32))
    a = np.zeros(1 << 18, np.float32)
    a[100_000] = -0.0
    assert not uniform(a)
    assert uniform(np.broadcast_to(np.float16(3), (10, 10)))
    assert not uniform(np.array([0.0, 0.0, 1.0, 0.0]))
