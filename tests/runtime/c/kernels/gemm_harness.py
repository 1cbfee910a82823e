"""The GEMM kernels, epilogue and thread pool from Python, for tests and bench/gemm.py.

    lib = GemmLib.build(cache_dir)            # the kernel library as build.py builds it + gemm_harness.c
    with lib.context(threads=2) as ctx:
        c = lib.gemm(ctx, a, b, bias=..., act="relu")             # infer_gemm_f32
        packed = lib.pack_b(w)                                     # infer_pack_gemm_b
        c = lib.gemm_packed(ctx, a, packed, n=w.shape[1])          # infer_gemm_packed_f32
        c = lib.run(ctx, a, b, isa=AVX2, a_kind=..., b_kind=...)   # the driver, any micro-kernel

Arrays are float32; results are new arrays. Matrices are passed with their
leading dimension (the row stride of a 2-D view), so sliced views test
leading dimensions larger than the row.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from infer.runtime.c.build import (
    BASE_FLAGS,
    LINK_LIBS,
    OPENBLAS_SOURCE,
    OPT_FLAGS,
    build_kernels,
    find_compiler,
    kernel_include_dirs,
    openblas_link_flags,
)

HERE = Path(__file__).parent
HARNESS = HERE / "gemm_harness.c"
GEMM_SOURCES = ("threads.c", "epilogue.c", "gemm.c", "gemm_avx512.c", "gemm_avx2.c")
"""The kernel library's sources these tests need (the others are tested on their own)."""

GENERIC, AVX2, AVX512, AUTO = 0, 1, 2, -1
PLAIN, PACKED, CALLBACK = 0, 1, 2
SIDE_A, SIDE_B = 0, 1
BIAS_COLUMN, BIAS_ROW = 0, 1

ACTIVATIONS = {
    "none": 0,
    "relu": 1,
    "clip": 2,
    "leaky_relu": 3,
    "sigmoid": 4,
    "hard_sigmoid": 5,
    "hard_swish": 6,
    "silu": 7,
    "tanh": 8,
    "gelu": 9,
    "gelu_tanh": 10,
}
"""INFER_ACT_* of infer_kernels.h, by the epilogue names of dialects/infer/epilogue.py."""

F32P = ctypes.POINTER(ctypes.c_float)
I64P = ctypes.POINTER(ctypes.c_int64)
I32P = ctypes.POINTER(ctypes.c_int32)
i64, i32, f32, vp = ctypes.c_int64, ctypes.c_int32, ctypes.c_float, ctypes.c_void_p


def _ptr(x: np.ndarray | None) -> int | None:
    return None if x is None else x.ctypes.data


def _ld(x: np.ndarray) -> int:
    """The leading dimension (row stride in elements) of a 2-D float32 view with unit column stride."""
    assert x.dtype == np.float32 and x.ndim == 2, x.dtype
    if x.size == 0:
        return max(x.shape[1], 1)
    assert x.strides[1] == 4, x.strides
    return x.strides[0] // 4 if x.shape[0] > 1 else max(x.shape[1], 1)


@dataclass
class Arch:
    isa: int
    mr: int
    nr: int
    kc: int
    mc: int
    nc: int
    name: str


class GemmLib:
    """gemm_harness.c linked with the kernel library."""

    def __init__(self, path: Path, openblas: bool = False):
        self.path = path
        self.lib = ctypes.CDLL(str(path))
        self.openblas = openblas
        L = self.lib
        L.h_ctx_create.argtypes = [ctypes.c_int]
        L.h_ctx_create.restype = vp
        L.h_ctx_destroy.argtypes = [vp]
        L.h_ctx_message.argtypes = [vp]
        L.h_ctx_message.restype = ctypes.c_char_p
        L.h_arch.argtypes = [ctypes.c_int, I32P]
        L.h_arch_name.argtypes = [ctypes.c_int]
        L.h_arch_name.restype = ctypes.c_char_p
        gemm_args = [vp, i64, i64, i64, i64, vp, i64, i64, i32, vp, i64, i64, i32, vp, i64, i64, vp, vp, i32, f32, f32]
        L.h_gemm_f32.argtypes = gemm_args
        if openblas:
            L.h_gemm_openblas_f32.argtypes = gemm_args
        L.h_peak_gflops.argtypes = [ctypes.c_int]
        L.h_peak_gflops.restype = ctypes.c_double
        L.h_gemm_packed_f32.argtypes = [vp, i64, i64, i64, i64, vp, i64, i64, i32, vp, vp, i64, i64, vp, vp, i32]
        L.h_gemm_packed_f32.argtypes += [f32, f32]
        L.h_pack_gemm_b_size.argtypes = [i64, i64]
        L.h_pack_gemm_b_size.restype = i64
        L.h_pack_gemm_b.argtypes = [vp, i64, i32, i64, i64, vp]
        L.h_pack_size.argtypes = [ctypes.c_int, I32P, i32, i64, i64]
        L.h_pack_size.restype = i64
        L.h_pack.argtypes = [ctypes.c_int, I32P, i32, vp, i64, i32, i64, i64, vp]
        L.h_gemm_run.argtypes = [vp, ctypes.c_int, I32P, I32P, I64P, vp, I64P, vp, I64P, vp, I64P, vp, vp, I32P, F32P]
        L.h_activate.argtypes = [i32, f32, f32, vp, i64]
        L.h_epilogue_apply.argtypes = [I32P, F32P, vp, vp, i64, vp, i64, i64, i64, i64, i64]
        L.h_parallel_visit.argtypes = [vp, i64, i64, ctypes.c_int, i64, vp, vp, I64P]
        L.h_threads.argtypes = [vp]
        L.h_scratch.argtypes = [ctypes.c_int, i64]

    @classmethod
    def build(
        cls,
        cache_dir: str | Path,
        *,
        opt_flags: Sequence[str] = OPT_FLAGS,
        extra_flags: Sequence[str] = (),
        defines: Sequence[str] = (),
        name: str = "gemm_harness",
        openblas: bool = False,
    ) -> GemmLib:
        """The kernel library with a model's flags (build_kernels), plus the harness, as one shared library;
        with `openblas`, also gemm_openblas.c linked with scipy-openblas32 as build.py links a model that uses it."""
        flags = [*opt_flags, *BASE_FLAGS, *extra_flags, *defines]
        archive = build_kernels(cache_dir, flags=flags, only=GEMM_SOURCES)
        sources = [HARNESS]
        link: list[str] = []
        if openblas:
            sources.append(kernel_include_dirs()[0] / OPENBLAS_SOURCE)
            link = openblas_link_flags()
            flags.append("-DINFER_HARNESS_OPENBLAS")
        text = b"".join(s.read_bytes() for s in sources) + archive.name.encode() + " ".join(link).encode()
        digest = hashlib.blake2b(text, digest_size=8).hexdigest()
        out = Path(cache_dir) / f"{name}-{digest}.so"
        if not out.exists():
            compiler = find_compiler(None)
            includes = [f"-I{d}" for d in kernel_include_dirs()]
            cmd = [compiler, *flags, *includes, "-shared", "-o", str(out), *map(str, sources), str(archive)]
            subprocess.run([*cmd, *link, *LINK_LIBS], check=True, capture_output=True, text=True)
        return cls(out, openblas=openblas)

    # -- context ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def context(self, threads: int = 1) -> Iterator[int]:
        ctx = self.lib.h_ctx_create(threads)
        assert ctx, "h_ctx_create failed"
        try:
            yield ctx
        finally:
            self.lib.h_ctx_destroy(ctx)

    def peak_gflops(self, rounds: int = 5) -> float:
        """One core's f32 FMA peak, measured (the widest vectors this CPU has)."""
        return float(self.lib.h_peak_gflops(rounds))

    def message(self, ctx: int) -> str:
        return self.lib.h_ctx_message(ctx).decode()

    def arch(self, isa: int = AUTO) -> Arch | None:
        out = (ctypes.c_int32 * 6)()
        if not self.lib.h_arch(isa, out):
            return None
        return Arch(*out, name=self.lib.h_arch_name(isa).decode())

    # -- entry points ------------------------------------------------------------------------

    def gemm(
        self,
        ctx: int | None,
        a: np.ndarray,
        b: np.ndarray,
        *,
        trans_a: bool = False,
        trans_b: bool = False,
        bias: np.ndarray | None = None,
        residual: np.ndarray | None = None,
        act: str = "none",
        params: tuple[float, float] = (0.0, 0.0),
        out: np.ndarray | None = None,
        provider: str = "ours",
    ) -> np.ndarray:
        """infer_gemm_f32 on 2-D operands (a batch of one) or 3-D ones (a batch; a 2-D operand broadcasts);
        infer_gemm_openblas_f32 with provider="openblas"."""
        batch, (m, k), (k2, n) = _batch_shapes(a, b, trans_a, trans_b)
        assert k == k2, (a.shape, b.shape)
        c = out if out is not None else np.full((batch, m, n), np.nan, np.float32)
        c3 = c.reshape(batch, m, n) if c.ndim == 2 else c
        a3, sa = _as3(a)
        b3, sb = _as3(b)
        if residual is not None:
            assert residual.shape == c3.shape and residual.strides == c3.strides
        entry = self.lib.h_gemm_openblas_f32 if provider == "openblas" else self.lib.h_gemm_f32
        status = entry(
            ctx,
            batch,
            m,
            n,
            k,
            _ptr(a3),
            _ld(a3[0]),
            sa,
            trans_a,
            _ptr(b3),
            _ld(b3[0]),
            sb,
            trans_b,
            _ptr(c3),
            _ld(c3[0]),
            c3.strides[0] // 4,
            _ptr(bias),
            _ptr(residual),
            ACTIVATIONS[act],
            params[0],
            params[1],
        )
        assert status == 0, status
        return c

    def pack_b(self, b: np.ndarray, trans_b: bool = False) -> np.ndarray:
        """infer_pack_gemm_b: a 64-byte aligned buffer of the packed weights."""
        k, n = (b.shape[1], b.shape[0]) if trans_b else b.shape
        size = self.lib.h_pack_gemm_b_size(k, n)
        packed = aligned_bytes(size)
        self.lib.h_pack_gemm_b(_ptr(b), _ld(b), trans_b, k, n, _ptr(packed))
        return packed

    def gemm_packed(
        self,
        ctx: int | None,
        a: np.ndarray,
        packed: np.ndarray,
        n: int,
        *,
        trans_a: bool = False,
        bias: np.ndarray | None = None,
        residual: np.ndarray | None = None,
        act: str = "none",
        params: tuple[float, float] = (0.0, 0.0),
        out: np.ndarray | None = None,
        status_ok: bool = True,
    ) -> np.ndarray | int:
        """infer_gemm_packed_f32; with status_ok=False, returns the status instead of asserting it is 0."""
        a3, sa = _as3(a)
        batch = a3.shape[0]
        m, k = (a3.shape[2], a3.shape[1]) if trans_a else a3.shape[1:]
        c = out if out is not None else np.full((batch, m, n), np.nan, np.float32)
        c3 = c.reshape(batch, m, n) if c.ndim == 2 else c
        status = self.lib.h_gemm_packed_f32(
            ctx,
            batch,
            m,
            n,
            k,
            _ptr(a3),
            _ld(a3[0]),
            sa,
            trans_a,
            _ptr(packed),
            _ptr(c3),
            _ld(c3[0]),
            c3.strides[0] // 4,
            _ptr(bias),
            _ptr(residual),
            ACTIVATIONS[act],
            params[0],
            params[1],
        )
        if not status_ok:
            return status
        assert status == 0, status
        return c

    # -- the driver --------------------------------------------------------------------------

    def pack(
        self, isa: int, side: int, x: np.ndarray, trans: bool, rows: int, k: int, blocking: Sequence[int] | None = None
    ) -> np.ndarray:
        """infer_gemm_pack for micro-kernel `isa` (with blocking (kc, mc, nc[, -1: never read A in place])
        where not 0)."""
        block = None if blocking is None else (ctypes.c_int32 * 4)(*blocking, *[0] * (4 - len(blocking)))
        size = self.lib.h_pack_size(isa, block, side, rows, k)
        assert size > 0
        packed = aligned_bytes(size)
        assert self.lib.h_pack(isa, block, side, _ptr(x), _ld(x), trans, rows, k, _ptr(packed)) == 0
        return packed

    def run(
        self,
        ctx: int | None,
        a: np.ndarray,
        b: np.ndarray,
        *,
        isa: int = AUTO,
        a_kind: int = PLAIN,
        b_kind: int = PLAIN,
        trans_a: bool = False,
        trans_b: bool = False,
        bias: np.ndarray | None = None,
        bias_axis: int = BIAS_COLUMN,
        residual: np.ndarray | None = None,
        act: str = "none",
        params: tuple[float, float] = (0.0, 0.0),
        blocking: Sequence[int] | None = None,
        packed: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
        out: np.ndarray | None = None,
    ) -> np.ndarray:
        """infer_gemm_run with micro-kernel `isa` (blocking (kc, mc, nc[, -1: never read A in place]) where
        not 0) and operands plain,
        prepacked (2-D only; `packed` gives them packed already) or packed by a callback."""
        batch, (m, k), (_, n) = _batch_shapes(a, b, trans_a, trans_b)
        a3, sa = _as3(a)
        b3, sb = _as3(b)
        da: np.ndarray = a3
        db: np.ndarray = b3
        if a_kind == PACKED:
            assert sa == 0
            da = packed[0] if packed[0] is not None else self.pack(isa, SIDE_A, a3[0], trans_a, m, k, blocking)
        if b_kind == PACKED:
            assert sb == 0
            db = packed[1] if packed[1] is not None else self.pack(isa, SIDE_B, b3[0], trans_b, n, k, blocking)
        c = out if out is not None else np.full((batch, m, n), np.nan, np.float32)
        kinds = (ctypes.c_int32 * 2)(a_kind, b_kind)
        dims = (ctypes.c_int64 * 4)(batch, m, n, k)
        la = (ctypes.c_int64 * 3)(_ld(a3[0]), sa, trans_a)
        lb = (ctypes.c_int64 * 3)(_ld(b3[0]), sb, trans_b)
        lc = (ctypes.c_int64 * 3)(n, m * n, n)
        ints = (ctypes.c_int32 * 2)(ACTIVATIONS[act], bias_axis)
        floats = (ctypes.c_float * 2)(*params)
        if residual is not None:
            residual = np.ascontiguousarray(residual, np.float32).reshape(batch, m, n)
        block = None if blocking is None else (ctypes.c_int32 * 4)(*blocking, *[0] * (4 - len(blocking)))
        status = self.lib.h_gemm_run(
            ctx,
            isa,
            block,
            kinds,
            dims,
            _ptr(da),
            la,
            _ptr(db),
            lb,
            _ptr(c),
            lc,
            _ptr(bias),
            _ptr(residual),
            ints,
            floats,
        )
        assert status == 0, status
        return c

    # -- epilogue ----------------------------------------------------------------------------

    def activate(self, x: np.ndarray, act: str, params: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
        y = np.array(x, np.float32, copy=True)
        self.lib.h_activate(ACTIVATIONS[act], params[0], params[1], _ptr(y), y.size)
        return y


def aligned_bytes(size: int) -> np.ndarray:
    """A zeroed uint8 array of `size` bytes starting on a 64-byte boundary."""
    raw = np.zeros(size + 64, np.uint8)
    offset = (-raw.ctypes.data) % 64
    return raw[offset : offset + size]


def _as3(x: np.ndarray) -> tuple[np.ndarray, int]:
    """A 3-D view and its batch stride in elements (0 for a 2-D operand: broadcast)."""
    if x.ndim == 2:
        return x[None], 0
    return x, x.strides[0] // 4


def _batch_shapes(
    a: np.ndarray, b: np.ndarray, trans_a: bool, trans_b: bool
) -> tuple[int, tuple[int, int], tuple[int, int]]:
    batch = max(a.shape[0] if a.ndim == 3 else 1, b.shape[0] if b.ndim == 3 else 1)
    am, ak = a.shape[-2:]
    bk, bn = b.shape[-2:]
    return batch, ((ak, am) if trans_a else (am, ak)), ((bn, bk) if trans_b else (bk, bn))
