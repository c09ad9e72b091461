"""What the literature calls a config key that nnlab names otherwise: the names of the book's code
(DLFS's ``MultiLayerNetExtend(hidden_size_list=..., weight_init_std=..., use_batchnorm=...)``,
``learning_rate``) and the usual short ones, each with the dotted key it means. An unknown key
or option that is one of them is answered with that key: ``unknown key 'model.use_batchnorm'
(did you mean 'model.batchnorm'?)``, ``--learning_rate`` -> ``optimizer.lr``."""

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
