"""The `infer` dialect: one standardized semantics for every operator.

A limited set of primitives with exact semantics (explicit pads, explicit
layout, explicit broadcasting, dtypes, dynamic dims), grouped by family:

- `constant.py`: constants (dense or splat) and fills;
- `elementwise.py`: unary math, binary arithmetic, comparisons, select, clip, cast;
- `bitwise.py`: bitwise and, or, xor, not and shifts on integers;
- `activation.py`: composite activations (leaky relu, elu, hard swish, gelu, ...);
- `matmul.py`: matrix products;
- `nn.py`: convolution, pooling, local response normalization;
- `normalization.py`: batch, instance and layer normalization;
- `reduction.py`: reductions over axes, arg max/min, softmax;
- `tensor.py`: data movement (reshapes, transposes, slices, concatenation);
- `quantization.py`: linear quantization and dequantization;
- `indexing.py`: running sums and products, gathers and scatters by index tuples, top-k;
- `transformer.py`: composites of transformer models (RMS and group normalization, rotary embedding, attention);

Each op has one shape rule (`InferOp.shape_rule`), a numpy reference
semantics in `infer.runtime.reference`, and, for composite ops, a
decomposition into core ops.
"""

from xdsl.ir import Dialect, Operation

from infer.dialects.infer.activation import ACTIVATION_OPS
from infer.dialects.infer.base import CompositeOp, InferOp
from infer.dialects.infer.bitwise import BITWISE_OPS
from infer.dialects.infer.constant import ConstantOp, FillOp, constant_value
from infer.dialects.infer.elementwise import ELEMENTWISE_OPS
from infer.dialects.infer.indexing import INDEXING_OPS
from infer.dialects.infer.matmul import MATMUL_OPS
from infer.dialects.infer.nn import NN_OPS
from infer.dialects.infer.normalization import NORMALIZATION_OPS
from infer.dialects.infer.quantization import QUANTIZATION_OPS
from infer.dialects.infer.reduction import REDUCTION_OPS
from infer.dialects.infer.tensor import TENSOR_OPS
from infer.dialects.infer.transformer import TRANSFORMER_OPS

ALL_OPS: list[type[Operation]] = [
    ConstantOp,
    FillOp,
    *ELEMENTWISE_OPS,
    *BITWISE_OPS,
    *ACTIVATION_OPS,
    *MATMUL_OPS,
    *NN_OPS,
    *NORMALIZATION_OPS,
    *REDUCTION_OPS,
    *TENSOR_OPS,
    *QUANTIZATION_OPS,
    *INDEXING_OPS,
    *TRANSFORMER_OPS,
]

Infer = Dialect("infer", ALL_OPS, [])

__all__ = ["ALL_OPS", "CompositeOp", "ConstantOp", "FillOp", "Infer", "InferOp", "constant_value"]
