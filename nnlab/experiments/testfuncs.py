"""Test functions for optimizer paths: formula, analytic gradient, start point, plot box.

Each ``Objective`` evaluates on a point of shape (d,) or on a grid of shape (d, ...) (for contour
plots): ``f(p)`` returns a scalar (or an array of the grid's shape), ``grad(p)`` an array like
``p``. ``points`` are its labelled critical points (global/local minima, saddles), used to say
where a path ended. ``defaults`` are hyperparameters per optimizer that give a readable figure in
``steps`` steps from ``start`` (documented below; override them on the command line).

Sources: ``book`` is DLFS section 6.1 (Saitoh, "Deep Learning from Scratch", fig. 6-8: SGD lr 0.95,
Momentum lr 0.1, AdaGrad lr 1.5, Adam lr 0.3, 30 steps from (-7, 2)); ``d2l`` is Dive into Deep
Learning section 11.6-11.10 (eta 0.4; momentum eta 0.6, beta 0.5; 20 steps from (-5, -2));
``xcospi`` is d2l section 11.1 and the course notes (seed 004).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Objective:
    """A differentiable function of ``dim`` variables with what a comparison needs to draw it."""

    name: str
    formula: str
    f: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    start: tuple[float, ...]
    domain: tuple[tuple[float, float], ...]
    steps: int
    minimum: tuple[float, ...] | None
    points: tuple[tuple[tuple[float, ...], str], ...] = ()
    defaults: dict[str, dict[str, float]] = field(default_factory=dict)
    note: str = ""

    @property
    def dim(self) -> int:
        return len(self.start)

    def value(self, p: Array) -> float:
        return float(self.f(np.asarray(p, dtype=np.float64)))


# ----------------------------------------------------------------------------- 2-D
def _book_f(p: Array) -> Array:
    return p[0] ** 2 / 20.0 + p[1] ** 2


def _book_grad(p: Array) -> Array:
    return np.array([p[0] / 10.0, 2.0 * p[1]])


def _d2l_f(p: Array) -> Array:
    return 0.1 * p[0] ** 2 + 2.0 * p[1] ** 2


def _d2l_grad(p: Array) -> Array:
    return np.array([0.2 * p[0], 4.0 * p[1]])


def _rosenbrock_f(p: Array) -> Array:
    return (1.0 - p[0]) ** 2 + 100.0 * (p[1] - p[0] ** 2) ** 2


def _rosenbrock_grad(p: Array) -> Array:
    x, y = p[0], p[1]
    return np.array([-2.0 * (1.0 - x) - 400.0 * x * (y - x**2), 200.0 * (y - x**2)])


def _saddle_f(p: Array) -> Array:
    return p[0] ** 2 - p[1] ** 2


def _saddle_grad(p: Array) -> Array:
    return np.array([2.0 * p[0], -2.0 * p[1]])


def _beale_terms(p: Array) -> tuple[Array, Array, Array]:
    x, y = p[0], p[1]
    return 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3


def _beale_f(p: Array) -> Array:
    a, b, c = _beale_terms(p)
    return a**2 + b**2 + c**2


def _beale_grad(p: Array) -> Array:
    x, y = p[0], p[1]
    a, b, c = _beale_terms(p)
    dx = 2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1)
    dy = 2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y**2
    return np.array([dx, dy])


# ----------------------------------------------------------------------------- 1-D
def _xcospi_f(p: Array) -> Array:
    return p[0] * np.cos(np.pi * p[0])


def _xcospi_grad(p: Array) -> Array:
    x = p[0]
    return np.array([np.cos(np.pi * x) - np.pi * x * np.sin(np.pi * x)])


# roots of cos(pi x) = pi x sin(pi x), by bisection to machine precision
_XCOSPI_GLOBAL = 1.090408221946721
_XCOSPI_LOCAL = -0.27385268680085095

OBJECTIVES: dict[str, Objective] = {
    o.name: o
    for o in (
        Objective(
            name="book",
            formula="f(x, y) = x^2/20 + y^2",
            f=_book_f,
            grad=_book_grad,
            start=(-7.0, 2.0),
            domain=((-10.0, 10.0), (-5.0, 5.0)),
            steps=30,
            minimum=(0.0, 0.0),
            points=(((0.0, 0.0), "global min"),),
            defaults={
                "sgd": {"lr": 0.95},
                "momentum": {"lr": 0.1, "momentum": 0.9},
                "nesterov": {"lr": 0.1, "momentum": 0.9},
                "adagrad": {"lr": 1.5},
                "rmsprop": {"lr": 0.3, "alpha": 0.99},
                "adam": {"lr": 0.3},
            },
            note="DLFS fig. 6-8; elongated along x, so SGD zig-zags in y",
        ),
        Objective(
            name="d2l",
            formula="f(x1, x2) = 0.1 x1^2 + 2 x2^2",
            f=_d2l_f,
            grad=_d2l_grad,
            start=(-5.0, -2.0),
            domain=((-5.5, 1.0), (-3.0, 1.5)),
            steps=20,
            minimum=(0.0, 0.0),
            points=(((0.0, 0.0), "global min"),),
            defaults={
                "sgd": {"lr": 0.4},
                "momentum": {"lr": 0.6, "momentum": 0.5},
                "nesterov": {"lr": 0.3, "momentum": 0.5},
                "adagrad": {"lr": 2.0},
                "rmsprop": {"lr": 0.4, "alpha": 0.9},
                "adam": {"lr": 0.4},
            },
            note="d2l sections 11.6-11.10",
        ),
        Objective(
            name="rosenbrock",
            formula="f(x, y) = (1 - x)^2 + 100 (y - x^2)^2",
            f=_rosenbrock_f,
            grad=_rosenbrock_grad,
            start=(-1.5, 2.0),
            domain=((-2.0, 2.0), (-1.0, 3.0)),
            steps=2000,
            minimum=(1.0, 1.0),
            points=(((1.0, 1.0), "global min"),),
            defaults={
                "sgd": {"lr": 0.001},
                "momentum": {"lr": 0.0005, "momentum": 0.9},
                "nesterov": {"lr": 0.0005, "momentum": 0.9},
                "adagrad": {"lr": 0.5},
                "rmsprop": {"lr": 0.01, "alpha": 0.99},
                "adam": {"lr": 0.05},
            },
            note="a curved narrow valley: easy to reach, slow to follow",
        ),
        Objective(
            name="saddle",
            formula="f(x, y) = x^2 - y^2",
            f=_saddle_f,
            grad=_saddle_grad,
            start=(-1.5, 0.001),
            domain=((-2.0, 2.0), (-2.0, 2.0)),
            steps=40,
            minimum=None,
            points=(((0.0, 0.0), "saddle point"),),
            defaults={
                "sgd": {"lr": 0.1},
                "momentum": {"lr": 0.05, "momentum": 0.9},
                "nesterov": {"lr": 0.05, "momentum": 0.9},
                "adagrad": {"lr": 0.5},
                "rmsprop": {"lr": 0.05, "alpha": 0.99},
                "adam": {"lr": 0.1},
            },
            note="unbounded below along y; a start near y=0 shows how long each method "
            "lingers at the saddle",
        ),
        Objective(
            name="beale",
            formula="f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
            f=_beale_f,
            grad=_beale_grad,
            start=(1.0, 1.5),
            domain=((-4.5, 4.5), (-4.5, 4.5)),
            steps=1000,
            minimum=(3.0, 0.5),
            points=(((3.0, 0.5), "global min"),),
            defaults={
                "sgd": {"lr": 0.001},
                "momentum": {"lr": 0.001, "momentum": 0.9},
                "nesterov": {"lr": 0.001, "momentum": 0.9},
                "adagrad": {"lr": 0.5},
                "rmsprop": {"lr": 0.01, "alpha": 0.99},
                "adam": {"lr": 0.05},
            },
            note="flat plateaus and steep ridges",
        ),
        Objective(
            name="xcospi",
            formula="f(x) = x cos(pi x)",
            f=_xcospi_f,
            grad=_xcospi_grad,
            start=(0.5,),
            domain=((-1.0, 2.0),),  # d2l 11.1's window: x = 1.0904 is its lowest point
            steps=5,
            minimum=(_XCOSPI_GLOBAL,),
            points=(
                ((_XCOSPI_GLOBAL,), "global min"),
                ((_XCOSPI_LOCAL,), "local min"),
            ),
            defaults={
                "sgd": {"lr": 0.1},
                "momentum": {"lr": 0.1, "momentum": 0.9},
                "nesterov": {"lr": 0.1, "momentum": 0.9},
                "adagrad": {"lr": 0.5},
                "rmsprop": {"lr": 0.1, "alpha": 0.99},
                "adam": {"lr": 0.1},
            },
            note="'global min' is x=1.0904 (f=-1.0467), the lowest point on d2l's window "
            "[-1, 2]; the local min is x=-0.2739 (f=-0.1786). f is unbounded below as |x| "
            "grows. f'(x) = cos(pi x) - pi x sin(pi x): the seed-004 notes drop the factor pi, "
            "which is why their eta=1.000542 lands near x=1; with the true gradient it flies off.",
        ),
    )
}


def get_objective(name: str) -> Objective:
    """The built-in function ``name``, or a ConfigError listing the choices."""
    from nnlab.errors import ConfigError, not_one_of

    try:
        return OBJECTIVES[name]
    except KeyError:
        raise ConfigError(not_one_of("--function", name, OBJECTIVES)) from None
