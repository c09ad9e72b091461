"""A net's training state as plain arrays: parameters, BatchNorm buffers, optimizer state and
random generators, for ``np.savez`` checkpoints and a bit-for-bit resume.
"""

from __future__ import annotations

import json

import numpy as np

from nnlab.build import RNG_STREAMS
from nnlab.group import Group
from nnlab.nn.model import MLP
from nnlab.nn.optim import Optimizer


def group_state(
    group: Group, optimizer: Optimizer, pos: int, rngs: dict[str, np.random.Generator]
) -> dict[str, np.ndarray]:
    """Everything needed to continue training the net at ``pos`` of ``group``, as plain arrays
    (for ``np.savez``): its parameters, BatchNorm buffers, optimizer state and generators."""
    state: dict[str, np.ndarray] = {}
    state.update({f"param/{k}": v for k, v in group.net_arrays(pos, group.params).items()})
    state.update({f"buffer/{k}": v for k, v in group.net_arrays(pos, group.buffers).items()})
    state["optim/t"] = np.array(optimizer.t)
    state.update({f"optim/{k}": v for k, v in group.net_arrays(pos, optimizer.state).items()})
    rng_state = {k: g.bit_generator.state for k, g in rngs.items()}
    state["rngs"] = np.array(json.dumps(rng_state))
    return state


def set_state(
    state: dict[str, np.ndarray],
    model: MLP,
    optimizer: Optimizer,
    rngs: dict[str, np.random.Generator],
) -> None:
    """Restore what ``group_state`` saved, in place (model arrays, optimizer, generators).

    ValueError, before anything changes, when ``state`` does not fit: a missing or extra
    array, or one of another shape or dtype than the model's (a checkpoint of another config).
    """
    check_state(state, model, optimizer)
    for k, v in model.params.items():
        v[...] = state[f"param/{k}"]
    for k, v in model.buffers.items():
        v[...] = state[f"buffer/{k}"]
    optimizer.load_state_dict(
        {k[len("optim/") :]: v for k, v in state.items() if k.startswith("optim/")}
    )
    for k, s in json.loads(str(state["rngs"])).items():
        rngs[k].bit_generator.state = s


def check_state(state: dict[str, np.ndarray], model: MLP, optimizer: Optimizer) -> None:
    """ValueError naming the first array of ``state`` that does not fit ``model`` and
    ``optimizer`` (see ``set_state``)."""
    like = {f"param/{k}": v for k, v in model.params.items()}
    like.update({f"buffer/{k}": v for k, v in model.buffers.items()})
    t = state.get("optim/t")
    if t is not None and (t.shape != () or t.dtype.kind not in "iu" or int(t) < 0):
        raise ValueError(f"'optim/t' is {t!r}; expected the optimizer's step count, 0 or more")
    if t is not None and int(t) > 0:  # (after a step, every slot of every parameter is there)
        like.update(
            {f"optim/{slot}/{k}": v for slot in optimizer.slots for k, v in model.params.items()}
        )
    for key in state:
        if key.startswith("optim/") and key != "optim/t":
            slot, _, param = key[len("optim/") :].partition("/")
            if slot not in optimizer.slots or param not in model.params:
                raise ValueError(f"{key!r} is not state of a {optimizer.name} optimizer here")
            like[key] = model.params[param]
    missing = sorted({*like, "optim/t", "rngs"} - set(state))
    if missing:
        raise ValueError(f"no {missing[0]!r} (a checkpoint of another model or optimizer?)")
    extra = sorted(k for k in state if k.startswith(("param/", "buffer/")) and k not in like)
    if extra:
        raise ValueError(f"{extra[0]!r} is not an array of this model")
    for key, want in like.items():
        got = state[key]
        if got.shape != want.shape or got.dtype != want.dtype:
            raise ValueError(
                f"{key!r} is {got.dtype}{list(got.shape)}, the config's model needs "
                f"{want.dtype}{list(want.shape)}"
            )
    for key, got in state.items():  # (a checkpoint is written only while every value is)
        if got.dtype.kind == "f" and not np.isfinite(got).all():
            raise ValueError(f"{key!r} holds non-finite values (NaN or infinity)")
    try:
        streams = json.loads(str(state["rngs"]))
    except json.JSONDecodeError:
        raise ValueError("'rngs' is not the generators' state") from None
    if not isinstance(streams, dict) or set(streams) != set(RNG_STREAMS):
        raise ValueError(f"'rngs' holds no state for the streams {', '.join(RNG_STREAMS)}")
    for name, stream in streams.items():  # (each tried on a generator of nnlab's kind first)
        try:
            np.random.default_rng().bit_generator.state = stream
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            raise ValueError(f"'rngs': {name!r} is not a generator's state ({exc})") from None
