"""Random directions in a net's weight space for loss-landscape slices (Li et al. 2018, "Visualizing
the Loss Landscape of Neural Nets"): a Gaussian draw per parameter, optionally filter-normalized
so that each filter (a column of a weight matrix: one unit's incoming weights) has the norm of
the same filter of the weights, with biases and BatchNorm parameters left out."""

from __future__ import annotations

import numpy as np

from nnlab.nn.layers import Affine
from nnlab.nn.model import MLP

Directions = dict[str, np.ndarray]  # a direction: one array per parameter, as model.params


def affine_weights(model: MLP) -> list[str]:
    """Parameter names of the Affine weight matrices (the layers that have filters)."""
    return [f"{name}.W" for name, layer in model.layers.items() if isinstance(layer, Affine)]


def filter_normalize(direction: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``direction`` with each column (filter j: unit j's incoming weights) rescaled to the norm
    of the same column of ``weight``: d[:, j] * (||W[:, j]|| / ||d[:, j]||), so that
    ||d[:, j]|| = ||W[:, j]||. Computed in float64. Li et al.'s code divides by
    ||d[:, j]|| + 1e-10; here nothing is added (a column of N(0, 1) draws has a norm near
    sqrt(n_in), where the 1e-10 changes the scale by less than 1e-10 of itself), and a column
    of norm 0 (only a direction that is 0 there) is left 0."""
    d = np.asarray(direction, dtype=np.float64)
    w_norm = np.linalg.norm(np.asarray(weight, dtype=np.float64), axis=0)
    d_norm = np.linalg.norm(d, axis=0)
    scale = np.divide(w_norm, d_norm, out=np.zeros_like(w_norm), where=d_norm > 0)
    return d * scale


def random_direction(model: MLP, rng: np.random.Generator, normalize: str) -> Directions:
    """One random direction over ``model.params`` (see the module docstring for the modes)."""
    weights = set(affine_weights(model))
    out: Directions = {}
    for key, p in model.params.items():
        d = rng.standard_normal(p.shape)
        if normalize == "filter":
            d = filter_normalize(d, p) if key in weights else np.zeros(p.shape)
        out[key] = d.astype(p.dtype)
    return out
