"""`simplify-algebra`: every rewrite runs through the interpreter before and after,
on inputs full of NaN, infinities, signed zeros, subnormals and integer extremes.
Without fast-math the results must be the same bits (NaN payloads aside); with
it, the same numbers within rounding. Op counts show that each rewrite happened.
Also: dynamic dims at sizes 1 and 3, clamp chains over every bound combination,
an ONNX graph, fused locations, and the light models (with identities woven in,
and their decomposed batch norms under fast-math)."""

from __future__ import annotations

import itertools
from collections import Counter

import light_models
import numpy as np
import onnx
import pytest
from infer_ir import assert_pass_preserves, parse, run
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.rewriter import Rewriter

import infer
from infer.dialects.dtypes import to_numpy
from infer.dialects.infer import ConstantOp
from infer.dialects.infer.base import dims_of
from infer.registry import load_context
from infer.runtime.interpreter import Interpreter, execute, has_semantics
from infer.transforms.decompose_composites import DecomposeCompositesPass
from infer.transforms.simplify_algebra import SimplifyAlgebraPass
from infer.verify_each import node_of

EXACT = SimplifyAlgebraPass()
FAST = SimplifyAlgebraPass(fast_math=True)


def counts(module: ModuleOp) -> Counter[str]:
    """Ops by name, constants left out."""
    return Counter(op.name for op in module.walk() if op.name.startswith("infer.") and op.name != "infer.constant")


def special_array(shape: tuple[int, ...], dtype: np.dtype, rng: np.random.Generator) -> np.ndarray:
    """Random values with every special value of the dtype somewhere in them."""
    n = int(np.prod(shape))
    if dtype.kind == "f":
        info = np.finfo(dtype)
        specials = [-0.0, np.nan, np.inf, -np.inf, 0.0, info.smallest_subnormal, -info.smallest_subnormal]
        specials += [info.max, -info.max, info.tiny, 1.0, -1.0, 0.5, 2.0, 3.0]
        specials = specials[:1] + list(rng.permutation(np.asarray(specials[1:])))
        values = (rng.standard_normal(n) * rng.choice([1e-3, 1.0, 1e3], n)).astype(dtype)
    else:
        iinfo = np.iinfo(dtype)
        specials = list(rng.permutation([iinfo.min, iinfo.max, 0, 1, -1 if iinfo.min < 0 else 2, 2, 7]))
        values = rng.integers(iinfo.min, iinfo.max, n, dtype=dtype, endpoint=True)
    picks = rng.permutation(n)[: min(n, len(specials))]
    values[picks] = np.asarray(specials[: len(picks)]).astype(dtype)
    return values.reshape(shape)


def inputs_for(module: ModuleOp, dynamic: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Special-valued inputs for the entry function, `dynamic` for every `?` dim."""
    function = Interpreter(module).function
    arrays = []
    for arg in function.args:
        t = arg.type
        assert isinstance(t, TensorType)
        shape = tuple(dynamic if d is None else d for d in dims_of(t))
        arrays.append(special_array(shape, to_numpy(t.element_type), rng))
    return arrays


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind != "f":
        return bool(np.array_equal(a, b))
    unsigned = np.dtype(f"u{a.dtype.itemsize}")
    both_nan = np.isnan(a) & np.isnan(b)
    return bool(np.all(both_nan | (np.ascontiguousarray(a).view(unsigned) == np.ascontiguousarray(b).view(unsigned))))


def assert_exact(module: ModuleOp, inputs: list[np.ndarray] | dict[str, np.ndarray]) -> ModuleOp:
    """The pass without fast-math: the same bits (signed zeros included) on `inputs`."""
    return assert_pass_preserves(module, EXACT, inputs, rtol=0, atol=0, same_bits=True)


def assert_fast(module: ModuleOp, inputs: list[np.ndarray], *, finite: bool = False) -> ModuleOp:
    """The pass with fast-math: the same numbers within rounding. With `finite`,
    only where the inputs are finite (fast-math may change NaN and Inf)."""
    if finite:
        inputs = [np.where(np.isfinite(x), x, np.ones((), x.dtype)) if x.dtype.kind == "f" else x for x in inputs]
    after = module.clone()
    FAST.apply(load_context(), after)
    after.verify()
    for i, (b, a) in enumerate(zip(run(module, inputs), run(after, inputs), strict=True)):
        assert a.dtype == b.dtype and a.shape == b.shape
        if finite and b.dtype.kind == "f":
            keep = np.isfinite(b)
            tolerance = 4 * float(np.finfo(b.dtype).eps)
            np.testing.assert_allclose(a[keep], b[keep], rtol=tolerance, atol=tolerance, err_msg=f"output {i}")
        else:
            assert same_bits(a, b), f"output {i} changed:\n{b}\n{a}"
    return after


# -- one case per rewrite ---------------------------------------------------------------------
#
# (IR, op counts after the exact pass, op counts after the fast-math pass, fast-math
# exact on special values). Counts list only the ops a case is about.

CASES: dict[str, tuple[str, dict[str, int], dict[str, int], bool]] = {
    "add_minus_zero": (
        """func.func @f(%x: tensor<?x4xf32>, %h: tensor<3x?xf16>)
              -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<3x?xf16>) {
          %z = infer.constant splat<-0.0> : tensor<1x4xf32>
          %zh = infer.constant dense<-0.0> : tensor<1x1xf16>
          %a = infer.add %x, %z : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %b = infer.add %z, %x : (tensor<1x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
          %c = infer.add %h, %zh : (tensor<3x?xf16>, tensor<1x1xf16>) -> tensor<3x?xf16>
          func.return %a, %b, %c : tensor<?x4xf32>, tensor<?x4xf32>, tensor<3x?xf16>
        }""",
        {"infer.add": 0},
        {"infer.add": 0},
        True,
    ),
    "add_plus_zero": (
        """func.func @f(%x: tensor<6xf32>) -> (tensor<6xf32>, tensor<6xf32>) {
          %z = infer.constant splat<0.0> : tensor<6xf32>
          %m = infer.constant dense<[-0.0, 0.0, -0.0, 0.0, 0.0, 0.0]> : tensor<6xf32>
          %a = infer.add %x, %z : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
          %b = infer.add %m, %x : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
          func.return %a, %b : tensor<6xf32>, tensor<6xf32>
        }""",
        {"infer.add": 2},
        {"infer.add": 0},
        False,
    ),
    "add_zero_broadcasts": (
        """func.func @f(%x: tensor<?x4xf32>, %i: tensor<1x?xi8>) -> (tensor<3x4xf32>, tensor<5x?xi8>) {
          %z = infer.constant splat<-0.0> : tensor<3x4xf32>
          %zi = infer.constant splat<0> : tensor<5x1xi8>
          %a = infer.add %x, %z : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
          %b = infer.add %zi, %i : (tensor<5x1xi8>, tensor<1x?xi8>) -> tensor<5x?xi8>
          func.return %a, %b : tensor<3x4xf32>, tensor<5x?xi8>
        }""",
        {"infer.add": 0, "infer.broadcast_to": 2},
        {"infer.add": 0, "infer.broadcast_to": 2},
        True,
    ),
    "add_sub_neg": (
        """func.func @f(%x: tensor<?x4xf32>, %y: tensor<1x4xf32>, %i: tensor<4xi16>, %j: tensor<4xi16>)
              -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<4xi16>) {
          %ny = infer.neg %y : (tensor<1x4xf32>) -> tensor<1x4xf32>
          %a = infer.add %x, %ny : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %nx = infer.neg %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
          %b = infer.add %nx, %y : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %c = infer.sub %x, %ny : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %nj = infer.neg %j : (tensor<4xi16>) -> tensor<4xi16>
          %d = infer.sub %i, %nj : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
          func.return %a, %b, %c, %d : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<4xi16>
        }""",
        {"infer.neg": 0, "infer.sub": 2, "infer.add": 2},
        {"infer.neg": 0},
        True,
    ),
    "sub_zero": (
        """func.func @f(%x: tensor<?x5xf64>, %i: tensor<5xi32>) -> (tensor<?x5xf64>, tensor<?x5xf64>, tensor<5xi32>) {
          %p = infer.constant splat<0.0> : tensor<1x5xf64>
          %m = infer.constant splat<-0.0> : tensor<1x5xf64>
          %zi = infer.constant splat<0> : tensor<5xi32>
          %a = infer.sub %x, %p : (tensor<?x5xf64>, tensor<1x5xf64>) -> tensor<?x5xf64>
          %b = infer.sub %x, %m : (tensor<?x5xf64>, tensor<1x5xf64>) -> tensor<?x5xf64>
          %c = infer.sub %i, %zi : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi32>
          func.return %a, %b, %c : tensor<?x5xf64>, tensor<?x5xf64>, tensor<5xi32>
        }""",
        {"infer.sub": 1},
        {"infer.sub": 0},
        False,
    ),
    "zero_sub": (
        """func.func @f(%x: tensor<?x4xf32>, %i: tensor<?x4xi64>)
              -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xi64>) {
          %m = infer.constant splat<-0.0> : tensor<1x4xf32>
          %p = infer.constant splat<0.0> : tensor<1x4xf32>
          %zi = infer.constant dense<0> : tensor<1x1xi64>
          %a = infer.sub %m, %x : (tensor<1x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
          %b = infer.sub %p, %x : (tensor<1x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
          %c = infer.sub %zi, %i : (tensor<1x1xi64>, tensor<?x4xi64>) -> tensor<?x4xi64>
          func.return %a, %b, %c : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xi64>
        }""",
        {"infer.sub": 1, "infer.neg": 2},
        {"infer.sub": 0, "infer.neg": 3},
        False,
    ),
    "sub_self": (
        """func.func @f(%x: tensor<?x4xf32>, %i: tensor<?x4xi32>, %y: tensor<2x3xf16>)
              -> (tensor<?x4xf32>, tensor<?x4xi32>, tensor<2x3xf16>) {
          %a = infer.sub %x, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
          %b = infer.sub %i, %i : (tensor<?x4xi32>, tensor<?x4xi32>) -> tensor<?x4xi32>
          %c = infer.sub %y, %y : (tensor<2x3xf16>, tensor<2x3xf16>) -> tensor<2x3xf16>
          func.return %a, %b, %c : tensor<?x4xf32>, tensor<?x4xi32>, tensor<2x3xf16>
        }""",
        {"infer.sub": 2, "infer.fill": 1},
        {"infer.sub": 0, "infer.fill": 2},
        False,
    ),
    "mul_one": (
        """func.func @f(%x: tensor<2x?xf32>, %i: tensor<3xui8>)
              -> (tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<3xui8>) {
          %one = infer.constant dense<1.0> : tensor<1x1xf32>
          %mone = infer.constant dense<[[-1.0], [-1.0]]> : tensor<2x1xf32>
          %onei = infer.constant splat<1> : tensor<3xui8>
          %a = infer.mul %x, %one : (tensor<2x?xf32>, tensor<1x1xf32>) -> tensor<2x?xf32>
          %b = infer.mul %one, %x : (tensor<1x1xf32>, tensor<2x?xf32>) -> tensor<2x?xf32>
          %c = infer.mul %x, %mone : (tensor<2x?xf32>, tensor<2x1xf32>) -> tensor<2x?xf32>
          %d = infer.mul %onei, %i : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
          func.return %a, %b, %c, %d : tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<3xui8>
        }""",
        {"infer.mul": 0, "infer.neg": 1},
        {"infer.mul": 0, "infer.neg": 1},
        True,
    ),
    "mul_zero": (
        """func.func @f(%x: tensor<2x3xf32>, %i: tensor<?x3xi64>, %j: tensor<?x1xi32>)
              -> (tensor<2x3xf32>, tensor<?x3xi64>, tensor<?x4xi32>) {
          %z = infer.constant splat<0.0> : tensor<2x3xf32>
          %zi = infer.constant splat<0> : tensor<1x3xi64>
          %zj = infer.constant splat<0> : tensor<1x4xi32>
          %a = infer.mul %x, %z : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
          %b = infer.mul %i, %zi : (tensor<?x3xi64>, tensor<1x3xi64>) -> tensor<?x3xi64>
          %c = infer.mul %zj, %j : (tensor<1x4xi32>, tensor<?x1xi32>) -> tensor<?x4xi32>
          func.return %a, %b, %c : tensor<2x3xf32>, tensor<?x3xi64>, tensor<?x4xi32>
        }""",
        {"infer.mul": 1},
        {"infer.mul": 0},
        False,
    ),
    "mul_neg_constant": (
        """func.func @f(%x: tensor<?x3xf32>, %i: tensor<3xi8>) -> (tensor<?x3xf32>, tensor<3xi8>) {
          %c = infer.constant dense<[[3.0, -0.0, 1.5]]> : tensor<1x3xf32>
          %ci = infer.constant dense<[-128, 5, 127]> : tensor<3xi8>
          %n = infer.neg %x : (tensor<?x3xf32>) -> tensor<?x3xf32>
          %m = infer.mul %n, %c : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
          %ni = infer.neg %i : (tensor<3xi8>) -> tensor<3xi8>
          %mi = infer.mul %ci, %ni : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
          func.return %m, %mi : tensor<?x3xf32>, tensor<3xi8>
        }""",
        {"infer.neg": 0, "infer.mul": 2},
        {"infer.neg": 0, "infer.mul": 2},
        True,
    ),
    "div_one": (
        """func.func @f(%x: tensor<?x4xf32>, %i: tensor<4xi32>)
              -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<4xi32>, tensor<4xi32>) {
          %one = infer.constant splat<1.0> : tensor<1x4xf32>
          %mone = infer.constant splat<-1.0> : tensor<1x4xf32>
          %onei = infer.constant splat<1> : tensor<4xi32>
          %monei = infer.constant splat<-1> : tensor<4xi32>
          %a = infer.div %x, %one : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %b = infer.div %x, %mone : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %c = infer.div %i, %onei : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
          %d = infer.div %i, %monei : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
          func.return %a, %b, %c, %d : tensor<?x4xf32>, tensor<?x4xf32>, tensor<4xi32>, tensor<4xi32>
        }""",
        {"infer.div": 0, "infer.neg": 2},
        {"infer.div": 0, "infer.neg": 2},
        True,
    ),
    "div_power_of_two": (
        """func.func @f(%x: tensor<?x4xf32>, %h: tensor<4xf16>, %d: tensor<3xf64>)
              -> (tensor<?x4xf32>, tensor<4xf16>, tensor<3xf64>) {
          %q = infer.constant dense<[[0.25, 2.0, -8.0, 1.1754943508222875e-38]]> : tensor<1x4xf32>
          %qh = infer.constant dense<[16384.0, 0.5, -2.0, 1024.0]> : tensor<4xf16>
          %qd = infer.constant splat<1.0e-300> : tensor<3xf64>
          %p = infer.constant splat<0.125> : tensor<3xf64>
          %a = infer.div %x, %q : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %b = infer.div %h, %qh : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
          %c = infer.div %d, %p : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
          %e = infer.div %c, %qd : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
          func.return %a, %b, %e : tensor<?x4xf32>, tensor<4xf16>, tensor<3xf64>
        }""",
        {"infer.div": 1, "infer.mul": 3},
        {"infer.div": 0},
        False,
    ),
    "div_neg": (
        """func.func @f(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
          %c = infer.constant dense<[[3.0, -7.0]]> : tensor<1x2xf32>
          %n = infer.neg %x : (tensor<?x2xf32>) -> tensor<?x2xf32>
          %d = infer.div %n, %c : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
          func.return %d : tensor<?x2xf32>
        }""",
        {"infer.neg": 0, "infer.div": 1},
        {"infer.neg": 0, "infer.div": 0},
        False,
    ),
    "neg_folds": (
        """func.func @f(%x: tensor<?x2xf32>, %i: tensor<2xi32>)
              -> (tensor<?x2xf32>, tensor<2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<2xi32>) {
          %n = infer.neg %x : (tensor<?x2xf32>) -> tensor<?x2xf32>
          %nn = infer.neg %n : (tensor<?x2xf32>) -> tensor<?x2xf32>
          %c = infer.constant dense<[2.5, -0.0]> : tensor<2xf32>
          %nc = infer.neg %c : (tensor<2xf32>) -> tensor<2xf32>
          %cc = infer.constant dense<[[1.5, 3.0]]> : tensor<1x2xf32>
          %m = infer.mul %x, %cc : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
          %nm = infer.neg %m : (tensor<?x2xf32>) -> tensor<?x2xf32>
          %q = infer.div %x, %cc : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
          %nq = infer.neg %q : (tensor<?x2xf32>) -> tensor<?x2xf32>
          %ni = infer.neg %i : (tensor<2xi32>) -> tensor<2xi32>
          %nni = infer.neg %ni : (tensor<2xi32>) -> tensor<2xi32>
          func.return %nn, %nc, %nm, %nq, %nni
            : tensor<?x2xf32>, tensor<2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<2xi32>
        }""",
        {"infer.neg": 0, "infer.mul": 1, "infer.div": 1},
        {"infer.neg": 0, "infer.div": 0},
        False,
    ),
    "pow_exact": (
        """func.func @f(%x: tensor<?x4xf32>, %h: tensor<4xf16>, %d: tensor<3xf64>, %i: tensor<3xi32>)
              -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<4xf16>, tensor<4xf16>, tensor<3xf64>,
                  tensor<3xi32>, tensor<3xi32>) {
          %e1 = infer.constant dense<1.0> : tensor<1x1xf32>
          %e2 = infer.constant splat<2.0> : tensor<1x4xf32>
          %e0 = infer.constant splat<0.0> : tensor<1x4xf32>
          %h2 = infer.constant splat<2.0> : tensor<4xf16>
          %h1 = infer.constant splat<1.0> : tensor<4xf16>
          %d2 = infer.constant dense<2.0> : tensor<1xf64>
          %i2 = infer.constant splat<2> : tensor<3xi32>
          %i0 = infer.constant splat<0> : tensor<3xi32>
          %a = infer.pow %x, %e1 : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xf32>
          %b = infer.pow %x, %e2 : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %c = infer.pow %x, %e0 : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %hh = infer.pow %h, %h2 : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
          %hg = infer.pow %h, %h1 : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
          %dd = infer.pow %d, %d2 : (tensor<3xf64>, tensor<1xf64>) -> tensor<3xf64>
          %ii = infer.pow %i, %i2 : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
          %ij = infer.pow %i, %i0 : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
          func.return %a, %b, %c, %hh, %hg, %dd, %ii, %ij
            : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<4xf16>, tensor<4xf16>, tensor<3xf64>,
              tensor<3xi32>, tensor<3xi32>
        }""",
        {"infer.pow": 0, "infer.mul": 4, "infer.fill": 1},
        {"infer.pow": 0, "infer.mul": 4},
        True,
    ),
    "pow_fast_math": (
        """func.func @f(%x: tensor<4xf32>, %h: tensor<4xf16>)
              -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf16>, tensor<4xf32>, tensor<4xf16>) {
          %half = infer.constant splat<0.5> : tensor<4xf32>
          %mone = infer.constant splat<-1.0> : tensor<4xf32>
          %zero = infer.constant splat<0.0> : tensor<4xf16>
          %two = infer.constant dense<[2.0, 2.0, 2.0, 2.0]> : tensor<4xf32>
          %hhalf = infer.constant splat<0.5> : tensor<4xf16>
          %a = infer.pow %x, %half : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
          %b = infer.pow %x, %mone : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
          %c = infer.pow %h, %zero : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
          %d = infer.pow %x, %two : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
          %e = infer.pow %h, %hhalf : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
          func.return %a, %b, %c, %d, %e : tensor<4xf32>, tensor<4xf32>, tensor<4xf16>, tensor<4xf32>, tensor<4xf16>
        }""",
        {"infer.pow": 5},
        {"infer.pow": 0, "infer.sqrt": 2, "infer.reciprocal": 1, "infer.mul": 1},
        False,
    ),
    "relu_relu": (
        """func.func @f(%x: tensor<?x8xf32>, %h: tensor<8xf16>) -> (tensor<?x8xf32>, tensor<8xf16>) {
          %a = infer.relu %x : (tensor<?x8xf32>) -> tensor<?x8xf32>
          %b = infer.relu %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
          %c = infer.relu %h : (tensor<8xf16>) -> tensor<8xf16>
          %d = infer.relu %c : (tensor<8xf16>) -> tensor<8xf16>
          func.return %b, %d : tensor<?x8xf32>, tensor<8xf16>
        }""",
        {"infer.relu": 2},
        {"infer.relu": 2},
        True,
    ),
    "clamps": (
        """func.func @f(%x: tensor<?x4xf32>, %i: tensor<4xi32>)
              -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<4xi32>) {
          %a = infer.clip %x {min = 1.0 : f64, max = 6.0 : f64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
          %b = infer.clip %a {min = -1.0 : f64, max = 3.0 : f64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
          %r = infer.relu %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
          %c = infer.clip %r {min = 1.0 : f64, max = 6.0 : f64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
          %d = infer.clip %r {min = 0.0 : f64, max = 6.0 : f64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
          %e0 = infer.clip %x {max = 6.0 : f64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
          %e = infer.relu %e0 : (tensor<?x4xf32>) -> tensor<?x4xf32>
          %ri = infer.relu %i : (tensor<4xi32>) -> tensor<4xi32>
          %fi = infer.clip %ri {min = 0 : i64, max = 6 : i64} : (tensor<4xi32>) -> tensor<4xi32>
          func.return %b, %c, %d, %e, %fi
            : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<4xi32>
        }""",
        {"infer.clip": 5, "infer.relu": 2},
        {"infer.clip": 5, "infer.relu": 0},
        False,
    ),
    "transposes": (
        """func.func @f(%x: tensor<2x3x?xf32>) -> (tensor<?x2x3xf32>, tensor<2x3x?xf32>, tensor<2x3x?xf32>) {
          %a = infer.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x3x?xf32>) -> tensor<3x?x2xf32>
          %b = infer.transpose %a {perm = array<i64: 1, 2, 0>} : (tensor<3x?x2xf32>) -> tensor<?x2x3xf32>
          %c = infer.transpose %a {perm = array<i64: 2, 0, 1>} : (tensor<3x?x2xf32>) -> tensor<2x3x?xf32>
          %d = infer.transpose %x {perm = array<i64: 0, 1, 2>} : (tensor<2x3x?xf32>) -> tensor<2x3x?xf32>
          func.return %b, %c, %d : tensor<?x2x3xf32>, tensor<2x3x?xf32>, tensor<2x3x?xf32>
        }""",
        {"infer.transpose": 1},
        {"infer.transpose": 1},
        True,
    ),
    "reshapes": (
        """func.func @f(%x: tensor<?x3x4xf32>, %y: tensor<2x3x4xf32>)
              -> (tensor<?x6x2xf32>, tensor<?x3x4xf32>, tensor<24xf32>, tensor<1x24x1xf32>) {
          %f = infer.flatten %x {axis = 1 : i64} : (tensor<?x3x4xf32>) -> tensor<?x12xf32>
          %r = infer.reshape %f : (tensor<?x12xf32>) -> tensor<?x6x2xf32>
          %back = infer.reshape %r : (tensor<?x6x2xf32>) -> tensor<?x3x4xf32>
          %g = infer.flatten %y {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
          %s = infer.constant dense<[-1]> : tensor<1xi64>
          %h = infer.reshape %g, %s : (tensor<6x4xf32>, tensor<1xi64>) -> tensor<24xf32>
          %u = infer.unsqueeze %h {axes = array<i64: 0, 2>} : (tensor<24xf32>) -> tensor<1x24x1xf32>
          func.return %r, %back, %h, %u : tensor<?x6x2xf32>, tensor<?x3x4xf32>, tensor<24xf32>, tensor<1x24x1xf32>
        }""",
        {"infer.flatten": 0, "infer.reshape": 3, "infer.unsqueeze": 0},
        {"infer.flatten": 0, "infer.reshape": 3, "infer.unsqueeze": 0},
        True,
    ),
    "reshape_zero_dim": (
        """func.func @f(%x: tensor<0x?xf32>) -> tensor<0x?xf32> {
          %u = infer.unsqueeze %x {axes = array<i64: 0>} : (tensor<0x?xf32>) -> tensor<1x0x?xf32>
          %f = infer.flatten %u {axis = 2 : i64} : (tensor<1x0x?xf32>) -> tensor<0x?xf32>
          func.return %f : tensor<0x?xf32>
        }""",
        {"infer.unsqueeze": 0, "infer.flatten": 0, "infer.reshape": 0},
        {"infer.unsqueeze": 0, "infer.flatten": 0, "infer.reshape": 0},
        True,
    ),
    "squeeze_pairs": (
        """func.func @f(%x: tensor<?x4x?xf32>, %y: tensor<?x1x?xf32>)
              -> (tensor<?x4x?xf32>, tensor<1x?x1x4x?xf32>, tensor<?x1x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>) {
          %u = infer.unsqueeze %x {axes = array<i64: 1>} : (tensor<?x4x?xf32>) -> tensor<?x1x4x?xf32>
          %q = infer.squeeze %u {axes = array<i64: 1>} : (tensor<?x1x4x?xf32>) -> tensor<?x4x?xf32>
          %v = infer.unsqueeze %u {axes = array<i64: 0>} : (tensor<?x1x4x?xf32>) -> tensor<1x?x1x4x?xf32>
          %p = infer.squeeze %y {axes = array<i64: 1>} : (tensor<?x1x?xf32>) -> tensor<?x?xf32>
          %w = infer.unsqueeze %p {axes = array<i64: 1>} : (tensor<?x?xf32>) -> tensor<?x1x?xf32>
          %t = infer.unsqueeze %p {axes = array<i64: 0>} : (tensor<?x?xf32>) -> tensor<1x?x?xf32>
          %k = infer.squeeze %t {axes = array<i64: 0>} : (tensor<1x?x?xf32>) -> tensor<?x?xf32>
          %f = infer.flatten %x {axis = 1 : i64} : (tensor<?x4x?xf32>) -> tensor<?x?xf32>
          %s = infer.shape_of %x {start = 0 : i64, end = 3 : i64} : (tensor<?x4x?xf32>) -> tensor<3xi64>
          %z = infer.reshape %f, %s : (tensor<?x?xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
          func.return %q, %v, %w, %k, %z
            : tensor<?x4x?xf32>, tensor<1x?x1x4x?xf32>, tensor<?x1x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>
        }""",
        {"infer.squeeze": 1, "infer.unsqueeze": 1, "infer.flatten": 0, "infer.reshape": 1},
        {"infer.squeeze": 1, "infer.unsqueeze": 1, "infer.flatten": 0, "infer.reshape": 1},
        True,
    ),
    "affine_chain": (
        """func.func @f(%x: tensor<?x2x3x3xf32>) -> tensor<?x2x3x3xf32> {
          %s1 = infer.constant dense<[[[[2.0]], [[0.5]]]]> : tensor<1x2x1x1xf32>
          %b1 = infer.constant dense<[[[[1.0]], [[-1.0]]]]> : tensor<1x2x1x1xf32>
          %s2 = infer.constant dense<[[[[3.0]], [[-2.0]]]]> : tensor<1x2x1x1xf32>
          %b2 = infer.constant dense<[[[[7.0]], [[-1.5]]]]> : tensor<1x2x1x1xf32>
          %m1 = infer.mul %x, %s1 : (tensor<?x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x3x3xf32>
          %a1 = infer.add %m1, %b1 : (tensor<?x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x3x3xf32>
          %m2 = infer.mul %s2, %a1 : (tensor<1x2x1x1xf32>, tensor<?x2x3x3xf32>) -> tensor<?x2x3x3xf32>
          %a2 = infer.add %m2, %b2 : (tensor<?x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x3x3xf32>
          func.return %a2 : tensor<?x2x3x3xf32>
        }""",
        {"infer.mul": 2, "infer.add": 2},
        {"infer.mul": 1, "infer.add": 1},
        False,
    ),
    "reassociate": (
        """func.func @f(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
          %two = infer.constant splat<2.0> : tensor<1x4xf32>
          %three = infer.constant splat<3.0> : tensor<1x4xf32>
          %a = infer.mul %x, %two : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %b = infer.mul %a, %three : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %c = infer.add %x, %two : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %d = infer.sub %c, %three : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %e = infer.div %x, %three : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %f = infer.sub %three, %e : (tensor<1x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
          func.return %b, %d, %f : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
        }""",
        {"infer.mul": 2, "infer.add": 1, "infer.sub": 2, "infer.div": 1},
        # 3 - x * (1/3) would be a mul and an add again: it stays a sub.
        {"infer.mul": 2, "infer.add": 1, "infer.sub": 1, "infer.div": 0},
        False,
    ),
    "affine_chain_int": (
        """func.func @f(%x: tensor<?x4xi32>) -> tensor<?x4xi32> {
          %three = infer.constant splat<3> : tensor<1x4xi32>
          %big = infer.constant dense<[[2147483647, -2147483648, 65536, 2]]> : tensor<1x4xi32>
          %a = infer.mul %x, %three : (tensor<?x4xi32>, tensor<1x4xi32>) -> tensor<?x4xi32>
          %b = infer.add %a, %big : (tensor<?x4xi32>, tensor<1x4xi32>) -> tensor<?x4xi32>
          %c = infer.sub %big, %b : (tensor<1x4xi32>, tensor<?x4xi32>) -> tensor<?x4xi32>
          %d = infer.mul %c, %big : (tensor<?x4xi32>, tensor<1x4xi32>) -> tensor<?x4xi32>
          %n = infer.neg %d : (tensor<?x4xi32>) -> tensor<?x4xi32>
          %e = infer.add %n, %three : (tensor<?x4xi32>, tensor<1x4xi32>) -> tensor<?x4xi32>
          func.return %e : tensor<?x4xi32>
        }""",
        {"infer.mul": 1, "infer.add": 1, "infer.sub": 0, "infer.neg": 0},
        {"infer.mul": 1, "infer.add": 1, "infer.sub": 0, "infer.neg": 0},
        True,
    ),
    "kept": (
        """func.func @f(%x: tensor<?x4xf32>, %y: tensor<?x?x4xf32>)
              -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x1x?xf32>,
                  tensor<4x?xf32>) {
          %one = infer.constant splat<1.0> : tensor<1x4xf32>
          %two = infer.constant splat<2.0> : tensor<1x4xf32>
          %three = infer.constant splat<3.0> : tensor<1x4xf32>
          %a = infer.add %x, %one : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %b = infer.mul %x, %two : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %c = infer.mul %b, %three : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %d = infer.pow %x, %three : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
          %f = infer.flatten %y {axis = 1 : i64} : (tensor<?x?x4xf32>) -> tensor<?x?xf32>
          %u = infer.unsqueeze %f {axes = array<i64: 1>} : (tensor<?x?xf32>) -> tensor<?x1x?xf32>
          %t = infer.transpose %x {perm = array<i64: 1, 0>} : (tensor<?x4xf32>) -> tensor<4x?xf32>
          func.return %a, %b, %c, %d, %u, %t
            : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x1x?xf32>, tensor<4x?xf32>
        }""",
        {
            "infer.add": 1,
            "infer.mul": 2,
            "infer.pow": 1,
            "infer.flatten": 1,
            "infer.unsqueeze": 1,
            "infer.transpose": 1,
        },
        {
            "infer.add": 1,
            "infer.mul": 2,
            "infer.pow": 1,
            "infer.flatten": 1,
            "infer.unsqueeze": 1,
            "infer.transpose": 1,
        },
        True,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dynamic", [1, 3])
def test_rewrites(name: str, dynamic: int) -> None:
    text, exact_counts, fast_counts, fast_is_exact = CASES[name]
    module = parse(text)
    inputs = inputs_for(module, dynamic, np.random.default_rng(dynamic))
    after = assert_exact(module, inputs)
    found = counts(after)
    assert {op: found[op] for op in exact_counts} == exact_counts, found
    fast = assert_fast(module, inputs, finite=not fast_is_exact)
    found = counts(fast)
    assert {op: found[op] for op in fast_counts} == fast_counts, found


def test_rewrites_change_something() -> None:
    """Each case but `kept` has something the exact or the fast-math pass rewrites."""
    for name, (text, _, _, _) in CASES.items():
        module = parse(text)
        exact, fast = module.clone(), module.clone()
        EXACT.apply(load_context(), exact)
        FAST.apply(load_context(), fast)
        changed = str(exact) != str(module) or str(fast) != str(module)
        assert changed == (name != "kept"), name


def test_fast_math_sign_of_zero_differs() -> None:
    """What the exact pass refuses does change bits: x + 0.0 at x = -0.0."""
    module = parse(CASES["add_plus_zero"][0])
    x = np.asarray([-0.0, 1, 2, 3, 4, 5], np.float32)
    fast = module.clone()
    FAST.apply(load_context(), fast)
    assert not same_bits(run(fast, [x])[0], run(module, [x])[0])
    assert_exact(module, [x])


# -- clamps over every combination of bounds --------------------------------------------------

BOUNDS = [None, -0.0, 0.0, 1.0, -1.0, 6.0, 0.5]


def _clamp(name: str, value: str, t: str, bounds: tuple[float | None, float | None] | None, integer: bool) -> str:
    if bounds is None:
        return f"%{name} = infer.relu %{value} : ({t}) -> {t}"
    kind = "i64" if integer else "f64"
    parts = [
        f"{k} = {int(b) if integer else repr(b)} : {kind}" for k, b in zip(("min", "max"), bounds) if b is not None
    ]
    return f"%{name} = infer.clip %{value} {{{', '.join(parts)}}} : ({t}) -> {t}"


@pytest.mark.parametrize("element", ["f32", "f16", "f64", "i32"])
def test_clamp_chains_are_exact(element: str, rng: np.random.Generator) -> None:
    """Every pair of clamps (relu and clips over a set of bounds with both zeros)
    merges only where the merged clip gives the same bits, on inputs that hit
    every bound, both zeros, NaN and the infinities, in numpy's vector loops
    and scalar tails; with fast-math every pair merges, to the same numbers."""
    integer = element.startswith("i")
    t = f"tensor<?x{element}>"
    clamps: list[tuple[float | None, float | None] | None] = [None]
    clamps += [(a, b) for a, b in itertools.product(BOUNDS, BOUNDS) if a is None or b is None or a <= b]
    if integer:
        clamps = [c for c in clamps if c is None or not any(b is not None and b != int(b) for b in c)]
    lines, results = [], []
    for k, (inner, outer) in enumerate(itertools.product(clamps, clamps)):
        lines.append(_clamp(f"i{k}", "x", t, inner, integer))
        lines.append(_clamp(f"o{k}", f"i{k}", t, outer, integer))
        results.append(f"%o{k}")
    types = ", ".join([t] * len(results))
    text = (
        f"func.func @f(%x: {t}) -> ({types}) {{\n"
        + "\n".join(lines)
        + f"\nfunc.return {', '.join(results)} : {types}\n}}"
    )
    module = parse(text)
    dtype = np.dtype({"f32": np.float32, "f16": np.float16, "f64": np.float64, "i32": np.int32}[element])
    points = (
        [np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -1.0, 6.0, 0.5, 0.25, 3.0, 7.0, -2.0]
        if not integer
        else [0, 1, -1, 6, 7, -2, 3]
    )
    base = np.asarray(points).astype(dtype)
    x = np.concatenate([base, rng.permutation(np.resize(base, 300))])  # vector loops and scalar tails
    after = assert_exact(module, [x])
    merged = len(clamps) ** 2 * 2 - sum(counts(after).values())

    # Signed zeros are the only ties that can tell a merged clip from the chain:
    # every chain without a zero bound merges, and on integers every chain does.
    def zero_free(c: tuple[float | None, float | None] | None) -> bool:
        return c is not None and 0.0 not in c

    zero_free_chains = sum(zero_free(a) and zero_free(b) for a, b in itertools.product(clamps, clamps))
    assert merged == len(clamps) ** 2 if integer else zero_free_chains <= merged < len(clamps) ** 2, merged
    fast = module.clone()
    FAST.apply(load_context(), fast)
    assert sum(counts(fast).values()) == len(clamps) ** 2
    for b, a in zip(run(module, [x]), run(fast, [x]), strict=True):
        np.testing.assert_array_equal(a, b)  # equal numbers; -0.0 == 0.0


# -- an ONNX graph ------------------------------------------------------------------------------


def onnx_identities_model() -> onnx.ModelProto:
    """Mul by 1, Div by 4, Pow 2, Transpose pair, Reshape chain, Neg pair in one graph."""

    def const(name: str, value: np.ndarray) -> onnx.TensorProto:
        return numpy_helper.from_array(value, name)

    nodes = [
        helper.make_node("Mul", ["x", "one"], ["m"], name="mul_one"),
        helper.make_node("Div", ["m", "four"], ["d"], name="div_four"),
        helper.make_node("Pow", ["d", "two"], ["p"], name="pow_two"),
        helper.make_node("Transpose", ["p"], ["t1"], name="t1", perm=[0, 2, 3, 1]),
        helper.make_node("Transpose", ["t1"], ["t2"], name="t2", perm=[0, 3, 1, 2]),
        helper.make_node("Neg", ["t2"], ["n1"], name="n1"),
        helper.make_node("Neg", ["n1"], ["n2"], name="n2"),
        helper.make_node("Flatten", ["n2"], ["f"], name="flatten", axis=1),
        helper.make_node("Reshape", ["f", "shape"], ["y"], name="reshape"),
    ]
    graph = helper.make_graph(
        nodes,
        "identities",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 4, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [
            const("one", np.ones((1, 3, 1, 1), np.float32)),
            const("four", np.asarray(4.0, np.float32)),
            const("two", np.asarray(2.0, np.float32)),
            const("shape", np.asarray([0, 3, 20], np.int64)),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


@pytest.mark.parametrize("batch", [1, 2])
def test_onnx_graph(batch: int, rng: np.random.Generator) -> None:
    module = infer.to_infer(onnx_identities_model())
    before = counts(module)
    assert before["infer.transpose"] == 2 and before["infer.neg"] == 2 and before["infer.pow"] == 1
    x = special_array((batch, 3, 4, 5), np.dtype(np.float32), rng)
    after = assert_exact(module, {"x": x})
    found = counts(after)
    assert found["infer.transpose"] == found["infer.neg"] == found["infer.pow"] == found["infer.div"] == 0
    assert found["infer.mul"] == 2  # x * 1/4 and p * p
    assert found["infer.flatten"] + found["infer.reshape"] == 1


# -- locations --------------------------------------------------------------------------------------


def test_locations() -> None:
    """A replacement keeps the replaced node's location; a merged chain gets the
    fused locations of its nodes, in program order."""
    module = parse(
        """func.func @f(%x: tensor<2x3x4xf32>) -> (tensor<4x2x3xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
          %one = infer.constant splat<-1.0> : tensor<2x3x4xf32> loc("c")
          %a = infer.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32> loc("t1")
          %b = infer.transpose %a {perm = array<i64: 1, 2, 0>} : (tensor<3x4x2xf32>) -> tensor<4x2x3xf32> loc("t2")
          %n = infer.mul %x, %one : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32> loc("m")
          %r = infer.relu %x : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32> loc("r")
          %k = infer.clip %r {min = 1.0 : f64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32> loc("k")
          func.return %b, %n, %k : tensor<4x2x3xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
        }"""
    )
    EXACT.apply(load_context(), module)
    ops = {op.name: op for op in module.walk() if op.name.startswith("infer.") and op.name != "infer.constant"}
    assert set(ops) == {"infer.transpose", "infer.neg", "infer.clip"}
    text = infer.print_ir(module, debuginfo=True)
    assert 'loc(fused["t1", "t2"])' in text and 'loc(fused["r", "k"])' in text
    assert node_of(ops["infer.transpose"].location) == "t2"
    assert node_of(ops["infer.neg"].location) == "m"
    assert node_of(ops["infer.clip"].location) == "k"
    assert not [line for line in text.splitlines() if " = infer." in line and "loc(unknown)" in line]


# -- light models ------------------------------------------------------------------------------------


def with_identities(model: onnx.ModelProto, converted: ModuleOp) -> tuple[onnx.ModelProto, int]:
    """`model` with identities after every Relu: Mul by 1, Add -0.0, Unsqueeze +
    Squeeze, a Transpose and its inverse, and a second Relu. Returns it and the
    number of Relus. `converted` is `model` in `infer` (it tells the ranks)."""
    relus = [op for op in converted.walk() if op.name == "infer.relu"]
    ranks = {node_of(op.location): len(dims_of(op.results[0].type)) for op in relus}
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    graph.initializer.extend(
        [
            numpy_helper.from_array(np.asarray(1.0, np.float32), "id_one"),
            numpy_helper.from_array(np.asarray(-0.0, np.float32), "id_minus_zero"),
        ]
    )
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    if opset >= 13:
        graph.initializer.append(helper.make_tensor("id_axes", TensorProto.INT64, [1], [1]))
    squeeze_attrs = {"axes": [1]} if opset < 13 else {}
    axes_input = ["id_axes"] if opset >= 13 else []
    nodes, relus = [], 0
    for node in graph.node:
        nodes.append(node)
        if node.op_type != "Relu":
            continue
        relus += 1
        out = node.output[0]
        rank = ranks[node.name or out]
        node.output[0] = f"{out}__raw"
        names = [node.output[0]] + [f"{out}__{k}" for k in range(6)]
        perm = [*range(1, rank), 0]
        inverse = [int(i) for i in np.argsort(perm)]
        nodes += [
            helper.make_node("Mul", [names[0], "id_one"], [names[1]], name=names[1]),
            helper.make_node("Add", ["id_minus_zero", names[1]], [names[2]], name=names[2]),
            helper.make_node("Unsqueeze", [names[2], *axes_input], [names[3]], name=names[3], **squeeze_attrs),
            helper.make_node("Squeeze", [names[3], *axes_input], [names[4]], name=names[4], **squeeze_attrs),
            helper.make_node("Transpose", [names[4]], [names[5]], name=names[5], perm=perm),
            helper.make_node("Transpose", [names[5]], [names[6]], name=names[6], perm=inverse),
            helper.make_node("Relu", [names[6]], [out], name=f"{out}__relu"),
        ]
    del graph.node[:]
    graph.node.extend(nodes)
    return model, relus


@pytest.mark.parametrize("name", light_models.PASS_TEST_NAMES)
def test_light_models_with_identities(name: str) -> None:
    model = light_models.with_random_weights(light_models.load(name))
    converted = infer.to_infer(model)
    plain = counts(converted)
    woven, relus = with_identities(model, converted)
    module = infer.to_infer(woven)
    before = counts(module)
    assert before["infer.relu"] == 2 * relus and before["infer.transpose"] == plain["infer.transpose"] + 2 * relus
    after = assert_exact(module, light_models.inputs(model))
    assert counts(after) == plain


def fold_constant_ops(module: ModuleOp) -> None:
    """Replaces every op whose operands are all constants by the constant it computes
    (what `fold-constants` does; here so that the decomposed batch norms become
    constant scale-and-shift chains)."""
    assert has_semantics(ConstantOp)
    for op in list(module.walk()):
        if not op.name.startswith("infer.") or isinstance(op, ConstantOp) or len(op.results) != 1:
            continue
        if not op.operands or not all(isinstance(v.owner, ConstantOp) for v in op.operands):
            continue
        value = execute(op, [v.owner.to_numpy() for v in op.operands])[0]  # type: ignore[union-attr]
        folded = ConstantOp(np.ascontiguousarray(value))
        folded.location = op.location
        Rewriter.replace_op(op, folded)


LIGHT_CHAINS = {"densenet121": 121, "inception_v2": 69}
"""Batch norms followed by a Mul and an Add by per-channel constants."""


@pytest.mark.parametrize("name", light_models.PASS_TEST_NAMES)
def test_light_models_fast_math(name: str) -> None:
    model = light_models.with_random_weights(light_models.load(name))
    module = infer.to_infer(model)
    DecomposeCompositesPass().apply(load_context(), module)
    fold_constant_ops(module)
    before = counts(module)
    feeds = light_models.inputs(model)
    exact = assert_exact(module, feeds)
    assert counts(exact) == before
    after = assert_pass_preserves(module, FAST, feeds, rtol=1e-4, atol=1e-5)
    removed = before - counts(after)
    chains = LIGHT_CHAINS.get(name, 0)
    assert removed == Counter({"infer.mul": chains, "infer.add": chains}) - Counter(), removed


# -- powers, over every value ----------------------------------------------------------------------

POWERS = """func.func @f(%x: tensor<?x{t}>) -> (tensor<?x{t}>, tensor<?x{t}>, tensor<?x{t}>) {{
  %one = infer.constant splat<1.0> : tensor<1x{t}>
  %two = infer.constant dense<2.0> : tensor<1x{t}>
  %zero = infer.constant splat<0.0> : tensor<1x{t}>
  %a = infer.pow %x, %one : (tensor<?x{t}>, tensor<1x{t}>) -> tensor<?x{t}>
  %b = infer.pow %x, %two : (tensor<?x{t}>, tensor<1x{t}>) -> tensor<?x{t}>
  %c = infer.pow %x, %zero : (tensor<?x{t}>, tensor<1x{t}>) -> tensor<?x{t}>
  func.return %a, %b, %c : tensor<?x{t}>, tensor<?x{t}>, tensor<?x{t}>
}}"""


def _every_value(bits: int, start: int = 0, count: int | None = None) -> np.ndarray:
    unsigned, floating = {16: (np.uint16, np.float16), 32: (np.uint32, np.float32)}[bits]
    stop = (1 << bits) if count is None else start + count
    return np.arange(start, stop, dtype=np.uint64).astype(unsigned).view(floating)


def test_powers_exact_for_every_float16() -> None:
    """pow by a broadcast 1 and 2 is x and x * x for every float16 (pow by 0 is not:
    numpy's float16 pow(NaN, 0) is NaN, so it stays)."""
    module = parse(POWERS.format(t="f16"))
    after = assert_exact(module, [_every_value(16)])
    assert counts(after)["infer.pow"] == 1


@pytest.mark.slow
def test_powers_exact_for_every_float32() -> None:
    """pow by a broadcast 1, 2 and 0 is x, x * x and 1 for every float32."""
    module = parse(POWERS.format(t="f32"))
    after = module.clone()
    EXACT.apply(load_context(), after)
    assert counts(after)["infer.pow"] == 0
    chunk = 1 << 24
    for start in range(0, 1 << 32, chunk):
        x = [_every_value(32, start, chunk)]
        for i, (b, a) in enumerate(zip(run(module, x), run(after, x), strict=True)):
            assert same_bits(a, b), f"output {i}, values from bit pattern {start:#x}"
