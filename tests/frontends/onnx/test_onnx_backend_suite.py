"""Every model of the onnx wheel's backend test suites imports, verifies, prints in
full and parses back to identical text.

The node suite (1,800+ one-node models of every operator, built in memory by
`onnx.backend.test.loader`, as `BackendTest` does) and the model suites on disk
(`simple`, `pytorch-converted`, `pytorch-operator`, and `light`, the small
versions of the `real` models). The default run takes a sample that covers
each kind of construct (regions, sequences, optionals, maps, strings, all
element types, inlined functions); `--runslow` runs every model.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import onnx
import pytest
from onnx_frontend_helpers import round_trip

DATA = Path(onnx.__file__).parent / "backend" / "test" / "data"
KINDS = ("node", "simple", "pytorch-converted", "pytorch-operator", "light")

Source = onnx.ModelProto | Path


@cache
def cases(kind: str) -> dict[str, Source]:
    """Name -> model (node cases in memory, the others as files)."""
    from onnx.backend.test.loader import load_model_tests, load_node_model_tests

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the case generators trip numpy overflow warnings
        if kind == "node":
            return {c.name: c.model for c in load_node_model_tests()}
    if kind == "light":
        return {p.stem: p for p in sorted((DATA / "light").glob("*.onnx"))}
    return {c.name: Path(c.model_dir) / "model.onnx" for c in load_model_tests(kind=kind) if c.model_dir}


REPRESENTATIVE = {
    "node": [
        "test_if",
        "test_if_seq",
        "test_if_opt",
        "test_loop11",
        "test_loop16_seq_none",
        "test_scan9_sum",
        "test_range_float_type_positive_delta_expanded",
        "test_sequence_map_identity_1_sequence",
        "test_optional_get_element_optional_sequence",
        "test_optional_has_element_empty_optional_input",
        "test_ai_onnx_ml_label_encoder_tensor_mapping",
        "test_ai_onnx_ml_tree_ensemble_set_membership",
        "test_ai_onnx_ml_array_feature_extractor",
        "test_strnormalizer_export_monday_casesensintive_lower",
        "test_regex_full_match_basic",
        "test_cast_FLOAT_to_FLOAT8E4M3FN",
        "test_cast_FLOAT_to_BFLOAT16",
        "test_dequantizelinear_int4",
        "test_quantizelinear_int2",
        "test_quantizelinear_float4e2m1",
        "test_affine_grid_3d_expanded",
        "test_attention_3d_expanded",
        "test_constant_pad",
        "test_conv_with_strides_padding",
        "test_adagrad",
        "test_momentum",
        "test_flexattention_causal_mask_expanded_ver26",
        "test_split_variable_parts_1d_opset18",
        "test_gru_defaults",
    ],
}
"""Cases of the default sample besides every SAMPLE_STEP-th one."""

SAMPLE_STEP = {"node": 40, "simple": 3, "pytorch-converted": 8, "pytorch-operator": 5, "light": 6}


def _failures(selected: Iterable[tuple[str, Source]]) -> tuple[int, list[str]]:
    count, failures = 0, []
    for name, source in selected:
        count += 1
        try:
            round_trip(source)
        except Exception as e:
            failures.append(f"{name}: {type(e).__name__}: {str(e).strip().splitlines()[0] if str(e) else ''}")
    return count, failures


@pytest.mark.parametrize("kind", KINDS)
def test_backend_sample(kind: str) -> None:
    every = cases(kind)
    names = list(every)[:: SAMPLE_STEP[kind]]
    missing = [n for n in REPRESENTATIVE.get(kind, []) if n not in every]
    assert not missing, f"representative cases not in this onnx version: {missing}"
    names += [n for n in REPRESENTATIVE.get(kind, []) if n not in names]
    count, failures = _failures((n, every[n]) for n in names)
    assert count > 0
    assert not failures, "\n".join(failures)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_backend_all(kind: str) -> None:
    count, failures = _failures(cases(kind).items())
    print(f"{kind}: {count - len(failures)} of {count} models import, verify, print and parse back")
    assert count >= {"node": 1800}.get(kind, 1)
    assert not failures, f"{len(failures)} of {count} failed:\n" + "\n".join(failures)
