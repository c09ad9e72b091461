"""nnlab: reproducible neural-network training-technique experiments on a NumPy core."""

__version__ = "0.1.0"
