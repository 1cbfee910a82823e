"""GEMM GFLOP/s: infer's kernel library against OpenBLAS and onnxruntime, in the same run.

    python bench/gemm.py [--shapes 1024x1024x1024,1x1000x2048] [--threads 1,2] [--repeat 15]

C (M x N) = A (M x K) x B (K x N), f32, B a constant (weights). For each shape,
interleaved (each round times every candidate at every thread count once, in
an order rotated from round to round; medians over the rounds, so that the
noise of this shared machine hits all alike):

- `ours packed`:   infer_gemm_packed_f32, B prepacked once (as a model does at load)
- `ours plain`:    infer_gemm_f32, B packed on the fly (both operands activations)
- `ours+openblas`: infer_gemm_openblas_f32, the optional OpenBLAS provider
                   (scipy-openblas32's cblas_sgemm), if installed
- `numpy`:         np.matmul (numpy's bundled OpenBLAS), its threads set to the same count
- `onnxruntime`:   a MatMul with B an initializer (prepacked by onnxruntime at load),
                   intra-op threads set to the same count

Before each timed sample the process idles SETTLE seconds (the thread pools of
OpenBLAS and onnxruntime spin after a call and would slow whatever runs next),
then warms up with a quarter of the sample's calls, untimed.
Results are checked against float64 numpy first. Also prints this machine's
measured one-core FMA peak.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "runtime" / "c" / "kernels"))

from gemm_harness import GemmLib

DEFAULT_SHAPES = [
    "1024x1024x1024",
    "512x512x512",
    "64x3136x576",  # 3x3 conv, 64 -> 64 channels at 56x56, as weights x patches
    "256x3136x64",  # 1x1 conv, 64 -> 256 at 56x56
    "512x784x1152",  # 3x3 conv, 128 -> 512 (K = 128*9) at 28x28
    "3136x64x576",  # the same 3x3 conv as patches x weights
    "1000x1x2048",  # ResNet-50's classifier as weights x features
    "1x1000x2048",  # ... as features x weights (Gemm transB)
    "1x4096x9216",  # AlexNet's fc6: DRAM bound (151 MB of weights)
    "128x768x768",  # a transformer projection
]


SETTLE = 0.03
"""Seconds of idleness before each timed sample."""


def numpy_openblas_threads() -> Callable[[int], None] | None:
    """A setter of the thread count of the OpenBLAS numpy loaded (found in the process's mappings)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return None
    for line in maps.splitlines():
        path = line.split()[-1]
        if "openblas" in path and ".so" in path and "scipy_openblas32" not in path:
            lib = ctypes.CDLL(path)
            setters = ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads")
            for name in setters:
                fn = getattr(lib, name, None)
                if fn is not None:
                    fn.argtypes = [ctypes.c_int]
                    return lambda n, fn=fn: fn(n)
    return None


def onnxruntime_matmul(b: np.ndarray, threads: int):
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    k, n = b.shape
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["c"])],
        "gemm",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["M", k])],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, ["M", n])],
        initializer=[numpy_helper.from_array(b, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def per_call(fn: Callable[[], object], reps: int) -> float:
    start = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - start) / reps


def bench_shape(
    lib: GemmLib, m: int, n: int, k: int, threads: list[int], repeat: int, numpy_threads
) -> tuple[dict[tuple[str, int], float], dict[tuple[str, int], float]]:
    """GFLOP/s of every candidate at every thread count, all interleaved in each round: the
    medians over the rounds, and the best rounds."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    want = a.astype(np.float64) @ b.astype(np.float64)
    tol = 1e-4 * (np.abs(a).astype(np.float64) @ np.abs(b).astype(np.float64)).max() + 1e-5
    out = np.empty((1, m, n), np.float32)
    np_out = np.empty((m, n), np.float32)
    feeds = {"a": a}
    packed = lib.pack_b(b)
    with contextlib.ExitStack() as stack:
        candidates: dict[tuple[str, int], Callable[[], object]] = {}
        for t in threads:
            ctx = stack.enter_context(lib.context(t))
            session = onnxruntime_matmul(b, t)
            candidates[("ours packed", t)] = lambda ctx=ctx: lib.gemm_packed(ctx, a, packed, n, out=out)
            candidates[("ours plain", t)] = lambda ctx=ctx: lib.gemm(ctx, a, b, out=out)
            if lib.openblas:
                candidates[("ours+openblas", t)] = lambda ctx=ctx: lib.gemm(ctx, a, b, out=out, provider="openblas")

            def numpy_matmul(t: int = t) -> object:
                if numpy_threads is not None:
                    numpy_threads(t)
                return np.matmul(a, b, out=np_out)

            candidates[("numpy", t)] = numpy_matmul
            candidates[("onnxruntime", t)] = lambda session=session: session.run(None, feeds)[0]
        reps = {}
        for key, fn in candidates.items():
            result = fn()
            result = np_out if key[0] == "numpy" else result if key[0] == "onnxruntime" else out[0]
            err = float(np.abs(result - want).max())
            assert err <= tol, f"{key} {m}x{n}x{k}: off by {err} (tolerance {tol})"
            reps[key] = max(1, int(0.02 / max(per_call(fn, 1), 1e-7)))
        times: dict[tuple[str, int], list[float]] = {key: [] for key in candidates}
        order = list(candidates.items())
        for round_ in range(repeat):
            # Each round starts one candidate later: none always follows the same one.
            shift = round_ % len(order)
            for key, fn in order[shift:] + order[:shift]:
                # OpenBLAS's and onnxruntime's threads spin for a while after a call: let them
                # go to sleep, so that they do not steal the core from the next candidate.
                time.sleep(SETTLE)
                per_call(fn, max(1, reps[key] // 4))  # warm up again: caches, the core's clock after idling
                times[key].append(per_call(fn, reps[key]))
    flops = 2.0 * m * n * k
    medians = {key: flops / statistics.median(t) / 1e9 for key, t in times.items()}
    best = {key: flops / min(t) / 1e9 for key, t in times.items()}
    return medians, best


def row(m: int, n: int, k: int, t: int, result: dict[tuple[str, int], float], names: list[str]) -> str:
    ratio = result[("ours packed", t)] / result[("onnxruntime", t)]
    cells = " ".join(f"{result[(x, t)]:>13.1f}" for x in names)
    return f"{f'{m}x{n}x{k}':>16} {t:>3} {cells}  {ratio:>7.2f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", default=",".join(DEFAULT_SHAPES), help="MxNxK,... (B is K x N, constant)")
    parser.add_argument("--threads", default="1,2", help="thread counts, e.g. 1,2")
    parser.add_argument("--repeat", type=int, default=15, help="interleaved rounds (medians)")
    parser.add_argument("--cache-dir", default=None, help="where the kernel library is built (default: a temp dir)")
    args = parser.parse_args(argv)
    shapes = [tuple(int(x) for x in s.split("x")) for s in args.shapes.split(",")]
    threads = [int(t) for t in args.threads.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(args.cache_dir) if args.cache_dir else Path(tmp)
        try:
            import scipy_openblas32  # noqa: F401

            lib = GemmLib.build(cache, openblas=True, name="gemm_bench")
        except ImportError:
            lib = GemmLib.build(cache, name="gemm_bench")
        arch = lib.arch()
        peak = lib.peak_gflops()
        numpy_threads = numpy_openblas_threads()
        print(f"micro-kernel: {arch.name if arch else '?'}; one-core FMA peak measured: {peak:.0f} GFLOP/s")
        if numpy_threads is None:
            print("(numpy's OpenBLAS thread count could not be set: numpy runs with its default)")
        names: list[str] = ["ours packed", "ours plain", *(["ours+openblas"] if lib.openblas else []), "numpy"]
        names.append("onnxruntime")
        header = f"{'M x N x K':>16} {'thr':>3} " + " ".join(f"{x:>13}" for x in names) + "  ours/ort"
        print("\n" + header)
        bests = []
        for m, n, k in shapes:
            medians, best = bench_shape(lib, m, n, k, threads, args.repeat, numpy_threads)
            bests.append(((m, n, k), best))
            for t in threads:
                print(row(m, n, k, t, medians, names), flush=True)
        print(f"\nThe best of the {args.repeat} rounds (what each reaches when the machine leaves it alone):")
        print(header)
        for (m, n, k), best in bests:
            for t in threads:
                print(row(m, n, k, t, best, names))
        print(f"\nGFLOP/s; the first table: medians of {args.repeat} interleaved rounds. One core's peak: {peak:.0f}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
