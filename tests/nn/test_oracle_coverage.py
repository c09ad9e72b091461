"""Which torch-oracle test trains each config key that changes the math (runs without torch).

The oracle tests (``test_torch_oracle*.py``) skip where torch is not installed, as in CI, so
what they cover is written down here, where CI reads it: every key of the config schema (``nnlab
config keys``) is either in ``MATH_KEYS``, with the oracle tests that train nnlab and torch
with it set (float64 and float32 where both exist), or in ``NOT_MATH``, with what decides it
instead. A new key fails ``test_every_config_key_...`` until it is put in one of them, and a
renamed or removed oracle test fails ``test_every_oracle_test_named_...``: the tests are found
in the files' source (``ast``), not imported, since importing them needs torch.

What the options do to the math, and what nnlab does differently from torch on purpose, is the
README's "The core library"; the optimizers' further ``torch.optim`` options (dampening,
AdaGrad's lr decay and initial accumulator, RMSProp's momentum and centring, amsgrad, AdamW's
decoupled decay) are no config keys: a config that names one is refused, and the oracle sets
each to nnlab's rule (``test_torch_oracle_configs``: ``test_every_option_of_the_torch_...``).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from nnlab.config_keys import reference_rows

TESTS = Path(__file__).resolve().parents[1]
ORACLE = "nn/test_torch_oracle.py"
CONFIGS = "nn/test_torch_oracle_configs.py"
FLOAT32 = "nn/test_torch_oracle_float32.py"
RULES = "nn/test_torch_oracle_optim.py"
LAYERS = "nn/test_torch_oracle_layers.py"
RUNS = "experiments/test_torch_oracle_runs.py"

HYPERPARAMETERS = [
    f"{CONFIGS}::test_every_optimizer_hyperparameter_matches_torch",
    f"{FLOAT32}::test_float32_runs_at_every_optimizer_hyperparameter_value_match_torch",
    f"{RULES}::test_every_hyperparameter_value_of_every_rule_is_torch_optims_in_both_dtypes",
    "nn/test_optim.py::test_every_hyperparameter_has_a_hand_computed_case_off_its_default_and_at"
    "_its_bound",
]
# key -> the oracle tests ("<file under tests/>::<test function>") that train it set
MATH_KEYS: dict[str, list[str]] = {
    "dtype": [
        f"{FLOAT32}::test_float32_runs_of_every_optimizer_match_torch_over_several_epochs",
        f"{RUNS}::test_a_runs_folder_is_torchs_run",
    ],
    "seed": [
        f"{ORACLE}::test_a_stack_of_nets_matches_torch_net_by_net",
        f"{FLOAT32}::test_a_float32_stack_matches_torch_net_by_net",
    ],
    "epochs": [
        f"{ORACLE}::test_full_batch_and_partial_last_batches_match_torch",
        f"{RUNS}::test_a_run_of_0_epochs_records_torchs_evaluation_of_the_initial_net",
        f"{CONFIGS}::test_a_run_resumed_from_its_checkpoint_matches_torchs_uninterrupted_run",
    ],
    "batch_size": [
        f"{CONFIGS}::test_batches_that_do_not_divide_the_split_match_torch",
        f"{CONFIGS}::test_minibatches_are_torchs_batch_sampler_over_the_epochs_permutation",
        f"{FLOAT32}::test_float32_runs_over_the_config_keys_match_torch",
    ],
    "eval": [f"{ORACLE}::test_evaluation_in_batches_and_every_split_match_torch"],
    "final_eval": [f"{ORACLE}::test_evaluation_in_batches_and_every_split_match_torch"],
    "eval_batch_size": [
        f"{ORACLE}::test_evaluation_in_batches_and_every_split_match_torch",
        f"{FLOAT32}::test_float32_runs_over_the_config_keys_match_torch",
    ],
    "loss": [
        f"{ORACLE}::test_whole_run_matches_torch_for_every_activation_and_loss",
        f"{FLOAT32}::test_float32_runs_of_every_loss_and_activation_match_torch",
        f"{LAYERS}::test_every_loss_and_its_gradient_is_torchs_at_large_scores",
    ],
    "model.activation": [
        f"{ORACLE}::test_whole_run_matches_torch_for_every_activation_and_loss",
        f"{FLOAT32}::test_float32_runs_of_every_loss_and_activation_match_torch",
        f"{LAYERS}::test_every_activation_and_its_gradient_is_torchs_at_the_edges_of_the_range",
    ],
    "model.batchnorm": [
        f"{CONFIGS}::test_every_init_with_every_activation_matches_torch",
        f"{CONFIGS}::test_batchnorm_at_the_smallest_batches_it_accepts_matches_torch",
        f"{LAYERS}::test_batchnorm_over_batches_of_changing_size_then_in_evaluation_is_torchs",
        f"{FLOAT32}::test_float32_runs_of_every_optimizer_match_torch_over_several_epochs",
    ],
    "model.dropout": [
        f"{CONFIGS}::test_every_dropout_rate_matches_torch_with_shared_masks",
        f"{CONFIGS}::test_dropout_is_torchs_own_dropout_given_its_mask",
        f"{FLOAT32}::test_float32_runs_over_the_config_keys_match_torch",
    ],
    "model.hidden": [
        f"{CONFIGS}::test_every_depth_and_width_with_every_loss_matches_torch",
        f"{FLOAT32}::test_float32_runs_over_the_config_keys_match_torch",
    ],
    "model.init": [
        f"{CONFIGS}::test_every_init_with_every_activation_matches_torch",
        f"{ORACLE}::test_init_std_is_torch_nn_init_formula",
        f"{LAYERS}::test_the_factory_draws_every_layers_weights_with_torchs_std_for_that_linear",
        f"{LAYERS}::test_every_inits_draws_are_distributed_as_torch_nn_inits",
        f"{FLOAT32}::test_float32_runs_over_the_config_keys_match_torch",
    ],
    "model.init_std": [
        f"{CONFIGS}::test_init_std_matches_torch",
        f"{FLOAT32}::test_float32_runs_over_the_config_keys_match_torch",
    ],
    "weight_decay": [
        f"{ORACLE}::test_weight_decay_is_torch_optim_weight_decay_on_the_weight_matrices_only",
        f"{FLOAT32}::test_float32_weight_decay_is_torch_optims_weight_decay_on_the_weight_matric"
        "es_only",
        f"{CONFIGS}::test_adam_weight_decay_is_coupled_adam_not_adamw",
    ],
    "optimizer.name": [
        f"{ORACLE}::test_whole_run_matches_torch_for_every_optimizer",
        f"{CONFIGS}::test_every_option_of_the_torch_optimizer_is_set_to_nnlabs_rule",
        f"{RULES}::test_every_update_rule_is_torch_optims_given_the_same_gradients",
    ],
    **{
        f"optimizer.{key}": HYPERPARAMETERS
        for key in ("lr", "momentum", "alpha", "beta1", "beta2", "eps")
    },
}
# ... and the keys drawn together at random (every key above but the evaluation's and dtype)
COMBINATIONS = (
    "nn/test_torch_oracle_combinations.py::test_random_combinations_of_the_config_keys_match_torch"
)
MATH_KEYS = {
    key: tests
    if key in ("dtype", "eval", "final_eval", "eval_batch_size")
    else [*tests, COMBINATIONS]
    for key, tests in MATH_KEYS.items()
}
# key -> why it is not an oracle key: what decides it, and the test that checks that
NOT_MATH: dict[str, str] = {
    "name": "the run's label",
    **{
        f"dataset.{key}": "which samples a run trains on and how they are scaled: the oracle "
        "trains torch on nnlab's arrays, and tests/data/test_independent_read.py reads them "
        "without nnlab (scikit-learn, gzip + NumPy, h5py); what they make (unscaled and "
        "standardized inputs, one feature, two classes by softmax) is trained by "
        f"{CONFIGS}::test_inputs_of_other_scales_and_dimensions_match_torch"
        for key in (
            "name n_train n_val n_test normalize split_seed n_per_class n_classes noise dim "
            "spread train_file test_file train_x train_y test_x test_y"
        ).split()
    },
    **{
        f"sweep.{key}": "which trials a sweep runs: each is a run of its own config, and "
        "test_torch_oracle_runs.py compares a grid sweep's and a tune's trials with torch's"
        for key in ("kind", "params", "seed", "share_seed", "trials")
    },
    "sweep.colour_by": "which swept key colours the sweep's curves.png: a figure's choice",
}


@functools.cache
def defined_tests(path: str) -> frozenset[str]:
    """The names of the test functions defined in ``tests/<path>``, read from its source."""
    tree = ast.parse((TESTS / path).read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    )


def test_every_config_key_is_trained_by_an_oracle_test_or_said_to_change_no_math():
    keys = {row["key"] for row in reference_rows()}
    assert not set(MATH_KEYS) & set(NOT_MATH)
    assert keys - set(MATH_KEYS) - set(NOT_MATH) == set(), "a key neither table names"
    assert set(MATH_KEYS) | set(NOT_MATH) <= keys, "a key the schema no longer has"


def test_the_oracle_test_of_what_the_dataset_keys_make_exists():
    assert "test_inputs_of_other_scales_and_dimensions_match_torch" in defined_tests(CONFIGS)


@pytest.mark.parametrize("key", sorted(MATH_KEYS))
def test_every_oracle_test_named_for_a_key_exists(key):
    assert MATH_KEYS[key]
    for name in MATH_KEYS[key]:
        path, function = name.split("::")
        assert function in defined_tests(path), name
