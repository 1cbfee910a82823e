"""The C target against onnxruntime, in the same run: latency, GFLOP/s, memory, build time.

    python bench/c_vs_onnxruntime.py [--models resnet50,squeezenet] [--threads 1,2] [--repeat 10]

For each model (the light models with seeded random weights, batch 1, and the
bundled conv+BN+ReLU example at 1x3x224x224): build the C library from the ONNX
file in a fresh cache (import -> optimized -> library, timed), load it (timed),
then run infer and onnxruntime (all graph optimizations on, the same thread
count) interleaved, each run after SETTLE seconds of idleness (thread pools spin
after a run and would slow the other), and report medians, the latency ratio infer / onnxruntime,
achieved GFLOP/s against a one-core fp32 peak (`--peak`, default 216 GFLOP/s, the
figure of ../shared/PERF_NOTES.md; the AMD Zen 5 machines this project now runs on
measure 260-285 GFLOP/s with AVX-512 FMA, so a model can show more than 100%),
and the arena against the sum of all intermediates.
Outputs are checked against onnxruntime before timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from light_models import inputs, load, with_random_weights, without_softmax

import infer
from infer.dialects.infer.base import dims_of

PEAK_GFLOPS_ONE_CORE = 216.0
SETTLE = 0.03
"""Seconds of idleness before each timed run."""
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conv_bn_relu.onnx"
DEFAULT_MODELS = ["resnet50", "inception_v2", "densenet121", "squeezenet", "shufflenet", "conv_bn_relu"]


def flops(module, feeds: dict[str, np.ndarray]) -> float:
    """Multiply-adds x2 of the convolutions and matrix products, at the shapes of `feeds`
    (one interpreter run observes them, so dynamic dims count at their run-time size)."""
    from infer.runtime.interpreter import Interpreter

    total = [0.0]

    def observe(op, results) -> None:
        out = results[0].shape if results else ()
        if op.name == "infer.conv":
            total[0] += 2.0 * float(np.prod(out)) * float(np.prod(dims_of(op.weight.type)[1:]))
        elif op.name == "infer.conv_transpose":
            weight = dims_of(op.weight.type)
            total[0] += 2.0 * float(np.prod(out)) * float(np.prod(weight[2:])) * float(weight[0]) / float(out[1])
        elif op.name in ("infer.matmul", "infer.gemm"):
            a = dims_of(op.operands[0].type)
            k = a[-2] if op.name == "infer.gemm" and "trans_a" in op.properties else a[-1]
            total[0] += 2.0 * float(np.prod(out)) * float(k or 0)

    Interpreter(module).run(feeds, observer=observe)
    return total[0]


def model_and_feeds(name: str) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    rng = np.random.default_rng(1)
    if name == "conv_bn_relu":
        return onnx.load(EXAMPLE), {"data": rng.standard_normal((1, 3, 224, 224)).astype(np.float32)}
    # Logits, not the softmax of a random network (one-hot, it would hide any error).
    model = without_softmax(with_random_weights(load(name)))
    return model, {k: rng.random(v.shape, np.float32) for k, v in inputs(model).items()}


def onnxruntime_session(model: onnx.ModelProto, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def bench(name: str, threads_list: list[int], repeat: int, peak: float = PEAK_GFLOPS_ONE_CORE) -> list[dict[str, str]]:
    model, feeds = model_and_feeds(name)
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        compiled = infer.compile(model, target="c", cache_dir=cache)
        build_seconds = time.perf_counter() - start
        gflop = flops(compiled.module, feeds) / 1e9
        library, weights = compiled.build.library, compiled.build.weights
        rows = []
        for threads in threads_list:
            from infer.runtime.c.loader import CModel

            start = time.perf_counter()
            native = CModel(library, weights, threads)
            load_seconds = time.perf_counter() - start
            session = onnxruntime_session(model, threads)
            expected = session.run(None, feeds)[0]
            actual = next(iter(native.run(feeds).values()))
            scale = float(np.abs(expected).max()) or 1.0
            error = float(np.abs(actual - expected).max()) / scale
            ours, theirs = [], []
            for _ in range(repeat):
                # Thread pools spin for a while after a run (onnxruntime's, ours): let them go
                # to sleep, so that they do not steal the second core from the next run.
                time.sleep(SETTLE)
                start = time.perf_counter()
                native.run(feeds)
                ours.append(time.perf_counter() - start)
                time.sleep(SETTLE)
                start = time.perf_counter()
                session.run(None, feeds)
                theirs.append(time.perf_counter() - start)
            arena, intermediates = native.memory()
            native.close()
            t_ours, t_theirs = statistics.median(ours), statistics.median(theirs)
            rows.append(
                {
                    "model": name,
                    "threads": str(threads),
                    "infer ms": f"{t_ours * 1e3:.1f}",
                    "onnxruntime ms": f"{t_theirs * 1e3:.1f}",
                    "ratio": f"{t_ours / t_theirs:.2f}x",
                    "GFLOP": f"{gflop:.2f}",
                    "infer GFLOP/s": f"{gflop / t_ours:.1f}",
                    "% of 1-core peak": f"{100 * gflop / t_ours / peak:.0f}%",
                    "arena MB / intermediates MB": f"{arena / 2**20:.1f} / {intermediates / 2**20:.1f}",
                    "build s": f"{build_seconds:.1f}",
                    "load ms": f"{load_seconds * 1e3:.1f}",
                    "rel. error": f"{error:.1e}",
                }
            )
    return rows


def markdown(rows: list[dict[str, str]]) -> str:
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(r[h] for h in header) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS))
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--peak", type=float, default=PEAK_GFLOPS_ONE_CORE, help="one-core peak GFLOP/s")
    args = parser.parse_args()
    rows = []
    for name in args.models.split(","):
        rows += bench(name, [int(t) for t in args.threads.split(",")], args.repeat, args.peak)
        print(markdown(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(markdown(rows))


if __name__ == "__main__":
    main()
