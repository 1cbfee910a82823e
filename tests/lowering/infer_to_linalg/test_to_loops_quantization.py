"""Quantize and dequantize, decomposed and lowered to loops, compiled to C: the same
results as the reference interpreter (rounding halves to even, saturation at both
ends, blocked parameters, f16)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from loop_level import assert_c_matches
from quantized_cases import QUANT_IR, quant_inputs

pytestmark = pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None, reason="no C compiler")


def test_quantize_dequantize_in_c(tmp_path_factory: pytest.TempPathFactory, rng: np.random.Generator) -> None:
    cache = str(tmp_path_factory.mktemp("c_cache"))
    first = quant_inputs(rng)
    # A second run with another batch (the dynamic dim): one row of the first inputs.
    second = [first[0][:1], first[1], first[2], first[3][:1], first[4][:1], first[5]]
    assert_c_matches(QUANT_IR, [first, second], cache, rtol=0)
