"""The kernel library's thread pool: infer_parallel_for covers every index exactly once, on
at most `threads` threads (1: only the caller; 2: both work), in chunks of at most `grain`;
nested calls and a NULL context run inline; scratch buffers are per thread and aligned.
(That GEMM gives the same bits on any number of threads is in test_gemm.py.)"""

from __future__ import annotations

import ctypes
import shutil
from pathlib import Path

import numpy as np
import pytest
from gemm_harness import GemmLib

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None and shutil.which("cc") is None, reason="no C compiler")


@pytest.fixture(scope="session")
def kernel_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "kernel_cache"


@pytest.fixture(scope="module")
def lib(kernel_cache: Path) -> GemmLib:
    return GemmLib.build(kernel_cache)


def visit(
    lib: GemmLib, ctx: int | None, n: int, grain: int = 0, nested: bool = False, spin_ns: int = 0
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    visits = np.zeros(max(n, 1), np.int64)
    nested_visits = np.zeros(16, np.int64)
    out = (ctypes.c_int64 * 4)()
    lib.lib.h_parallel_visit(ctx, n, grain, nested, spin_ns, visits.ctypes.data, nested_visits.ctypes.data, out)
    stats = {"threads": out[0], "chunks": out[1], "max_chunk": out[2], "inner_threads": out[3]}
    return visits[:n], nested_visits, stats


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("n", [0, 1, 2, 7, 1000])
@pytest.mark.parametrize("grain", [0, 1, 3, 64])
def test_every_index_once(lib: GemmLib, threads: int, n: int, grain: int) -> None:
    with lib.context(threads) as ctx:
        for _ in range(3):  # the pool is reused across jobs
            visits, _, stats = visit(lib, ctx, n, grain)
            np.testing.assert_array_equal(visits, np.ones(n, np.int64))
            if n:
                assert stats["threads"] <= threads
                if grain:
                    assert stats["max_chunk"] <= grain
                assert stats["inner_threads"] == 1  # kernels inside a chunk see one thread


def test_one_thread_runs_on_the_caller_only(lib: GemmLib) -> None:
    with lib.context(1) as ctx:
        assert lib.lib.h_threads(ctx) == 1
        _, _, stats = visit(lib, ctx, 64, grain=1, spin_ns=200_000)
        assert stats["threads"] == 1 and stats["chunks"] == 64


def test_two_threads_both_work(lib: GemmLib) -> None:
    """64 chunks of 1 ms each: the worker wakes up long before the caller could finish alone."""
    with lib.context(2) as ctx:
        assert lib.lib.h_threads(ctx) == 2
        visits, _, stats = visit(lib, ctx, 64, grain=1, spin_ns=1_000_000)
        np.testing.assert_array_equal(visits, np.ones(64, np.int64))
        assert stats["threads"] == 2


def test_default_chunks_balance(lib: GemmLib) -> None:
    """infer_parallel_for hands out about four chunks per thread."""
    with lib.context(2) as ctx:
        _, _, stats = visit(lib, ctx, 1000)
        assert stats["chunks"] == 8 and stats["max_chunk"] == 125


def test_nested_parallel_for_runs_inline(lib: GemmLib) -> None:
    with lib.context(2) as ctx:
        visits, nested, stats = visit(lib, ctx, 10, grain=1, nested=True)
        np.testing.assert_array_equal(visits, np.ones(10, np.int64))
        np.testing.assert_array_equal(nested, np.full(16, 10, np.int64))  # each chunk covered all 16 once
        assert stats["inner_threads"] == 1


def test_no_context_runs_inline(lib: GemmLib) -> None:
    assert lib.lib.h_threads(None) == 1
    visits, _, stats = visit(lib, None, 100, grain=1)
    np.testing.assert_array_equal(visits, np.ones(100, np.int64))
    assert stats["threads"] == 1


def test_many_pools(lib: GemmLib) -> None:
    """Pools are created and destroyed (threads joined) cleanly, including ones that never ran a job."""
    for threads in (1, 2, 4, 2, 3):
        with lib.context(threads) as ctx:
            if threads != 4:
                visits, _, _ = visit(lib, ctx, 50, grain=1)
                assert visits.sum() == 50


def test_scratch(lib: GemmLib) -> None:
    for slot in range(3):
        for size in (1, 100, 5000, 1 << 20, 10):
            assert lib.lib.h_scratch(slot, size) == 1  # 64-byte aligned, writable over its whole size
    assert lib.lib.h_scratch(3, 10) == 0 and lib.lib.h_scratch(-1, 10) == 0  # no such slot
