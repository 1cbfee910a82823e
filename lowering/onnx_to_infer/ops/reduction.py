"""Converters for the ONNX ops that become ops of `infer.dialects.infer.reduction`."""

from __future__ import annotations
