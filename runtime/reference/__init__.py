"""Numpy semantics of every `infer` op, one module per family of `infer.dialects.infer`.

Importing this package registers them all with the interpreter.
"""

from infer.runtime.reference import (  # noqa: F401
    activation,
    bitwise,
    constant,
    elementwise,
    indexing,
    matmul,
    nn,
    normalization,
    quantization,
    reduction,
    tensor,
    transformer,
)
