"""xDSL's own `cse` and `dce` on `infer` IR: every infer op is `Pure`, so duplicates
merge and dead chains go; the interpreter gives the same results before and after."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from infer_ir import assert_pass_preserves, parse
from light_models import dynamic_batch, inputs, load, with_random_weights
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.traits import Pure
from xdsl.transforms.common_subexpression_elimination import CommonSubexpressionElimination
from xdsl.transforms.dead_code_elimination import DeadCodeElimination

import infer
from infer.dialects.infer import ALL_OPS
from infer.dialects.infer.elementwise import ReluOp
from infer.dialects.infer.nn import ConvOp


def counts(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk() if op.name.startswith("infer."))


def test_every_infer_op_is_pure() -> None:
    impure = [op.name for op in ALL_OPS if not op.has_trait(Pure)]
    assert not impure


DUPLICATES = """
func.func @main(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> (tensor<?x4x6x6xf32>, tensor<?x4x3x3xf32>) {
  %a = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
         : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  %b = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
         : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  %c = infer.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
         : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x3x3xf32>
  %ra = infer.relu %a : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  %rb = infer.relu %b : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  %y = infer.sub %ra, %rb : (tensor<?x4x6x6xf32>, tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  %z = infer.add %y, %a : (tensor<?x4x6x6xf32>, tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  %dead = infer.softmax %c {axes = array<i64: 1>} : (tensor<?x4x3x3xf32>) -> tensor<?x4x3x3xf32>
  %dead2 = infer.exp %dead : (tensor<?x4x3x3xf32>) -> tensor<?x4x3x3xf32>
  func.return %z, %c : tensor<?x4x6x6xf32>, tensor<?x4x3x3xf32>
}
"""


@pytest.mark.parametrize("batch", [1, 2])
def test_small_graph(rng: np.random.Generator, batch: int) -> None:
    module = parse(DUPLICATES)
    feeds = [
        rng.standard_normal((batch, 3, 8, 8)).astype(np.float32),
        rng.standard_normal((4, 3, 3, 3)).astype(np.float32),
    ]
    merged = assert_pass_preserves(module, CommonSubexpressionElimination(), feeds)
    # The strided conv differs by a property: it stays. cse also erases an op that is dead
    # when it reaches it (the exp), not the chain above it (the softmax): dce does.
    assert counts(merged) == Counter(
        {"infer.conv": 2, "infer.relu": 1, "infer.sub": 1, "infer.add": 1, "infer.softmax": 1}
    )
    cleaned = assert_pass_preserves(module, DeadCodeElimination(), feeds)
    assert counts(cleaned)["infer.softmax"] == counts(cleaned)["infer.exp"] == 0
    assert counts(cleaned)["infer.conv"] == 3


def duplicate_and_dead(module: ModuleOp) -> tuple[int, int]:
    """Adds, after every relu of several uses, a copy that takes over every other use of
    it (a duplicate for cse), and after every conv a copy nobody uses (dead code)."""
    duplicated = dead = 0
    for op in list(module.walk()):
        if isinstance(op, ReluOp) and len(uses := list(op.result.uses)) > 1:
            copy = op.clone()
            Rewriter.insert_op(copy, InsertPoint.after(op))
            for use in uses[1::2]:
                use.operation.operands[use.index] = copy.result
            duplicated += 1
        elif isinstance(op, ConvOp):
            Rewriter.insert_op(op.clone(), InsertPoint.after(op))
            dead += 1
    module.verify()
    return duplicated, dead


@pytest.mark.parametrize(
    ("name", "pass_", "dynamic"),
    [
        ("resnet50", CommonSubexpressionElimination(), False),
        ("resnet50", DeadCodeElimination(), True),
        ("squeezenet", CommonSubexpressionElimination(), True),
        ("squeezenet", DeadCodeElimination(), False),
    ],
    ids=lambda v: v.name if isinstance(v, ModulePass) else str(v),
)
def test_light_model(name: str, pass_: ModulePass, dynamic: bool) -> None:
    model = with_random_weights(load(name))
    module = infer.to_infer(dynamic_batch(model) if dynamic else model)
    original = counts(module)
    duplicated, dead = duplicate_and_dead(module)
    assert duplicated and dead
    after = assert_pass_preserves(module, pass_, inputs(model), rtol=1e-5, atol=1e-6)
    ops = counts(after)
    # Both passes drop the dead convs (cse erases trivially dead ops too); only cse merges relus.
    assert ops["infer.conv"] == original["infer.conv"]
    assert ops["infer.relu"] == original["infer.relu"] + (0 if pass_.name == "cse" else duplicated)


def test_light_model_as_shipped_merges_equal_convs() -> None:
    """inception_v1 as shipped has splat weights: branches that read one input with
    weights of one shape compute the same values, and cse finds them."""
    model = load("inception_v1")
    module = infer.to_infer(model)
    after = assert_pass_preserves(module, CommonSubexpressionElimination(), inputs(model), rtol=1e-4, atol=1e-5)
    assert counts(after)["infer.conv"] < counts(module)["infer.conv"]
