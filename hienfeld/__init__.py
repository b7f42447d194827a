"""Hienfeld clause analysis library: pure Python, no Ray import, usable in-process."""

__version__ = "0.1.0"
