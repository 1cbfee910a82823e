"""onnx's backend test suites through the C target (`infer.backend` with target="c"): every
case that passes through the interpreter must pass compiled. A sample of node cases runs
by default; the whole suites (every case that passes on the interpreter) with --runslow.

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
from onnx_backend import SUITES, make_backend_test, with_expected_failures

CACHE = tempfile.mkdtemp(prefix="infer-c-backend-")


class CBackend(InferBackend):
    """`infer.backend` compiling every model to C."""

    @classmethod
    def prepare(cls, model: Any, device: str = "CPU", **kwargs: Any) -> InferRep:  # type: ignore[override]
        kwargs.setdefault("target", "c")
        kwargs.setdefault("cache_dir", CACHE)
        return super().prepare(model, device, **kwargs)


# A representative sample runs by default; the whole suite with --runslow.
SAMPLE = (
    r"^test_(add_bcast|argmax_default_axis_example|averagepool_2d_ceil|batchnorm_epsilon|clip_default_min"
    r"|concat_3d_axis_1|conv_with_strides_and_asymmetric_padding|convtranspose_pads|erf|expand_dim_changed"
    r"|flatten_axis0|gather_1|gemm_all_attributes|globalaveragepool|instancenorm_epsilon"
    r"|layer_normalization_3d_axis1_epsilon|leakyrelu|lrn|matmul_4d|maxpool_2d_pads|prelu_broadcast|relu"
    r"|reshape_negative_dim|sigmoid|softmax_axis_1|split_equal_parts_1d|transpose_all_permutations_0"
    r"|where_example|cumsum_1d_reverse_exclusive|depthtospace_crd_mode_example|gathernd_example_int32_batch_dim1"
    r"|onehot_with_axis|scatter_elements_with_reduction_max|scatternd_add|top_k_same_values_2d|tril_neg"
    r"|dequantizelinear|quantizelinear_axis|qlinearmatmul_2D_uint8_float32|qlinearconv|bitshift_left_uint8"
    r"|bitwise_and_i32_2d|maxpool_with_argmax_2d_precomputed_pads|maxunpool_export_without_output_shape"
    r"|reduce_sum_keepdims_random|einsum_batch_matmul|rms_normalization_2d_axis0|rotary_embedding"
    r"|attention_4d_gqa|group_normalization_example|lpnormalization_default)"
)


def _sample(name: str) -> bool:
    import re

    return re.match(SAMPLE, name) is not None


_test = with_expected_failures(make_backend_test(__name__, CBackend))
for _case_name, _case in _test.test_cases.items():
    if _case_name not in SUITES:
        continue
    for _attr in [a for a in dir(_case) if a.startswith("test_")]:
        if not (_case_name == "OnnxBackendNodeModelTest" and _sample(_attr)):
            setattr(_case, _attr, pytest.mark.slow(getattr(_case, _attr)))
    globals()[_case_name] = _case
