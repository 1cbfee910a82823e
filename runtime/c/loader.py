"""Loading a built model with ctypes and running it on numpy arrays.

    model = CModel(result.library, result.weights, threads=1)
    outputs = model.run({"x": array})      # {"y": array}; or model.run([array])
    model.memory()                          # (arena bytes, sum of intermediate bytes) of the last run

Inputs are passed as they are (made C-contiguous, never converted): the
library checks dtype, rank and dims against the model's signature, and its
message comes back as an `InferError`. Outputs are copied out of the model's
buffers, so they stay valid after the next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from infer.diagnostics import InferError
from infer.dialects.dtypes import BY_ONNX, NARROW_INTS
from infer.runtime.c.ctype import BY_DTYPE_NAME

NUMPY_BY_CODE: dict[int, np.dtype] = {
    t.dtype: dtype for t in BY_DTYPE_NAME.values() if (dtype := BY_ONNX[t.dtype].numpy) is not None
}
"""The numpy dtype of each descriptor dtype code (ml_dtypes' for bf16, float8, int4, ...)."""
CODE_BY_NUMPY = {dtype: code for code, dtype in NUMPY_BY_CODE.items()}
SIGN_EXTENDED = {dtype for dtype, (_, signed) in NARROW_INTS.items() if signed}
"""Signed sub-byte integers: the C target stores them sign-extended in a byte, ml_dtypes in the low bits."""

STATUS = {
    1: "bad argument",
    2: "bad shape",
    3: "bad dtype",
    4: "out of memory",
    5: "bad weights",
}


class Tensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("dtype", ctypes.c_int32),
        ("rank", ctypes.c_int32),
        ("dims", ctypes.POINTER(ctypes.c_int64)),
    ]


def _declare(lib: ctypes.CDLL) -> None:
    c_model = ctypes.c_void_p
    lib.infer_model_create.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(c_model)]
    lib.infer_model_create.restype = ctypes.c_int
    lib.infer_model_run.argtypes = [c_model, ctypes.POINTER(Tensor), ctypes.c_int, ctypes.POINTER(Tensor), ctypes.c_int]
    lib.infer_model_run.restype = ctypes.c_int
    lib.infer_model_destroy.argtypes = [c_model]
    lib.infer_model_destroy.restype = None
    lib.infer_model_error.argtypes = [c_model]
    lib.infer_model_error.restype = ctypes.c_char_p
    lib.infer_model_memory.argtypes = [c_model, ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64)]
    lib.infer_model_memory.restype = ctypes.c_int
    for kind in ("input", "output"):
        getattr(lib, f"infer_model_{kind}_name").argtypes = [ctypes.c_int]
        getattr(lib, f"infer_model_{kind}_name").restype = ctypes.c_char_p
        getattr(lib, f"infer_model_{kind}_dtype").argtypes = [ctypes.c_int]
        getattr(lib, f"infer_model_{kind}_rank").argtypes = [ctypes.c_int]
        getattr(lib, f"infer_model_{kind}_dim").argtypes = [ctypes.c_int, ctypes.c_int]
        getattr(lib, f"infer_model_{kind}_dim").restype = ctypes.c_int64
        getattr(lib, f"infer_model_{kind}_dim_symbol").argtypes = [ctypes.c_int, ctypes.c_int]
        getattr(lib, f"infer_model_{kind}_dim_symbol").restype = ctypes.c_char_p


class IOSpec:
    """One input or output of the signature."""

    def __init__(self, name: str, dtype: np.dtype, dims: tuple[int | None, ...], symbols: tuple[str, ...]):
        self.name = name
        self.dtype = dtype
        self.dims = dims
        """None where dynamic."""
        self.symbols = symbols

    def __repr__(self) -> str:
        dims = ", ".join(s or (str(d) if d is not None else "?") for d, s in zip(self.dims, self.symbols))
        return f"{self.name}: {self.dtype} [{dims}]"


class CModel:
    """A compiled model loaded in this process."""

    def __init__(self, library: str | os.PathLike[str], weights: str | os.PathLike[str] | None, threads: int = 1):
        self.library_path = Path(library)
        try:
            self._lib = ctypes.CDLL(str(self.library_path))
        except OSError as e:
            raise InferError(f"cannot load the model library: {e}", file=str(library)) from None
        _declare(self._lib)
        self._handle = ctypes.c_void_p()
        path = os.fsencode(weights) if weights is not None else None
        status = self._lib.infer_model_create(path, int(threads), ctypes.byref(self._handle))
        if status != 0:
            message = self._lib.infer_model_error(None).decode(errors="replace")
            raise InferError(message or STATUS.get(status, f"status {status}"), file=str(library))
        self.inputs = [self._spec("input", i) for i in range(self._lib.infer_model_num_inputs())]
        self.outputs = [self._spec("output", i) for i in range(self._lib.infer_model_num_outputs())]

    def _spec(self, kind: str, i: int) -> IOSpec:
        lib = self._lib
        name = getattr(lib, f"infer_model_{kind}_name")(i).decode()
        code = getattr(lib, f"infer_model_{kind}_dtype")(i)
        rank = getattr(lib, f"infer_model_{kind}_rank")(i)
        dims = tuple(getattr(lib, f"infer_model_{kind}_dim")(i, d) for d in range(rank))
        symbols = tuple(getattr(lib, f"infer_model_{kind}_dim_symbol")(i, d).decode() for d in range(rank))
        return IOSpec(name, NUMPY_BY_CODE[code], tuple(d if d >= 0 else None for d in dims), symbols)

    @property
    def input_names(self) -> list[str]:
        return [s.name for s in self.inputs]

    @property
    def output_names(self) -> list[str]:
        return [s.name for s in self.outputs]

    def _ordered(self, inputs: Mapping[str, Any] | Sequence[Any]) -> list[np.ndarray]:
        names = self.input_names
        if isinstance(inputs, Mapping):
            missing = [n for n in names if n not in inputs]
            if missing:
                raise InferError(f"missing input '{missing[0]}'", hint=f"the model's inputs are {', '.join(names)}")
            unknown = [n for n in inputs if n not in names]
            if unknown:
                raise InferError(f"unknown input '{unknown[0]}'", hint=f"the model's inputs are {', '.join(names)}")
            values = [inputs[n] for n in names]
        else:
            values = list(inputs)
            if len(values) != len(names):
                raise InferError(f"the model takes {len(names)} inputs, got {len(values)}")
        return [np.asarray(v, order="C") for v in values]  # (ascontiguousarray makes 0-d arrays 1-d)

    def run(self, inputs: Mapping[str, Any] | Sequence[Any]) -> dict[str, np.ndarray]:
        """Runs the model; outputs by name, copied out of the model's buffers."""
        if not self._handle:
            raise InferError("the model was closed")
        arrays = self._ordered(inputs)
        n_in, n_out = len(arrays), len(self.outputs)
        tensors = (Tensor * max(1, n_in))()
        dims_keep = []
        for i, (spec, a) in enumerate(zip(self.inputs, arrays)):
            code = CODE_BY_NUMPY.get(a.dtype)
            if code is None:
                raise InferError(
                    f"input '{spec.name}': dtype {a.dtype} is not supported", hint=f"expected {spec.dtype}"
                )
            if a.dtype in SIGN_EXTENDED:
                a = arrays[i] = a.astype(np.int8)
            dims = (ctypes.c_int64 * max(1, a.ndim))(*a.shape)
            dims_keep.append(dims)
            tensors[i] = Tensor(a.ctypes.data if a.size else None, code, a.ndim, dims)
        outs = (Tensor * max(1, n_out))()
        status = self._lib.infer_model_run(self._handle, tensors, n_in, outs, n_out)
        if status != 0:
            raise InferError(self._lib.infer_model_error(self._handle).decode(errors="replace"))
        result: dict[str, np.ndarray] = {}
        for spec, t in zip(self.outputs, outs):
            shape = tuple(t.dims[d] for d in range(t.rank))
            dtype = NUMPY_BY_CODE[t.dtype]
            count = int(np.prod(shape, dtype=np.int64))
            if count == 0:
                result[spec.name] = np.empty(shape, dtype)
                continue
            buffer = (ctypes.c_char * (count * dtype.itemsize)).from_address(t.data)
            if dtype in SIGN_EXTENDED:
                result[spec.name] = np.frombuffer(buffer, dtype=np.int8).reshape(shape).astype(dtype)  # type: ignore[call-overload]
                continue
            result[spec.name] = np.frombuffer(buffer, dtype=dtype).reshape(shape).copy()  # type: ignore[call-overload]
        del arrays, dims_keep
        return result

    def memory(self) -> tuple[int, int]:
        """(arena bytes, sum of the intermediate buffers' bytes) in the last run."""
        arena, total = ctypes.c_int64(), ctypes.c_int64()
        if self._lib.infer_model_memory(self._handle, ctypes.byref(arena), ctypes.byref(total)) != 0:
            raise InferError("no memory figures before the first run")
        return arena.value, total.value

    def close(self) -> None:
        if self._handle:
            self._lib.infer_model_destroy(self._handle)
            self._handle = ctypes.c_void_p()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def __enter__(self) -> CModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
