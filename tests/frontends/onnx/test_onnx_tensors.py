"""Tensors in every ONNX encoding become the same bytes, without Python lists."""

from __future__ import annotations

import os
from pathlib import Path

import ml_dtypes
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx_frontend_helpers import ops_named, round_trip
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr

from infer.diagnostics import InferError
from infer.dialects.onnx.types import StringTensorAttr
from infer.frontends.onnx.importer import import_model


def _model(initializers: list[TensorProto], opset: int = 17) -> onnx.ModelProto:
    """A model whose outputs are its initializers."""
    outputs = [helper.make_empty_tensor_value_info(t.name) for t in initializers]
    graph = helper.make_graph([], "tensors", [], outputs, initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _constant_bytes(module, name: str) -> bytes:
    for op in ops_named(module, "onnx.Constant"):
        if op.results[0].name_hint == name:
            value = op.attributes["value"]
            assert isinstance(value, DenseIntOrFPElementsAttr)
            return value.data.data
    raise AssertionError(f"no constant {name}")


NUMPY_TYPES = [
    np.float32,
    np.float64,
    np.float16,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
    np.bool_,
    np.complex64,
    np.complex128,
]


def _random(rng: np.random.Generator, dtype: type, shape: tuple[int, ...]) -> np.ndarray:
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 2, shape).astype(np.bool_)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    values = rng.standard_normal(shape).astype(dtype)
    values.reshape(-1)[:3] = [np.nan, -0.0, np.inf]
    return values


@pytest.mark.parametrize("dtype", NUMPY_TYPES, ids=lambda d: np.dtype(d).name)
def test_raw_and_typed_fields_give_the_same_bytes(dtype: type, rng: np.random.Generator) -> None:
    array = _random(rng, dtype, (3, 4, 5))
    raw = numpy_helper.from_array(array, "raw")
    assert raw.HasField("raw_data")
    onnx_type = helper.np_dtype_to_tensor_dtype(array.dtype)
    typed = helper.make_tensor("typed", onnx_type, array.shape, array.reshape(-1).tolist())
    assert not typed.HasField("raw_data")
    module, _ = round_trip(_model([raw, typed]))
    expected = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
    assert _constant_bytes(module, "raw") == expected
    assert _constant_bytes(module, "typed") == expected


ML_TYPES = {
    TensorProto.BFLOAT16: ml_dtypes.bfloat16,
    TensorProto.FLOAT8E4M3FN: ml_dtypes.float8_e4m3fn,
    TensorProto.FLOAT8E4M3FNUZ: ml_dtypes.float8_e4m3fnuz,
    TensorProto.FLOAT8E5M2: ml_dtypes.float8_e5m2,
    TensorProto.FLOAT8E5M2FNUZ: ml_dtypes.float8_e5m2fnuz,
    TensorProto.FLOAT8E8M0: ml_dtypes.float8_e8m0fnu,
    TensorProto.INT4: ml_dtypes.int4,
    TensorProto.UINT4: ml_dtypes.uint4,
    TensorProto.FLOAT4E2M1: ml_dtypes.float4_e2m1fn,
    TensorProto.INT2: ml_dtypes.int2,
    TensorProto.UINT2: ml_dtypes.uint2,
    TensorProto.FLOAT6E2M3: ml_dtypes.float6_e2m3fn,
    TensorProto.FLOAT6E3M2: ml_dtypes.float6_e3m2fn,
}


@pytest.mark.parametrize("onnx_type", list(ML_TYPES), ids=lambda t: TensorProto.DataType.Name(t))
def test_types_numpy_lacks_are_stored_one_element_per_storage_unit(onnx_type: int, rng: np.random.Generator) -> None:
    """bfloat16 takes two bytes, float8 one; sub-byte types are unpacked to one
    byte each, signed ones sign-extended (as MLIR stores them)."""
    dtype = ML_TYPES[onnx_type]
    info = ml_dtypes.finfo(dtype) if onnx_type not in (22, 21, 25, 26) else ml_dtypes.iinfo(dtype)
    values = rng.uniform(float(info.min) / 2, float(info.max) / 2, 7).astype(np.float32)
    if onnx_type == TensorProto.FLOAT8E8M0:
        values = np.exp2(rng.integers(-8, 8, 7)).astype(np.float32)
    array = values.astype(dtype)
    typed = helper.make_tensor("typed", onnx_type, [7], array.astype(np.float32).tolist())
    raw = numpy_helper.from_array(array, "raw")
    assert raw.HasField("raw_data") and not typed.HasField("raw_data")
    module, _ = round_trip(_model([raw, typed], opset=onnx.defs.onnx_opset_version()))
    if np.issubdtype(np.dtype(dtype), np.signedinteger) or onnx_type in (TensorProto.INT4, TensorProto.INT2):
        expected = array.astype(np.int8).tobytes()
    else:
        expected = array.tobytes()
    assert _constant_bytes(module, "raw") == expected
    assert _constant_bytes(module, "typed") == expected


def test_string_initializers_and_constants_keep_their_bytes() -> None:
    values = np.array([b"alpha", "\u00e9t\u00e9".encode(), b"\xff\x00bin", b""], dtype=object).reshape(2, 2)
    initializer = numpy_helper.from_array(values, "words")
    constant = helper.make_node(
        "Constant", [], ["c"], name="const", value=helper.make_tensor("v", TensorProto.STRING, [2], [b"x", b"y z"])
    )
    graph = helper.make_graph(
        [constant, helper.make_node("Identity", ["words"], ["w"])],
        "strings",
        [],
        [helper.make_empty_tensor_value_info("c"), helper.make_empty_tensor_value_info("w")],
        [initializer],
    )
    module, text = round_trip(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
    attrs = [op.attributes["value"] for op in ops_named(module, "onnx.Constant")]
    assert all(isinstance(a, StringTensorAttr) for a in attrs)
    by_shape = {tuple(a.type.get_shape()): a.strings() for a in attrs}  # type: ignore[attr-defined]
    assert by_shape[(2, 2)] == list(values.reshape(-1))
    assert by_shape[(2,)] == [b"x", b"y z"]
    assert "tensor<2x2x!onnx.string>" in text


def test_constant_node_attribute_forms() -> None:
    sparse = helper.make_sparse_tensor(
        helper.make_tensor("values", TensorProto.FLOAT, [2], [5.0, 7.0]),
        helper.make_tensor("indices", TensorProto.INT64, [2], [1, 4]),
        [2, 3],
    )
    nodes = [
        helper.make_node("Constant", [], ["f"], value_float=0.5),
        helper.make_node("Constant", [], ["fs"], value_floats=[1.0, 2.0]),
        helper.make_node("Constant", [], ["i"], value_int=3),
        helper.make_node("Constant", [], ["is"], value_ints=[4, 5]),
        helper.make_node("Constant", [], ["s"], value_string="hi"),
        helper.make_node("Constant", [], ["ss"], value_strings=["a", "b"]),
        helper.make_node("Constant", [], ["sp"], sparse_value=sparse),
    ]
    outputs = [helper.make_empty_tensor_value_info(n.output[0]) for n in nodes]
    graph = helper.make_graph(nodes, "constants", [], outputs)
    module, text = round_trip(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
    assert "value_float = 5.000000e-01 : f32" in text
    assert "value_ints = array<i64: 4, 5>" in text
    assert 'value_strings = ["a", "b"]' in text
    sparse_op = next(op for op in ops_named(module, "onnx.Constant") if "sparse_value" in op.attributes)
    dense = np.frombuffer(sparse_op.attributes["sparse_value"].data.data, np.float32)  # type: ignore[attr-defined]
    np.testing.assert_array_equal(dense, [0, 5, 0, 0, 7, 0])


def test_mismatched_sizes_are_diagnostics() -> None:
    short = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4], raw_data=b"\x00" * 12)
    with pytest.raises(InferError, match=r"tensor 'w' has 12 bytes of data but its shape \[4\] needs 16"):
        import_model(_model([short]))
    typed = TensorProto(name="v", data_type=TensorProto.INT64, dims=[3], int64_data=[1, 2])
    with pytest.raises(InferError, match=r"tensor 'v' holds 2 values but its shape \[3\] needs 3"):
        import_model(_model([typed]))


# -- external data -------------------------------------------------------------------------


def _save_external(model: onnx.ModelProto, directory: Path) -> Path:
    path = directory / "model.onnx"
    onnx.save_model(model, path, save_as_external_data=True, location="weights.bin", size_threshold=0)
    return path


def test_external_data_is_read_from_the_model_directory(tmp_path: Path, rng: np.random.Generator) -> None:
    a = rng.standard_normal((64, 32)).astype(np.float32)
    b = rng.integers(-100, 100, (10,)).astype(np.int64)
    model = _model([numpy_helper.from_array(a, "a"), numpy_helper.from_array(b, "b")])
    path = _save_external(model, tmp_path)
    assert (tmp_path / "weights.bin").exists()
    assert onnx.load(path, load_external_data=False).graph.initializer[0].data_location == TensorProto.EXTERNAL
    module, _ = round_trip(path)
    assert _constant_bytes(module, "a") == a.tobytes()
    assert _constant_bytes(module, "b") == b.tobytes()


def _with_location(path: Path, location: str) -> None:
    model = onnx.load(path, load_external_data=False)
    for tensor in model.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = location
    onnx.save_model(model, path)


@pytest.mark.parametrize("kind", ["parent", "absolute", "symlink"])
def test_external_data_outside_the_model_directory_is_refused(kind: str, tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    path = _save_external(_model([numpy_helper.from_array(np.ones(8, np.float32), "w")]), model_dir)
    outside = tmp_path / "secret.bin"
    outside.write_bytes((model_dir / "weights.bin").read_bytes())
    if kind == "parent":
        _with_location(path, "../secret.bin")
    elif kind == "absolute":
        _with_location(path, str(outside))
    else:
        (model_dir / "link.bin").symlink_to(outside)
        _with_location(path, "link.bin")
    with pytest.raises(InferError, match="outside the model's directory") as error:
        import_model(path)
    assert str(path) in str(error.value)


def test_external_data_symlink_inside_the_directory_is_fine(tmp_path: Path) -> None:
    path = _save_external(_model([numpy_helper.from_array(np.arange(8, dtype=np.float32), "w")]), tmp_path)
    (tmp_path / "data").mkdir()
    os.replace(tmp_path / "weights.bin", tmp_path / "data" / "real.bin")
    (tmp_path / "weights.bin").symlink_to(tmp_path / "data" / "real.bin")
    module, _ = round_trip(path)
    assert _constant_bytes(module, "w") == np.arange(8, dtype=np.float32).tobytes()


def test_external_data_problems_are_diagnostics(tmp_path: Path) -> None:
    path = _save_external(_model([numpy_helper.from_array(np.ones(8, np.float32), "w")]), tmp_path)
    with pytest.raises(InferError, match="the model was not loaded from a file"):
        import_model(path.read_bytes())
    assert import_model(path.read_bytes(), base_dir=tmp_path) is not None
    (tmp_path / "weights.bin").write_bytes(b"\x00" * 16)
    with pytest.raises(InferError, match="does not hold the 32 bytes its shape"):
        import_model(path)
    (tmp_path / "weights.bin").unlink()
    with pytest.raises(InferError, match=r"cannot read external data 'weights\.bin'"):
        import_model(path)
