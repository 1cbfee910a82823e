"""Converters for the ONNX ops that become ops of `infer.dialects.infer.matmul`."""

from __future__ import annotations
