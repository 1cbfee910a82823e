"""Building a model's shared library: plan memory, emit C, compile (cached), write the weights.

    result = build(module, out_dir="out")      # out/: model.c, model.h, weights.bin, libmodel.so
    result.library, result.weights, result.cached

Libraries are cached under `cache_dir` (default `~/.cache/infer`), keyed by a
hash of the generated C (which is a function of the loop-level IR), the
support library, the weights, the compiler flags, the compiler's version and
the host CPU (`-march=native`): building the same model twice compiles
nothing. A cache entry is a directory `<key>/` holding everything `out_dir`
receives; it is written under a temporary name and renamed, so concurrent
builds of the same model are safe.

Units are compiled in parallel (`jobs`), then linked with `-shared -lm` and the
kernel library (`runtime/c/kernels/`: GEMM, convolution, pooling, the thread
pool), which is compiled once per compiler, flags and CPU into a static archive
cached under `cache_dir/kernels-<key>/` (`build_kernels`) and shared by every
model; a model pulls in only the kernels it calls. A model that calls the
OpenBLAS GEMM (`select-kernels{gemm=openblas}`) also compiles
`kernels/gemm_openblas.c` and links scipy-openblas32's library (the optional
`openblas` extra).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from infer.diagnostics import InferError
from infer.runtime.c.assemble import template
from infer.runtime.c.emitter import CProgram, EmitOptions, emit_c
from infer.runtime.c.weights import write_blob

DEFAULT_CC = ("gcc", "cc")
OPT_FLAGS = ("-O3", "-march=native", "-mprefer-vector-width=512")
"""PERF_NOTES: gcc's -march=native tunes this CPU for 256-bit vectors; 512 is 1.7-2.1x faster on GEMM loops."""
BASE_FLAGS = (
    "-std=c99",
    "-fPIC",
    "-fvisibility=hidden",
    "-fno-math-errno",  # sqrt and friends inline; results are the same
    "-ffp-contract=off",  # a*b+c stays two roundings, as the IR says (math.fma is explicit)
    "-fno-strict-aliasing",  # arena memory is reused across element types
)
SUPPORT_FILES = ("infer_rt.c", "infer_rt.h", "model.h")
KERNELS = "kernels"
KERNEL_ARCHIVE = "libinfer_kernels.a"
OPENBLAS_SOURCE = "gemm_openblas.c"
"""Compiled only into models that call OpenBLAS (it needs scipy-openblas32)."""
OPENBLAS_SYMBOL = "infer_gemm_openblas_f32"
LINK_LIBS = ("-lm", "-lpthread")
LIBRARY = "libmodel.so"
WEIGHTS = "weights.bin"


LOOP_LEVEL = ("builtin.", "func.", "scf.", "arith.", "math.", "memref.")
"""Prefixes of the ops the emitter takes (docs/c_target.md)."""


def is_loop_level(module: ModuleOp) -> bool:
    """Only loop-level ops, and no tensors (a function that only forwards a tensor has no ops to say so)."""
    from xdsl.dialects import func
    from xdsl.dialects.builtin import TensorType

    for op in module.walk():
        if not op.name.startswith(LOOP_LEVEL):
            return False
        if isinstance(op, func.FuncOp) and any(
            isinstance(t, TensorType) for t in (*op.function_type.inputs.data, *op.function_type.outputs.data)
        ):
            return False
    return True


def lower_to_loop_level(
    module: ModuleOp,
    opt_level: int | None = None,
    *,
    optimize: bool = True,
    kernels: bool = True,
    gemm: str = "ours",
) -> ModuleOp:
    """Brings a module to the loop level, in place: an `onnx` module is converted, an
    `infer` module optimized (level `opt_level`, default 2; not at all without
    `optimize`), its heavy ops marked for the kernel library (`select-kernels`,
    with `gemm` = `ours` or `openblas`; not without `kernels`) and lowered to
    loops and kernel calls (`lower-to-loops-pipeline`); loop-level IR is left as
    it is."""
    if is_loop_level(module):
        return module
    from infer.api import is_onnx_dialect
    from infer.api import optimize as optimize_module
    from infer.lowering.infer_to_linalg.pipeline import LowerToLoopsPipelinePass
    from infer.registry import load_context

    if optimize and any(op.name.startswith(("onnx.", "infer.")) for op in module.walk()):
        optimize_module(module, opt_level)
    elif is_onnx_dialect(module):
        optimize_module(module, 0)
    if kernels:
        from infer.lowering.select_kernels import SelectKernelsPass

        SelectKernelsPass(gemm=gemm).apply(load_context(), module)
    LowerToLoopsPipelinePass().apply(load_context(), module)
    module.verify()
    return module


def default_cache_dir() -> Path:
    return Path.home() / ".cache" / "infer"


@cache
def find_compiler(cc: str | None) -> str:
    """The path of the C compiler (`cc`, or gcc, or cc)."""
    candidates = (cc,) if cc else DEFAULT_CC
    for name in candidates:
        path = shutil.which(name)
        if path:
            return path
    raise InferError(
        f"no C compiler: {' or '.join(repr(c) for c in candidates)} is not on PATH",
        hint="install gcc (e.g. apt-get install gcc), or give the compiler with --cc / cc=",
    )


@cache
def compiler_identity(path: str) -> str:
    """What the cache key says about the compiler: its version."""
    try:
        proc = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
    except OSError as e:
        raise InferError(f"cannot run the C compiler {path}: {e.strerror}") from None
    return proc.stdout.strip().splitlines()[0] if proc.stdout.strip() else path


@cache
def host_identity() -> str:
    """The CPU, since -march=native compiles for it."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        import platform

        return platform.machine() + platform.processor()
    lines = [line for line in text.splitlines() if line.startswith(("model name", "flags"))]
    return "\n".join(sorted(set(lines)))


@dataclass
class BuildResult:
    """A built model: its directory (in the cache, or `out_dir`) and what it holds."""

    directory: Path
    cached: bool
    """True when the library came from the cache (nothing was compiled)."""
    units: list[str]
    key: str
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds: `plan` (plan-memory), `emit`, `compile` (0 on a cache hit), `total`."""

    @property
    def library(self) -> Path:
        return self.directory / LIBRARY

    @property
    def weights(self) -> Path:
        return self.directory / WEIGHTS

    @property
    def header(self) -> Path:
        return self.directory / "model.h"


def kernel_files() -> dict[str, str]:
    """The sources of the kernel library (`runtime/c/kernels/*.c, *.h`), by file name."""
    folder = resources.files("infer.runtime.c").joinpath(KERNELS)
    return {
        entry.name: entry.read_text()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith((".c", ".h"))
    }


def kernels_key(compiler: str, flags: Sequence[str], only: Sequence[str] | None = None) -> str:
    """What the kernel library is a function of: its sources, model.h, flags, compiler, CPU."""
    digest = hashlib.blake2b(digest_size=16)
    for name, text in kernel_files().items():
        if only is not None and name.endswith(".c") and name not in only:
            continue
        digest.update(name.encode())
        digest.update(text.encode())
    digest.update(template("model.h").encode())
    digest.update("\0".join(flags).encode())
    digest.update(compiler_identity(compiler).encode())
    digest.update(host_identity().encode())
    return digest.hexdigest()


def _run_compiler(args: Sequence[str], cwd: Path) -> str | None:
    proc = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True)
    return proc.stderr if proc.returncode != 0 else None


def build_kernels(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    cc: str | None = None,
    flags: Sequence[str] | None = None,
    jobs: int | None = None,
    only: Sequence[str] | None = None,
) -> Path:
    """The kernel library for a compiler and flags (default: a model's, `OPT_FLAGS` +
    `BASE_FLAGS`): a static archive of every `kernels/*.c` but `gemm_openblas.c`
    (or of the sources named in `only`, for tests of some kernels), compiled once
    and cached as the file `cache_dir/kernels-<key>.a` (`cache_dir` defaults to the
    models' cache). Its headers are `kernel_include_dirs()`."""
    compiler = find_compiler(cc)
    flags = list(flags) if flags is not None else [*OPT_FLAGS, *BASE_FLAGS]
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    archive = root / f"kernels-{kernels_key(compiler, flags, only)}.a"
    if archive.exists():
        return archive
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=archive.stem + ".", suffix=".tmp", dir=root))
    try:
        files = kernel_files()
        for name, text in files.items():
            (work / name).write_text(text)
        (work / "model.h").write_text(template("model.h"))
        sources = [name for name in files if name.endswith(".c") and name != OPENBLAS_SOURCE]
        if only is not None:
            sources = [name for name in sources if name in only]
        objects = [Path(name).stem + ".o" for name in sources]
        with ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool:
            errors = list(
                pool.map(
                    lambda src: (src, _run_compiler([compiler, *flags, "-c", src, "-o", Path(src).stem + ".o"], work)),
                    sources,
                )
            )
        for source, error in errors:
            if error is not None:
                raise InferError(
                    f"the C compiler failed on the kernel library's {source}: {_first_error(error)}",
                    hint=f"a bug in runtime/c/kernels/{source}",
                )
        ar = shutil.which("gcc-ar") if Path(compiler).name.startswith("gcc") else None
        ar = ar or shutil.which("ar")
        if ar is None:
            raise InferError("no archiver: 'ar' is not on PATH", hint="install binutils (it comes with gcc)")
        error = _run_compiler([ar, "rcs", KERNEL_ARCHIVE, *objects], work)
        if error is not None:
            raise InferError(f"archiving the kernel library failed: {_first_error(error)}")
        os.replace(work / KERNEL_ARCHIVE, archive)  # atomic: a concurrent build of the same key writes the same
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return archive


def kernel_include_dirs() -> list[Path]:
    """Where `infer_kernels.h` and the `model.h` it includes are (for programs linked with `build_kernels`)."""
    package = Path(str(resources.files("infer.runtime.c")))
    return [package / KERNELS, package]


def uses_openblas(program: CProgram) -> bool:
    return any(OPENBLAS_SYMBOL in text for text in program.units.values())


def openblas_link_flags() -> list[str]:
    """How to link scipy-openblas32's library (symbols `scipy_cblas_*`), found where the wheel installed it."""
    try:
        import scipy_openblas32  # type: ignore[import-not-found]
    except ImportError:
        raise InferError(
            "the model calls OpenBLAS (select-kernels{gemm=openblas}) but scipy-openblas32 is not installed",
            hint="pip install 'infer[openblas]', or select gemm=ours",
        ) from None
    lib_dir = scipy_openblas32.get_lib_dir()
    return [f"-L{lib_dir}", f"-Wl,-rpath,{lib_dir}", f"-l{scipy_openblas32.get_library()}"]


def cache_key(program: CProgram, compiler: str, flags: Sequence[str]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for name in SUPPORT_FILES:
        digest.update(template(name).encode())
    digest.update(kernels_key(compiler, flags).encode())
    if uses_openblas(program):
        digest.update(kernel_files()[OPENBLAS_SOURCE].encode())
        digest.update(" ".join(openblas_link_flags()).encode())
    for name, text in program.units.items():
        digest.update(name.encode())
        digest.update(text.encode())
    digest.update(f"{program.blob_key:x}".encode())
    digest.update("\0".join(flags).encode())
    digest.update(compiler_identity(compiler).encode())
    digest.update(host_identity().encode())
    return digest.hexdigest()


def _compile_unit(compiler: str, flags: Sequence[str], directory: Path, unit: str) -> tuple[str, str | None]:
    obj = directory / (Path(unit).stem + ".o")
    proc = subprocess.run([compiler, *flags, "-c", unit, "-o", obj.name], cwd=directory, capture_output=True, text=True)
    return unit, (proc.stderr if proc.returncode != 0 else None)


def _first_error(stderr: str) -> str:
    for line in stderr.splitlines():
        if "error" in line:
            return line.strip()
    return stderr.strip().splitlines()[0] if stderr.strip() else "no message"


def compile_program(
    program: CProgram,
    directory: Path,
    compiler: str,
    flags: Sequence[str],
    jobs: int,
    keep: Path | None = None,
    kernels: Path | None = None,
) -> None:
    """Writes the sources and weights into `directory` and compiles the library there,
    linked with the kernel archive `kernels` (on failure, error messages point at
    `keep`, where the caller keeps the sources)."""
    where = keep or directory
    for name in SUPPORT_FILES:
        (directory / name).write_text(template(name))
    (directory / "model.h").write_text(program.header)
    # Generated code that calls kernels (or packs weights for them) includes their declarations.
    (directory / "infer_kernels.h").write_text(kernel_files()["infer_kernels.h"])
    for name, text in program.units.items():
        (directory / name).write_text(text)
    write_blob(directory / WEIGHTS, program.globals, program.blob_size, program.blob_key)
    units = [*program.units, "infer_rt.c"]
    link_flags: list[str] = []
    if uses_openblas(program):
        (directory / OPENBLAS_SOURCE).write_text(kernel_files()[OPENBLAS_SOURCE])
        (directory / "infer_kernels.h").write_text(kernel_files()["infer_kernels.h"])
        units.append(OPENBLAS_SOURCE)
        link_flags = openblas_link_flags()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(lambda u: _compile_unit(compiler, flags, directory, u), units))
    for unit, error in results:
        if error is not None:
            raise InferError(
                f"the C compiler failed on {unit}: {_first_error(error)}",
                hint=f"a bug in infer's C emitter; the sources are in {where}",
            )
    objects = [Path(u).stem + ".o" for u in units]
    archive = [str(kernels)] if kernels is not None else []
    proc = subprocess.run(
        [compiler, *flags, "-shared", "-o", LIBRARY, *objects, *archive, *link_flags, *LINK_LIBS],
        cwd=directory,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise InferError(f"linking {LIBRARY} failed: {_first_error(proc.stderr)}", hint=f"the objects are in {where}")
    for obj in objects:
        (directory / obj).unlink()


def _copy_out(source: Path, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        target = out_dir / entry.name
        if target.exists() or target.is_symlink():
            target.unlink()
        shutil.copy2(entry, target)  # a copy: editing out_dir must not change the cache


def build(
    module: ModuleOp,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    cc: str | None = None,
    opt_flags: Sequence[str] = OPT_FLAGS,
    extra_flags: Sequence[str] = (),
    jobs: int | None = None,
    emit_options: EmitOptions | None = None,
    plan_memory: bool = True,
) -> BuildResult:
    """Builds a loop-level module into a shared library (see the module docstring).

    The module is not changed (plan-memory runs on a copy). `opt_flags` replace
    the optimization flags, `extra_flags` add to them (e.g. sanitizers).
    """
    start = time.perf_counter()
    timings: dict[str, float] = {}
    compiler = find_compiler(cc)
    flags = [*opt_flags, *BASE_FLAGS, *extra_flags]
    if plan_memory:
        from infer.lowering.plan_memory import PlanMemoryPass
        from infer.registry import load_context

        module = module.clone()
        PlanMemoryPass().apply(load_context(), module)
    timings["plan"] = time.perf_counter() - start
    program = emit_c(module, emit_options)
    if not program.header:
        raise InferError(
            "the module has no entry function: every function is private",
            hint="name the entry function @main_graph (or make it public)",
        )
    timings["emit"] = time.perf_counter() - start - timings["plan"]
    key = cache_key(program, compiler, flags)
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    final = root / key
    cached = (final / LIBRARY).exists()
    timings["compile"] = 0.0
    if not cached:
        root.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f"{key}.", suffix=".tmp", dir=root))
        compile_start = time.perf_counter()
        kernels = build_kernels(root, cc=compiler, flags=flags, jobs=jobs)
        failed = root / f"failed-{key}"
        try:
            compile_program(program, work, compiler, flags, jobs or os.cpu_count() or 1, keep=failed, kernels=kernels)
        except BaseException:
            shutil.rmtree(failed, ignore_errors=True)
            work.rename(failed)
            raise
        timings["compile"] = time.perf_counter() - compile_start
        try:
            work.rename(final)
        except OSError:  # built concurrently by someone else: theirs is the same
            shutil.rmtree(work, ignore_errors=True)
    directory = final
    if out_dir is not None:
        _copy_out(final, Path(out_dir))
        directory = Path(out_dir)
    timings["total"] = time.perf_counter() - start
    return BuildResult(directory, cached, list(program.units), key, timings)
