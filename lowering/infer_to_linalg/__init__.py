"""`convert-infer-to-linalg`: `infer` on tensors to linalg, memref, scf and arith on memrefs.

The step from the `infer` dialect towards the loop level of the C target
(docs/c_target.md). It runs after `decompose-composites` (composite ops are
an error here) and before xDSL's `convert-linalg-to-loops`; the
`lower-to-loops-pipeline` pass runs the whole way.

- Types: a `tensor<?x3xf32>` becomes a `memref<?x3xf32>` (identity layout, the
  same dims, `?` kept), in function signatures too (argument and result
  attributes stay).
- Destination-passing style, no bufferization: every op result is a new
  `memref.alloc` whose dynamic sizes are index arithmetic on the operands'
  `memref.dim`s (the op's shape rule, see `core.Lowering.result_sizes` and
  `core.Size`); the linalg op writes into it. Scratch buffers are
  deallocated after the op; results that the function did not allocate are
  copied before they are returned (the caller owns them).
- Constants become `memref.global`s (a splat keeps one element: see
  `ops/constant.py`).
- Ops become named linalg ops where xDSL lowers them correctly
  (`linalg.matmul`, `linalg.fill`), `linalg.generic` otherwise (broadcasting
  in the indexing maps, reductions with reduction iterators), or scf loops
  directly where linalg cannot say it well.

Lowerings live in `ops/`, one module per op family; `core.py` holds the
registry, the walk and the size helpers, `structured.py` the linalg
builders, `scalar.py` the typed scalar arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from infer.lowering.infer_to_linalg.core import Lowering, Size, lower_module, lowering, supported_ops


@dataclass(frozen=True)
class ConvertInferToLinalgPass(ModulePass):
    """Lowers every `infer` op to linalg / memref / scf / arith / math on memrefs; fails
    with a diagnostic naming the node and op of the first op it cannot lower."""

    name = "convert-infer-to-linalg"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        lower_module(op)


__all__ = ["ConvertInferToLinalgPass", "Lowering", "Size", "lower_module", "lowering", "supported_ops"]
