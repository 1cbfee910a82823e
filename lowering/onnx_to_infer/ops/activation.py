"""Converters for the ONNX ops that become ops of `infer.dialects.infer.activation`."""

from __future__ import annotations
