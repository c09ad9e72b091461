"""What the literature calls a config key that nnlab names otherwise: the names of the book's code
(DLFS's ``MultiLayerNetExtend(hidden_size_list=..., weight_init_std=..., use_batchnorm=...)``,
``learning_rate``) and the usual short ones, each with the dotted key it means. An unknown key
or option that is one of them is answered with that key: ``unknown key 'model.use_batchnorm'
(did you mean 'model.batchnorm'?)``, ``--learning_rate`` -> ``optimizer.lr``. And the keys a
``torch`` user writes that nnlab has no key for (``INSTEAD``), with what it has instead."""

from __future__ import annotations

ALIASES = {
    "learning_rate": "optimizer.lr",
    "weight_init_std": "model.init_std",
    "use_batchnorm": "model.batchnorm",
    "batch_norm": "model.batchnorm",
    "bn": "model.batchnorm",
    "use_dropout": "model.dropout",
    "dropout_ratio": "model.dropout",
    "dropout_ration": "model.dropout",  # (sic, the book's spelling)
    "hidden_size_list": "model.hidden",
    "weight_decay_lambda": "weight_decay",
    "l2": "weight_decay",
    "batchsize": "batch_size",
    "mini_batch_size": "batch_size",
    "max_epochs": "epochs",
}


def meant(name: str) -> str | None:
    """The dotted key ``name`` (a key's last part, or an option's name without its dashes and
    with ``_`` for ``-``) is another name of, or None."""
    return ALIASES.get(name.lower().replace("-", "_"))


# Keys of torch.optim and a torch script that nnlab has no key for, by a key's last part: what it
# has instead. An unknown key that is one of them is answered with this, not with a key spelt
# alike or the section's keys (betas: it said 'did you mean optimizer.beta2?'; nesterov,
# scheduler, device: the valid keys only).
INSTEAD = {
    "betas": "torch's betas=(b1, b2) are adam's optimizer.beta1 and optimizer.beta2",
    "nesterov": "torch's SGD(nesterov=True) is the optimizer named nesterov",
    "dampening": "nnlab's momentum is torch's at its default dampening, 0",
    "scheduler": "nnlab has no learning-rate schedule: the rate is constant through a run",
    "lr_scheduler": "nnlab has no learning-rate schedule: the rate is constant through a run",
    "device": "nnlab has no device: it trains with NumPy on the CPU",
}


def instead(name: str) -> str | None:
    """What nnlab has for the torch key ``name`` (a key's last part) that it has no key for, or
    None."""
    return INSTEAD.get(name.lower().replace("-", "_"))
