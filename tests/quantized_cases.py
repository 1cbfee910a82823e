"""Quantization IR and inputs shared by the interpreter and C-target tests."""

from __future__ import annotations

import numpy as np

TIES = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.49, -3.51, 1e9, -1e9, 0.0, -0.0], np.float32)
"""Halves (to even), near-halves and values that saturate at both ends."""

QUANT_IR = """
func.func @main(%x: tensor<?x6xf32>, %s: tensor<1x6xf32>, %z: tensor<1x6xi8>, %b: tensor<?x2xf32>,
                %h: tensor<?x6xf16>, %hs: tensor<1x1xf16>)
    -> (tensor<?x6xi8>, tensor<?x6xui16>, tensor<?x6xf32>, tensor<?x6xf16>, tensor<?x6xui8>) {
  %q = infer.quantize_linear %x, %s, %z : (tensor<?x6xf32>, tensor<1x6xf32>, tensor<1x6xi8>) -> tensor<?x6xi8>
  %r = infer.quantize_linear %x, %b {axis = 1 : i64, block_size = 4 : i64}
         : (tensor<?x6xf32>, tensor<?x2xf32>) -> tensor<?x6xui16>
  %d = infer.dequantize_linear %q, %s, %z : (tensor<?x6xi8>, tensor<1x6xf32>, tensor<1x6xi8>) -> tensor<?x6xf32>
  %e = infer.dequantize_linear %r, %b {axis = 1 : i64, block_size = 4 : i64}
         : (tensor<?x6xui16>, tensor<?x2xf32>) -> tensor<?x6xf16>
  %f = infer.quantize_linear %h, %hs : (tensor<?x6xf16>, tensor<1x1xf16>) -> tensor<?x6xui8>
  func.return %q, %r, %d, %e, %f : tensor<?x6xi8>, tensor<?x6xui16>, tensor<?x6xf32>, tensor<?x6xf16>, tensor<?x6xui8>
}
"""


def quant_inputs(rng: np.random.Generator) -> list[np.ndarray]:
    x = (rng.standard_normal((3, 6)) * 300).astype(np.float32)
    x.flat[: TIES.size] = TIES
    with np.errstate(over="ignore"):
        half = x.astype(np.float16)  # +-1e9 become infinities: they saturate too
    return [
        x,
        rng.uniform(0.1, 2, (1, 6)).astype(np.float32),
        rng.integers(-128, 128, (1, 6)).astype(np.int8),
        rng.uniform(0.001, 0.5, (3, 2)).astype(np.float32),
        half,
        np.full((1, 1), 0.5, np.float16),
    ]
