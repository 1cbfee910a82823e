"""The run time of the C target: input checks, weights, the memory plan, outputs, the cache,
the C API from a C program, and the generated code under AddressSanitizer and UBSan."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from c_harness import build_ir, needs_cc

import infer
from infer.diagnostics import InferError
from infer.runtime.c.build import build
from infer.runtime.c.loader import CModel

pytestmark = needs_cc

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("c_cache"))


def loop(out: str, body: str, rows: str = "%n") -> str:
    """A 2-D loop nest over [rows x 4] binding %i, %j, storing `%v` (computed by `body`) into `out`."""
    return f"""
  scf.for %i = %c0 to {rows} step %c1 {{
    scf.for %j = %c0 to %c4 step %c1 {{
{body}
      memref.store %v, {out}[%i, %j] : memref<?x4xf32>
    }}
  }}"""


def binary(out: str, a: str, b: str, op: str, b_row: bool = False) -> str:
    b_index = "%j" if b_row else "%i, %j"
    b_type = "memref<4xf32>" if b_row else "memref<?x4xf32>"
    return loop(
        out,
        f"""      %p = memref.load {a}[%i, %j] : memref<?x4xf32>
      %q = memref.load {b}[{b_index}] : {b_type}
      %v = arith.{op} %p, %q : f32""",
    )


# y = (((x * w + bias) * s) - x) * 2 through a chain of four intermediates; also returns x itself
# and the weights w (outputs that the code does not compute in place).
CHAIN = (
    """
"memref.global"() <{sym_name = "w", sym_visibility = "private", type = memref<4xf32>,
                    initial_value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>, constant}> : () -> ()
"memref.global"() <{sym_name = "bias", sym_visibility = "private", type = memref<4xf32>,
                    initial_value = dense<0.25> : tensor<4xf32>, constant}> : () -> ()
func.func @main_graph(%x: memref<?x4xf32> {infer.name = "x", infer.dim_params = ["N", ""]},
                      %s: memref<?x4xf32> {infer.name = "s", infer.dim_params = ["N", ""]})
    -> (memref<?x4xf32> {infer.name = "y"}, memref<?x4xf32> {infer.name = "x_again"},
        memref<4xf32> {infer.name = "w"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %two = arith.constant 2.0 : f32
  %w = memref.get_global @w : memref<4xf32>
  %bias = memref.get_global @bias : memref<4xf32>
  %n = memref.dim %x, %c0 : memref<?x4xf32>
  %t1 = memref.alloc(%n) : memref<?x4xf32>"""
    + binary("%t1", "%x", "%w", "mulf", b_row=True)
    + """
  %t2 = memref.alloc(%n) : memref<?x4xf32>"""
    + binary("%t2", "%t1", "%bias", "addf", b_row=True)
    + """
  %t3 = memref.alloc(%n) : memref<?x4xf32>"""
    + binary("%t3", "%t2", "%s", "mulf")
    + """
  %t4 = memref.alloc(%n) : memref<?x4xf32>"""
    + binary("%t4", "%t3", "%x", "subf")
    + """
  %y = memref.alloc(%n) : memref<?x4xf32>"""
    + loop(
        "%y",
        """      %p = memref.load %t4[%i, %j] : memref<?x4xf32>
      %v = arith.mulf %p, %two : f32""",
    )
    + """
  func.return %y, %x, %w : memref<?x4xf32>, memref<?x4xf32>, memref<4xf32>
}
"""
)
W = np.array([1.0, 2.0, 3.0, 4.0], np.float32)


def chain_reference(x: np.ndarray, s: np.ndarray) -> np.ndarray:
    return (((x * W + np.float32(0.25)) * s) - x) * np.float32(2)


@pytest.fixture(scope="module")
def chain(cache: str) -> CModel:
    result = build_ir(CHAIN, cache)
    return CModel(result.library, result.weights)


def test_chain_runs_at_several_sizes(chain: CModel, rng: np.random.Generator) -> None:
    for n in (3, 1, 17, 0, 3):
        x = rng.standard_normal((n, 4)).astype(np.float32)
        s = rng.standard_normal((n, 4)).astype(np.float32)
        out = chain.run({"x": x, "s": s})
        assert list(out) == ["y", "x_again", "w"]
        np.testing.assert_array_equal(out["y"], chain_reference(x, s))
        np.testing.assert_array_equal(out["x_again"], x)
        np.testing.assert_array_equal(out["w"], W)


def test_arena_is_smaller_than_the_intermediates(chain: CModel) -> None:
    x = np.ones((100, 4), np.float32)
    chain.run([x, x])
    arena, total = chain.memory()
    assert total == 4 * 100 * 4 * 4  # four intermediates of 100x4 floats
    assert arena == 2 * 1600  # t1/t3 and t2/t4 share: their lifetimes do not meet
    chain.run([x[:10], x[:10]])
    assert chain.memory() == (2 * 192, 4 * 160)  # replanned for the new size (64-byte aligned slots)


def test_outputs_are_copies(chain: CModel) -> None:
    x = np.ones((2, 4), np.float32)
    first = chain.run([x, x])["y"]
    chain.run([2 * x, x])
    np.testing.assert_array_equal(first, chain_reference(x, x))


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            {"x": np.zeros((2, 4), np.float64), "s": np.zeros((2, 4), np.float32)},
            "input 'x': dtype is float64 (11), expected float32",
        ),
        ({"x": np.zeros((2, 4, 1), np.float32), "s": np.zeros((2, 4), np.float32)}, "input 'x': rank is 3, expected 2"),
        ({"x": np.zeros((2, 5), np.float32), "s": np.zeros((2, 5), np.float32)}, "input 'x': dim 1 is 5, expected 4"),
        (
            {"x": np.zeros((2, 4), np.float32), "s": np.zeros((3, 4), np.float32)},
            "input 's': dim 0 is 3, but dim 0 of input 'x' is 2 and both are 'N'",
        ),
        ({"x": np.zeros((2, 4), np.float32)}, "missing input 's'; the model's inputs are x, s"),
        (
            {"x": np.zeros((2, 4), np.complex64), "s": np.zeros((2, 4), np.float32)},
            "input 'x': dtype complex64 is not supported",
        ),
    ],
)
def test_bad_inputs_are_errors(chain: CModel, inputs: dict[str, np.ndarray], message: str) -> None:
    with pytest.raises(InferError) as info:
        chain.run(inputs)
    assert message in str(info.value)


def test_signature(chain: CModel) -> None:
    assert [repr(s) for s in chain.inputs] == ["x: float32 [N, 4]", "s: float32 [N, 4]"]
    assert [repr(s) for s in chain.outputs] == ["y: float32 [?, 4]", "x_again: float32 [?, 4]", "w: float32 [4]"]


def test_cache_hit(tmp_path: Path) -> None:
    module = infer.parse_ir(CHAIN)
    first = build(module, cache_dir=tmp_path / "cache", out_dir=tmp_path / "out")
    second = build(module, cache_dir=tmp_path / "cache", out_dir=tmp_path / "out2")
    assert not first.cached and first.timings["compile"] > 0
    assert second.cached and second.timings["compile"] == 0 and second.key == first.key
    assert len([p for p in (tmp_path / "cache").iterdir() if p.is_dir()]) == 1
    for name in ("libmodel.so", "model.h", "model.c", "weights.bin"):
        assert (tmp_path / "out2" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()
    # Other flags, another library.
    third = build(module, cache_dir=tmp_path / "cache", extra_flags=["-DINFER_TEST_VARIANT"])
    assert not third.cached and third.key != first.key


def test_weights_must_match(tmp_path: Path, cache: str) -> None:
    result = build_ir(CHAIN, cache)
    other = build_ir(CHAIN.replace("[1.0, 2.0, 3.0, 4.0]", "[1.0, 2.0, 3.0, 5.0]"), cache)
    assert other.weights.stat().st_size == result.weights.stat().st_size
    with pytest.raises(InferError, match="not the weights of this model"):
        CModel(result.library, other.weights)
    with pytest.raises(InferError, match="No such file or directory"):
        CModel(result.library, tmp_path / "missing.bin")
    with pytest.raises(InferError, match="the model has weights"):
        CModel(result.library, None)
    # A directory holding weights.bin works as well as the file.
    np.testing.assert_array_equal(CModel(result.library, result.directory).run([W[None], W[None]])["w"], W)


def test_blob_stores_a_splat_once(cache: str) -> None:
    result = build_ir(CHAIN, cache)
    blob = result.weights.read_bytes()
    assert blob[:8] == b"INFERWB1"
    assert len(blob) == 128 + 4  # header, w at 64, bias (one float) at 128


def test_threads_parameter(cache: str) -> None:
    result = build_ir(CHAIN, cache)
    x = np.ones((2, 4), np.float32)
    for threads in (0, 1, 4):
        np.testing.assert_array_equal(CModel(result.library, result.weights, threads).run([x, x])["w"], W)
    with pytest.raises(InferError, match="threads is -1"):
        CModel(result.library, result.weights, -1)


NEGATIVE = """
func.func @main_graph(%x: memref<?xf32> {infer.name = "x"}) -> (memref<?xf32> {infer.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  %m = arith.subi %n, %c3 : index
  %t = memref.alloc(%m) : memref<?xf32>
  %y = memref.alloc(%m) : memref<?xf32>
  "memref.copy"(%t, %y) : (memref<?xf32>, memref<?xf32>) -> ()
  func.return %y : memref<?xf32>
}
"""


def test_negative_sizes_are_errors(cache: str) -> None:
    """A size derived from an input too small for the model (a 3-wide window on 2 elements)."""
    result = build_ir(NEGATIVE, cache)
    model = CModel(result.library, result.weights)
    assert model.run([np.zeros(5, np.float32)])["y"].shape == (2,)
    with pytest.raises(InferError, match=r"would have a negative size \(-4 bytes\): an input dim is too small"):
        model.run([np.zeros(2, np.float32)])


def test_split_units(cache: str, rng: np.random.Generator) -> None:
    from infer.runtime.c.emitter import EmitOptions

    result = build(infer.parse_ir(CHAIN), cache_dir=cache, emit_options=EmitOptions(unit_lines=20))
    assert len(result.units) > 2
    x, s = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_array_equal(CModel(result.library, result.weights).run([x, s])["y"], chain_reference(x, s))


def test_no_compiler_is_a_clear_error(cache: str) -> None:
    with pytest.raises(InferError, match="no C compiler: 'no-such-cc' is not on PATH"):
        build_ir(CHAIN, cache, cc="no-such-cc")


# ---------------------------------------------------------------- a C program, and sanitizers


def _client(directory: Path, extra: list[str]) -> Path:
    exe = directory / "client"
    cmd = [
        "gcc" if shutil.which("gcc") else "cc",
        "-std=c99",
        "-Wall",
        "-Wextra",
        "-Werror",
        *extra,
        str(HERE / "client.c"),
        f"-I{directory}",
        f"-L{directory}",
        "-lmodel",
        f"-Wl,-rpath,{directory}",
        "-o",
        str(exe),
    ]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return exe


def _parse(stdout: str) -> dict[str, np.ndarray]:
    outputs = {}
    for line in stdout.splitlines():
        if line.startswith("output "):
            name, rest = line[len("output ") :].split(" dims", 1)
            dims_text, values_text = rest.split(" values")
            dims = tuple(int(d) for d in dims_text.split())
            outputs[name] = np.array([float(v) for v in values_text.split()], np.float32).reshape(dims)
    return outputs


def _client_inputs(n: int) -> list[np.ndarray]:
    return [(i + 0.25 * np.arange(n * 4, dtype=np.float32) - 1).astype(np.float32).reshape(n, 4) for i in range(2)]


def test_c_client(tmp_path: Path) -> None:
    result = build(infer.parse_ir(CHAIN), cache_dir=tmp_path / "cache", out_dir=tmp_path / "model")
    exe = _client(result.directory, [])
    proc = subprocess.run([str(exe), str(result.directory), "3"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:2] == ["input 0 x dtype 1 rank 2 dims N 4", "input 1 s dtype 1 rank 2 dims N 4"]
    x, s = _client_inputs(3)
    outputs = _parse(proc.stdout)
    np.testing.assert_array_equal(outputs["y"], chain_reference(x, s))
    np.testing.assert_array_equal(outputs["x_again"], x)
    assert "memory arena 128 intermediates 192" in lines  # 48-byte buffers in 64-byte slots, two slots
    assert "wrong rank: 2 input 'x': rank is 1, expected 2" in lines
    assert "wrong dtype: 3 input 'x': dtype is float64 (11), expected float32" in lines
    assert "wrong count: 1 the model takes 2 inputs, got 1" in lines
    assert "missing weights: 5 /nonexistent/weights.bin: No such file or directory" in lines


SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-g"]


@pytest.mark.skipif(os.uname().machine not in ("x86_64", "aarch64"), reason="sanitizers not expected here")
def test_sanitizers(tmp_path: Path) -> None:
    """The emitted code and the run time under ASan and UBSan, through the C program (a sanitized
    library loaded by ctypes would need libasan preloaded into Python)."""
    result = build(
        infer.parse_ir(CHAIN),
        cache_dir=tmp_path / "cache",
        out_dir=tmp_path / "model",
        opt_flags=["-O1"],
        extra_flags=SANITIZE,
    )
    exe = _client(result.directory, SANITIZE)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0", UBSAN_OPTIONS="print_stacktrace=1")
    proc = subprocess.run([str(exe), str(result.directory), "5", "2"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "runtime error" not in proc.stderr and "AddressSanitizer" not in proc.stderr, proc.stderr
    outputs = _parse(proc.stdout)  # the second run (N=2) printed last
    x, s = _client_inputs(2)
    np.testing.assert_array_equal(outputs["y"], chain_reference(x, s))


OUT_OF_BOUNDS = """
func.func @main_graph(%x: memref<?x4xf32> {infer.name = "x"}) -> (memref<?x4xf32> {infer.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %n = memref.dim %x, %c0 : memref<?x4xf32>
  %t = memref.alloc(%n) : memref<?x4xf32>
  %y = memref.alloc(%n) : memref<?x4xf32>
  %past = arith.addi %n, %c1 : index
  scf.for %i = %c0 to %past step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %v = memref.load %x[%c0, %j] : memref<?x4xf32>
      memref.store %v, %t[%i, %j] : memref<?x4xf32>
      memref.store %v, %y[%c0, %j] : memref<?x4xf32>
    }
  }
  func.return %y : memref<?x4xf32>
}
"""


@pytest.mark.skipif(os.uname().machine not in ("x86_64", "aarch64"), reason="sanitizers not expected here")
def test_sanitizers_catch_an_overflow(tmp_path: Path) -> None:
    """The same harness on IR that writes one row past an intermediate buffer: ASan reports it."""
    result = build(
        infer.parse_ir(OUT_OF_BOUNDS),
        cache_dir=tmp_path / "cache",
        out_dir=tmp_path / "model",
        opt_flags=["-O1"],
        extra_flags=SANITIZE,
    )
    exe = _client(result.directory, SANITIZE)
    proc = subprocess.run([str(exe), str(result.directory), "3"], capture_output=True, text=True)
    assert proc.returncode != 0
    assert "AddressSanitizer: use-after-poison" in proc.stderr  # the red zone after the buffer's arena slot


def _skips(multipliers: list[int]) -> str:
    """t_k[i] = t_(k-1)[i % size_(k-1)] + t_(k-3)[i % size_(k-3)] + k, with size_k = n * m_k: buffers of
    different sizes whose lifetimes overlap three steps deep; the last one is the output."""
    lines = [
        'func.func @main_graph(%x: memref<?xf32> {infer.name = "x"}) -> (memref<?xf32> {infer.name = "y"}) {',
        "  %c0 = arith.constant 0 : index",
        "  %c1 = arith.constant 1 : index",
        "  %n = memref.dim %x, %c0 : memref<?xf32>",
    ]
    names = ["%x"]
    sizes = ["%n"]
    for k, m in enumerate(multipliers, start=1):
        lines.append(f"  %m{k} = arith.constant {m} : index")
        lines.append(f"  %s{k} = arith.muli %n, %m{k} : index")
        lines.append(f"  %t{k} = memref.alloc(%s{k}) : memref<?xf32>")
        lines.append(f"  %k{k} = arith.constant {k}.0 : f32")
        lines.append(f"  scf.for %i = %c0 to %s{k} step %c1 {{")
        lines.append(f"    %a = arith.remui %i, {sizes[-1]} : index")
        lines.append(f"    %p = memref.load {names[-1]}[%a] : memref<?xf32>")
        if k >= 3:
            lines.append(f"    %b = arith.remui %i, {sizes[-3]} : index")
            lines.append(f"    %q = memref.load {names[-3]}[%b] : memref<?xf32>")
            lines.append("    %pq = arith.addf %p, %q : f32")
        else:
            lines.append("    %pq = arith.addf %p, %p : f32")
        lines.append(f"    %v = arith.addf %pq, %k{k} : f32")
        lines.append(f"    memref.store %v, %t{k}[%i] : memref<?xf32>")
        lines.append("  }")
        names.append(f"%t{k}")
        sizes.append(f"%s{k}")
    lines.append(f"  func.return {names[-1]} : memref<?xf32>")
    lines.append("}")
    return "\n".join(lines)


def _skips_reference(x: np.ndarray, multipliers: list[int]) -> np.ndarray:
    buffers = [x]
    for k, m in enumerate(multipliers, start=1):
        i = np.arange(len(x) * m)
        p = buffers[-1][i % len(buffers[-1])]
        q = buffers[-3][i % len(buffers[-3])] if k >= 3 else p
        buffers.append((p + q + np.float32(k)).astype(np.float32))
    return buffers[-1]


def test_plan_keeps_live_buffers_apart(cache: str, rng: np.random.Generator) -> None:
    """Many buffers of different sizes alive at once: a wrong placement corrupts the result."""
    multipliers = [int(m) for m in rng.integers(1, 9, size=24)]
    result = build_ir(_skips(multipliers), cache)
    model = CModel(result.library, result.weights)
    for n in (5, 1, 13):
        x = rng.standard_normal(n).astype(np.float32)
        np.testing.assert_array_equal(model.run([x])["y"], _skips_reference(x, multipliers))
        arena, total = model.memory()
        assert arena < total


SCRATCH_IN_LOOP = """
func.func @main_graph(%x: memref<?x4xf32> {infer.name = "x"}) -> (memref<?x4xf32> {infer.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %n = memref.dim %x, %c0 : memref<?x4xf32>
  %t = memref.alloc(%n) : memref<?x4xf32>
  "memref.copy"(%x, %t) : (memref<?x4xf32>, memref<?x4xf32>) -> ()
  %y = memref.alloc(%n) : memref<?x4xf32>
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    %row = memref.alloc() : memref<64xf32>
    scf.for %j = %c4 to %c64 step %c1 {
      memref.store %zero, %row[%j] : memref<64xf32>
    }
    scf.for %j = %c0 to %c4 step %c1 {
      %v = memref.load %t[%i, %j] : memref<?x4xf32>
      %r = arith.subi %c3, %j : index
      memref.store %v, %row[%r] : memref<64xf32>
    }
    scf.for %j = %c0 to %c4 step %c1 {
      %v = memref.load %row[%j] : memref<64xf32>
      memref.store %v, %y[%i, %j] : memref<?x4xf32>
    }
  }
  func.return %y : memref<?x4xf32>
}
"""


def test_scratch_in_a_loop_is_live_with_what_the_loop_reads(cache: str, rng: np.random.Generator) -> None:
    """A buffer allocated in a loop meets the buffers whose last use is that loop (the scratch row,
    larger than `t`, is cleared at every step: sharing memory with `t` would clear its later rows)."""
    result = build_ir(SCRATCH_IN_LOOP, cache)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    np.testing.assert_array_equal(CModel(result.library, result.weights).run([x])["y"], x[:, ::-1])


SCALAR = """
func.func @main_graph(%x: memref<f32> {infer.name = "x"}) -> (memref<f32> {infer.name = "y"}) {
  %v = memref.load %x[] : memref<f32>
  %w = arith.mulf %v, %v : f32
  %y = memref.alloc() : memref<f32>
  memref.store %w, %y[] : memref<f32>
  func.return %y : memref<f32>
}
"""


def test_rank_zero_tensors(cache: str) -> None:
    result = build_ir(SCALAR, cache)
    y = CModel(result.library, result.weights).run([np.array(3.0, np.float32)])["y"]
    assert y.shape == () and y == 9.0


@pytest.mark.parametrize("ir", [CHAIN, SCRATCH_IN_LOOP, NEGATIVE], ids=["chain", "scratch", "negative"])
def test_generated_code_is_warning_free(ir: str, tmp_path: Path) -> None:
    result = build(infer.parse_ir(ir), cache_dir=tmp_path / "cache", out_dir=tmp_path / "model")
    for unit in [*result.units, "infer_rt.c"]:
        proc = subprocess.run(
            [
                "gcc",
                "-std=c99",
                "-Wall",
                "-Wextra",
                "-Wno-unused-parameter",
                "-pedantic",
                "-Werror",
                "-fsyntax-only",
                unit,
            ],
            cwd=result.directory,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stderr
