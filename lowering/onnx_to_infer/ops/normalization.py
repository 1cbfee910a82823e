"""Converters for the ONNX ops that become ops of `infer.dialects.infer.normalization`."""

from __future__ import annotations
