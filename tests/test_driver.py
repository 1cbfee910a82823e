"""infer-opt's driver features: optimization levels, --verify-each, --op-stats, pass flags."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline

import infer
from infer.diagnostics import InferError
from infer.dialects.infer import ConstantOp
from infer.verify_each import VerifyEach

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conv_bn_relu.onnx"
INFER_OPT = str(Path(sys.executable).with_name("infer-opt"))


@dataclass(frozen=True)
class PerturbBiasPass(ModulePass):
    """A wrong pass: adds 1 to every element of the first 1-D float constant (a conv bias)."""

    name = "perturb-bias"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for constant in op.walk():
            if isinstance(constant, ConstantOp) and len(constant.result.type.get_shape()) == 1:
                value = constant.to_numpy()
                if value.dtype == np.float32:
                    replacement = ConstantOp(value + np.float32(1))
                    replacement.location = constant.location
                    constant.parent_block().insert_op_before(replacement, constant)
                    constant.result.replace_all_uses_with(replacement.result)
                    constant.detach()
                    constant.erase()
                    return


@dataclass(frozen=True)
class NothingPass(ModulePass):
    name = "nothing"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        pass


def _run(passes: list[ModulePass], callback: VerifyEach) -> None:
    module = infer.load(str(EXAMPLE))
    from infer.lowering.onnx_to_infer import ConvertOnnxToInferPass
    from infer.registry import load_context

    PassPipeline((ConvertOnnxToInferPass(), *passes), callback).apply(load_context(), module)


def test_verify_each_names_the_pass_and_the_first_diverging_node(tmp_path: Path) -> None:
    check = VerifyEach(dims={"N": 1, "H": 6, "W": 5}, dump_dir=tmp_path)
    with pytest.raises(InferError) as info:
        _run([NothingPass(), PerturbBiasPass()], check)
    message = str(info.value)
    assert "pass 'perturb-bias' changed the results" in message
    assert "node 'conv1' first diverges (max abs error" in message
    assert "'features'" in message
    assert check.checked == ["nothing"]
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["01-after-perturb-bias.mlir", "01-before-perturb-bias.mlir"]
    assert "infer.conv" in (tmp_path / "01-after-perturb-bias.mlir").read_text()


def test_verify_each_accepts_passes_that_keep_the_results() -> None:
    check = VerifyEach(dims={"N": 2, "H": 5, "W": 7})
    _run([NothingPass(), NothingPass()], check)
    assert check.checked == ["nothing", "nothing"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([INFER_OPT, *args], capture_output=True, text=True)


def test_op_stats_are_comments_after_the_ir() -> None:
    proc = _cli(str(EXAMPLE), "-O0", "--op-stats")
    assert proc.returncode == 0, proc.stderr
    stats = proc.stdout[proc.stdout.index("// -----// op stats") :]
    assert "// infer.conv: 2\n" in stats and "// infer.batch_norm: 2\n" in stats
    assert infer.parse_ir(proc.stdout.replace("dense_resource<__elided__>", "dense<0.0>"))


def test_verify_each_from_the_command_line() -> None:
    proc = _cli(str(EXAMPLE), "-O0", "--verify-each", "--verify-each-dims=N=1,H=4,W=4", "--cse", "--dce")
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("flag", ["-O7", "-Ox", "--opt-level=4"])
def test_bad_optimization_level_is_a_one_line_error(flag: str) -> None:
    proc = _cli(str(EXAMPLE), flag)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "optimization level" in proc.stderr


def test_unknown_pass_in_a_pipeline_is_a_one_line_error() -> None:
    proc = _cli(str(EXAMPLE), "-p", "convert-onnx-to-infer,no-such-pass")
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "no-such-pass" in proc.stderr


def test_pass_flags_run_in_order_after_the_level() -> None:
    proc = _cli(str(EXAMPLE), "-O0", "--decompose-composites", "--print-between-passes")
    assert proc.returncode == 0, proc.stderr
    dumps = proc.stdout.split("// -----// IR after ")
    assert len(dumps) == 2 and dumps[1].startswith("convert-onnx-to-infer")
    between, final = dumps[1].split("builtin.module")[1:]
    assert "infer.batch_norm" in between and "infer.batch_norm" not in final
