"""Our convolution, depthwise convolution and pooling kernels against onnxruntime, layer by layer.

    python bench/conv.py [--threads 1,2] [--rounds 15] [--only resnet50,example] [--spin]

The layers are those of ResNet-50 (incl. the 7x7 stem and the 1x1s), Inception v2,
DenseNet-121, SqueezeNet, ShuffleNet (its grouped 1x1s and depthwise 3x3s) and the
bundled example (3->64 and 64->256 3x3 at 224x224), batch 1, with a fused ReLU
where the model has one. Ours: runtime/c/kernels built with a model's flags
(tests/runtime/c/kernels/conv_harness.py), weights prepacked once, output
preallocated. onnxruntime: one Conv (+Relu) / pool node, all graph
optimizations on (its NCHWc layout: the session adds reorders of the input and
output around the node), the same thread count, its workers not spinning
between runs (see SPIN).

Per layer and thread count: medians of interleaved runs (ours, timed in C
around each kernel call; then onnxruntime's session, timed around run(), in
rounds), and onnxruntime's own time for the compute node alone (its profiler,
without the NCHWc reorders and the Python call): "ours / ort node" is the fair
figure for a layer inside a network. Ratios are ours /
onnxruntime (< 1: we are faster). Outputs are checked against onnxruntime
first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "runtime" / "c" / "kernels"))

from conv_harness import ConvLib, Window


@dataclass(frozen=True)
class Layer:
    model: str
    kind: str  # conv | depthwise | max | avg
    c: int
    h: int
    w: int
    o: int  # output channels (pools: c)
    kernel: tuple[int, int]
    window: Window
    groups: int = 1
    relu: bool = True
    ceil_mode: bool = False
    count_include_pad: bool = False

    @property
    def label(self) -> str:
        s, p = self.window.strides, self.window.pads
        what = {"conv": "conv", "depthwise": "dw", "max": "maxpool", "avg": "avgpool"}[self.kind]
        group = f" g{self.groups}" if self.kind == "conv" and self.groups > 1 else ""
        pads = "" if not any(p) else " p" + ("".join(map(str, p)) if len(set(p)) > 1 else str(p[0]))
        chans = f"{self.c}->{self.o}" if self.kind == "conv" else str(self.c)
        return f"{what} {self.kernel[0]}x{self.kernel[1]}/{s[0]}{pads}{group} {chans} @{self.h}"

    def out(self) -> tuple[int, int]:
        return self.window.out((self.h, self.w), self.kernel, self.ceil_mode)

    def gflop(self) -> float:
        oh, ow = self.out()
        if self.kind in ("max", "avg"):
            return self.c * oh * ow * self.kernel[0] * self.kernel[1] / 1e9
        per_out = (self.c // self.groups) * self.kernel[0] * self.kernel[1]
        return 2.0 * self.o * oh * ow * per_out / 1e9


def _w(s: int = 1, p: int = 0) -> Window:
    return Window((s, s), (1, 1), (p, p, p, p))


def C(model: str, c: int, hw: int, o: int, k: int, s: int = 1, p: int = 0, g: int = 1, relu: bool = True) -> Layer:
    kind = "depthwise" if g == c and g > 1 and o % c == 0 else "conv"
    return Layer(model, kind, c, hw, hw, o, (k, k), _w(s, p), g, relu)


def P(model: str, kind: str, c: int, hw: int, k: int, s: int, pads=(0, 0, 0, 0), ceil=False, include=False) -> Layer:
    return Layer(model, kind, c, hw, hw, c, (k, k), Window((s, s), (1, 1), pads), 1, False, ceil, include)


LAYERS = [
    C("resnet50", 3, 224, 64, 7, 2, 3),
    C("resnet50", 64, 56, 64, 1),
    C("resnet50", 64, 56, 64, 3, 1, 1),
    C("resnet50", 64, 56, 256, 1, relu=False),
    C("resnet50", 256, 56, 64, 1),
    C("resnet50", 256, 56, 128, 1),
    C("resnet50", 128, 56, 128, 3, 2, 1),
    C("resnet50", 256, 56, 512, 1, 2, relu=False),
    C("resnet50", 128, 28, 512, 1, relu=False),
    C("resnet50", 128, 28, 128, 3, 1, 1),
    C("resnet50", 512, 28, 128, 1),
    C("resnet50", 256, 14, 256, 3, 1, 1),
    C("resnet50", 256, 14, 1024, 1, relu=False),
    C("resnet50", 1024, 14, 256, 1),
    C("resnet50", 512, 7, 512, 3, 1, 1),
    C("resnet50", 512, 7, 2048, 1, relu=False),
    C("resnet50", 2048, 7, 512, 1),
    P("resnet50", "max", 64, 112, 3, 2, (1, 1, 1, 1)),
    C("inception_v2", 64, 56, 192, 3, 1, 1),
    C("inception_v2", 192, 28, 64, 1),
    C("inception_v2", 64, 28, 96, 3, 1, 1),
    C("inception_v2", 96, 28, 96, 3, 1, 1),
    C("inception_v2", 128, 28, 160, 3, 2, 1),
    C("inception_v2", 576, 14, 224, 1),
    C("inception_v2", 128, 14, 192, 3, 1, 1),
    C("inception_v2", 192, 7, 320, 3, 1, 1),
    C("inception_v2", 1024, 7, 352, 1),
    P("inception_v2", "max", 192, 56, 3, 2, (0, 0, 1, 1)),
    P("inception_v2", "avg", 576, 14, 3, 1, (1, 1, 1, 1)),
    C("densenet121", 128, 56, 32, 3, 1, 1, relu=False),
    C("densenet121", 128, 28, 32, 3, 1, 1, relu=False),
    C("densenet121", 128, 14, 32, 3, 1, 1, relu=False),
    C("densenet121", 128, 7, 32, 3, 1, 1, relu=False),
    C("densenet121", 256, 56, 128, 1),
    C("densenet121", 512, 28, 128, 1),
    C("densenet121", 992, 14, 128, 1),
    P("densenet121", "avg", 128, 56, 2, 2),
    C("squeezenet", 3, 224, 64, 3, 2, 0),
    C("squeezenet", 64, 55, 16, 1),
    C("squeezenet", 16, 55, 64, 1),
    C("squeezenet", 16, 55, 64, 3, 1, 1),
    C("squeezenet", 48, 13, 192, 3, 1, 1),
    C("squeezenet", 512, 13, 1000, 1),
    P("squeezenet", "max", 64, 111, 3, 2),
    C("shufflenet", 3, 224, 24, 3, 2, 1),
    C("shufflenet", 24, 56, 112, 1, g=4),
    C("shufflenet", 112, 56, 112, 3, 2, 1, g=112, relu=False),
    C("shufflenet", 136, 28, 136, 1, g=4),
    C("shufflenet", 136, 28, 136, 3, 1, 1, g=136, relu=False),
    C("shufflenet", 272, 14, 272, 1, g=4),
    C("shufflenet", 272, 14, 272, 3, 1, 1, g=272, relu=False),
    C("shufflenet", 544, 7, 544, 1, g=4),
    C("shufflenet", 544, 7, 544, 3, 1, 1, g=544, relu=False),
    P("shufflenet", "avg", 136, 28, 3, 2, (1, 1, 1, 1)),
    C("example", 3, 224, 64, 3, 1, 1),
    C("example", 64, 224, 256, 3, 1, 1),
]


def onnx_model(layer: Layer, weight: np.ndarray | None, bias: np.ndarray | None):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, layer.c, layer.h, layer.w])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    w = layer.window
    pads = [w.pads[0], w.pads[1], w.pads[2], w.pads[3]]
    inits = []
    if layer.kind in ("conv", "depthwise"):
        assert weight is not None and bias is not None
        inits = [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")]
        node = helper.make_node(
            "Conv", ["x", "w", "b"], ["c" if layer.relu else "y"], strides=list(w.strides), pads=pads,
            dilations=list(w.dilations), group=layer.groups, kernel_shape=list(layer.kernel),
        )  # fmt: skip
        nodes = [node, helper.make_node("Relu", ["c"], ["y"])] if layer.relu else [node]
    else:
        op = "MaxPool" if layer.kind == "max" else "AveragePool"
        attrs = {"kernel_shape": list(layer.kernel), "strides": list(w.strides), "pads": pads}
        attrs["ceil_mode"] = int(layer.ceil_mode)
        if layer.kind == "avg":
            attrs["count_include_pad"] = int(layer.count_include_pad)
        nodes = [helper.make_node(op, ["x"], ["y"], **attrs)]
    graph = helper.make_graph(nodes, "layer", [x], [y], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


SPIN = False
"""Whether onnxruntime's workers spin between runs (its default; --spin). Off here: with 2+ threads and
interleaved runs, one library's spinning workers take the core the other one needs (measured: then
neither scales past one thread)."""


def session(model, threads: int, profile_dir: str | None = None) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    if not SPIN:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if profile_dir is not None:
        options.enable_profiling = True
        options.profile_file_prefix = os.path.join(profile_dir, "layer")
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def ort_node_times(model, threads: int, feeds: dict[str, np.ndarray], runs: int) -> tuple[float, float]:
    """Medians over runs of onnxruntime's compute nodes and of its layout reorders, in seconds (its profiler)."""
    with tempfile.TemporaryDirectory() as tmp:
        s = session(model, threads, tmp)
        for _ in range(3):
            s.run(None, feeds)
        s.end_profiling()
        s = session(model, threads, tmp)
        for _ in range(runs):
            s.run(None, feeds)
        path = s.end_profiling()
        events = json.loads(Path(path).read_text())
    compute: list[float] = []
    reorder: list[float] = []
    run_compute = run_reorder = 0.0
    for e in events:
        if e.get("cat") == "Session" and e.get("name") == "model_run":
            compute.append(run_compute)
            reorder.append(run_reorder)
            run_compute = run_reorder = 0.0
        elif e.get("cat") == "Node" and e.get("name", "").endswith("_kernel_time"):
            op = e.get("args", {}).get("op_name", "")
            if op.startswith("Reorder"):
                run_reorder += e["dur"] * 1e-6
            else:
                run_compute += e["dur"] * 1e-6
    return statistics.median(compute[-runs:]), statistics.median(reorder[-runs:])


def bench_layer(lib: ConvLib, layer: Layer, threads: int, rounds: int, rng: np.random.Generator) -> dict[str, str]:
    x = rng.standard_normal((1, layer.c, layer.h, layer.w), np.float32)
    oh, ow = layer.out()
    y = np.empty((1, layer.o, oh, ow), np.float32)
    weight = bias = packed = None
    if layer.kind in ("conv", "depthwise"):
        weight = (rng.standard_normal((layer.o, layer.c // layer.groups, *layer.kernel)) * 0.1).astype(np.float32)
        bias = rng.standard_normal(layer.o).astype(np.float32)
        if layer.kind == "conv":
            packed = lib.pack_conv2d(weight, layer.groups)
    act = "relu" if layer.relu else "none"
    model = onnx_model(layer, weight, bias)
    sess = session(model, threads)
    feeds = {"x": x}
    with lib.context(threads) as ctx:

        def ours(reps: int) -> list[float]:
            if layer.kind == "conv":
                return lib.time_conv2d(ctx, x, packed, y, layer.window, reps, bias=bias, act=act)
            if layer.kind == "depthwise":
                return lib.time_depthwise_conv2d(ctx, x, weight, y, layer.window, reps, bias=bias, act=act)
            return lib.time_pool2d(
                ctx, layer.kind, x, y, layer.kernel, layer.window, reps,
                ceil_mode=layer.ceil_mode, count_include_pad=layer.count_include_pad,
            )  # fmt: skip

        ours(1)
        expected = sess.run(None, feeds)[0]
        error = float(np.abs(y - expected).max() / max(1e-30, float(np.abs(expected).max())))
        assert error < 1e-4, f"{layer.label}: relative error {error:.1e} against onnxruntime"
        t_ours: list[float] = []
        t_ort: list[float] = []
        per_round = max(1, int(0.02 / max(layer.gflop() / 150.0, 1e-6)))  # ~20 ms of work per round and side
        for _ in range(rounds):
            t_ours += ours(per_round)
            for _ in range(per_round):
                start = time.perf_counter()
                sess.run(None, feeds)
                t_ort.append(time.perf_counter() - start)
    ours_s, ort_s = statistics.median(t_ours), statistics.median(t_ort)
    node_s, reorder_s = ort_node_times(model, threads, feeds, max(10, rounds))
    gflop = layer.gflop()
    return {
        "model": layer.model,
        "layer": layer.label,
        "threads": str(threads),
        "GFLOP": f"{gflop:.3f}",
        "ours ms": f"{ours_s * 1e3:.3f}",
        "ort ms": f"{ort_s * 1e3:.3f}",
        "ort node ms": f"{node_s * 1e3:.3f}",
        "ort reorder ms": f"{reorder_s * 1e3:.3f}",
        "ours / ort": f"{ours_s / ort_s:.2f}",
        "ours / ort node": f"{ours_s / node_s:.2f}" if node_s > 0 else "-",
        "ours GFLOP/s": f"{gflop / ours_s:.0f}",
        "ort node GFLOP/s": f"{gflop / node_s:.0f}" if node_s > 0 else "-",
    }


def markdown(rows: list[dict[str, str]]) -> str:
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(r[h] for h in header) + " |" for r in rows]
    return "\n".join(lines)


def summary(rows: list[dict[str, str]]) -> str:
    """Per model and thread count: the sums of the layers' times (a weighted view of the ratios)."""
    lines = ["| model | threads | ours ms | ort node ms | ours / ort node |", "| --- | --- | --- | --- | --- |"]
    keys = sorted({(r["model"], r["threads"]) for r in rows}, key=lambda k: (k[1], k[0]))
    for model, threads in keys:
        sel = [r for r in rows if r["model"] == model and r["threads"] == threads]
        ours = sum(float(r["ours ms"]) for r in sel)
        node = sum(float(r["ort node ms"]) for r in sel)
        lines.append(f"| {model} | {threads} | {ours:.2f} | {node:.2f} | {ours / node:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--only", default="", help="comma-separated models (resnet50, inception_v2, ...)")
    parser.add_argument("--cache-dir", default=None, help="where the kernel library is built (default: a temp dir)")
    parser.add_argument(
        "--spin",
        action="store_true",
        help="let onnxruntime's workers spin between runs (its default; off here because interleaved with ours on "
        "2+ threads, spinning workers take the cores the other library needs)",
    )
    args = parser.parse_args()
    global SPIN
    SPIN = args.spin
    only = set(filter(None, args.only.split(",")))
    layers = [layer for layer in LAYERS if not only or layer.model in only]
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        lib = ConvLib.build(args.cache_dir or tmp)
        rows = []
        for threads in (int(t) for t in args.threads.split(",")):
            for layer in layers:
                rows.append(bench_layer(lib, layer, threads, args.rounds, rng))
                r = rows[-1]
                print(
                    f"{r['threads']}t {r['model']:>12} {r['layer']:<32} ours {r['ours ms']:>8} ms"
                    f"  ort {r['ort ms']:>8} ms  node {r['ort node ms']:>8} ms  ours/node {r['ours / ort node']:>5}"
                    f"  {r['ours GFLOP/s']:>4} vs {r['ort node GFLOP/s']:>4} GFLOP/s",
                    flush=True,
                )
    print()
    print(markdown(rows))
    print()
    print(summary(rows))


if __name__ == "__main__":
    main()
