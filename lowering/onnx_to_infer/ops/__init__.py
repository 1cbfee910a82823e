"""Converters from `onnx` ops to `infer` ops, one module per op family.

Importing this package registers them all (see `core.converter`).
"""

from infer.lowering.onnx_to_infer.ops import (  # noqa: F401
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
