"""Bad inputs to `nnlab train`: each is exit code 2 and ONE line naming the key or path, no traceback.

Each case is (id, config text or None, arguments after the config, what the line must contain).
``{d}`` in a config, argument or expectation stands for the case's temporary folder, which holds
``good.h5`` (a tiny cat-vs-noncat-shaped HDF5 file), ``empty/`` (no data at all),
``corrupt/mnist/`` (gzip files whose stream is damaged), MNIST folders with one defect each and
HDF5 files with one defect each (see ``make_data``). The README's "Bad inputs" table is these
cases' real output.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import invoke
from tests.faults.helpers import one_line

from ..data.conftest import idx_bytes

NO_CONFIG = None  # the case passes its own arguments (no config file written)

CASES: list[tuple[str, str | bytes | None, list[str], list[str]]] = [
    ("malformed YAML", "epochs: 3\nmodel: [1, 2\n", [], ["cfg.yaml: line 3", "malformed YAML"]),
    ("YAML that is a list", "- epochs\n- 3\n", [], ["cfg.yaml", "expected a mapping", "list"]),
    # (PyYAML's words name the line after the one at fault, or none: a newcomer's typos)
    (
        "a key without its colon",
        "epochs: 3\nbatch_size 10\nmodel: {}\n",
        [],
        [
            "{d}/cfg.yaml: line 3, column 1: malformed YAML: could not find expected ':'; line 2, "
            "'batch_size 10', has no ':' after its key (batch_size: 10?)"
        ],
    ),
    (  # (it said 'expected a mapping of config keys, got str')
        "no space after a key's colon",
        "epochs:3\n",
        [],
        [
            "{d}/cfg.yaml: expected a mapping of config keys, got the text 'epochs:3'; a key is "
            "followed by ': ', a colon and a space: epochs: 3"
        ],
    ),
    (  # (it said 'optimizer.name: missing' and 'unknown key 'optimizer.lr:0.1'' alone)
        "no space after a colon in braces",
        "optimizer: {name:adam}\n",
        [],
        [
            "{d}/cfg.yaml: optimizer.name: missing; expected one of sgd, momentum, nesterov, "
            "adagrad, rmsprop, adam ('name:adam' is one key: a key is followed by ': ', a colon "
            "and a space: name: adam)"
        ],
    ),
    (  # (it said PyYAML's 'found unexpected ':'' alone: a bracket after the colon)
        "no space after a colon before a bracket",
        "model: {hidden:[4]}\n",
        [],
        [
            "{d}/cfg.yaml: line 1, column 15: malformed YAML: 'hidden:[4]' has no space after its colon (a key is followed by ': ', a colon and "
            "a space: hidden: [4])"
        ],
    ),
    (
        "a key indented under one with a value",
        "epochs: 3\n batch_size: 10\n",
        [],
        [
            "{d}/cfg.yaml: line 2, column 12: malformed YAML: mapping values are not allowed in "
            "this context; line 2 is indented more than line 1, whose key has its value (the keys "
            "of one mapping line up)"
        ],
    ),
    (  # (it said only PyYAML's 'did not find expected key')
        "a key indented to no level above",
        "epochs: 3\nmodel:\n  hidden: [10]\n activation: relu\n",
        [],
        [
            "{d}/cfg.yaml: line 4, column 2: malformed YAML: did not find expected key; line 4 is "
            "indented by 1 space, the lines above it by 0 or 2: the keys of one mapping line up"
        ],
    ),
    (  # (it said 'give one as model: {KEY: VALUE}' of the keys it had below it)
        "a section's keys not indented",
        "model:\nhidden: [10]\nactivation: tanh\n",
        [],
        [
            "{d}/cfg.yaml: model: expected a mapping of keys, got null (model: has no value; its "
            "keys go on the lines below it, indented: hidden and activation are at the top level, "
            "not under model)"
        ],
    ),
    (
        "': ' in a value",
        "name: my: run\n",
        [],
        [
            "{d}/cfg.yaml: line 1, column 9: malformed YAML: mapping values are not allowed in this "
            "context; a value holding ': ' is written in quotes (name: 'my: run')"
        ],
    ),
    (  # (it trained every default and exited 0: a truncated or unsaved file)
        "an empty config file",
        "# epochs: 5\n",
        [],
        ["cfg.yaml: empty (blanks, comments or null only); expected a mapping of config keys"],
    ),
    (
        "a key written twice",
        "epochs: 3\nbatch_size: 10\nepochs: 5\n",
        [],
        ["cfg.yaml: line 3, column 1", "duplicate key 'epochs'"],
    ),
    (  # (it said 'could not determine a constructor for the tag 'tag:yaml.org,2002:python/tuple'')
        "a Python object in the file",
        "model: {hidden: !!python/tuple [100, 100]}\n",
        [],
        [
            "{d}/cfg.yaml: line 1, column 17: malformed YAML: a Python object (!!python/tuple) is "
            "no config value; nnlab reads plain YAML only: write the value itself "
            "(yaml.safe_dump writes plain YAML)"
        ],
    ),
    (  # (it said PyYAML's 'but found another document' alone)
        "two YAML documents in the file",
        "epochs: 3\n---\nepochs: 5\n",
        [],
        [
            "{d}/cfg.yaml: line 2, column 1: malformed YAML: a second YAML document ('---' starts "
            "one); a config is one document: remove the '---' line, or keep one of the documents "
            "(two files joined?)"
        ],
    ),
    (  # (no mark on a reader's error: it said 'cfg.yaml:: malformed YAML')
        "a control character in the file",
        "epochs: 3\nname: a\x00b\n",
        [],
        ["cfg.yaml: line 2, column 8: malformed YAML: unacceptable character #x0000"],
    ),
    (  # (PyYAML's words alone: 'found character that cannot start any token')
        "a tab as indent",
        "model:\n\thidden: [10]\n",
        [],
        [
            "cfg.yaml: line 2, column 1: malformed YAML: found character that cannot start any "
            "token: a tab; YAML indents with spaces, not tabs"
        ],
    ),
    (  # (YAML 1.1 read it as 90: 90 epochs, without a word)
        "a number in base 60",
        "epochs: 1:30\n",
        [],
        [
            "{d}/cfg.yaml: line 1, column 9: malformed YAML: 1:30 is a base-60 (sexagesimal) "
            "number in YAML 1.1, read as 90; write the number meant, or '1:30' in quotes for text"
        ],
    ),
    (  # (YAML 1.1 read it as octal: seed 8)
        "a number with a leading 0",
        "seed: 010\n",
        [],
        [
            "{d}/cfg.yaml: line 1, column 7: malformed YAML: 010 has a leading 0: an octal "
            "number in YAML 1.1, read as 8; write 10 without it (or 8)"
        ],
    ),
    ("unknown top-level key", "epoch: 5\n", [], ["'epoch'", "did you mean 'epochs'"]),
    (
        "unknown nested key",
        "model:\n  hiden: [10]\n",
        [],
        ["'model.hiden'", "did you mean 'model.hidden'"],
    ),
    (
        "the book's name for a key",
        "model:\n  use_batchnorm: true\n",
        [],
        ["'model.use_batchnorm'", "did you mean 'model.batchnorm'"],
    ),
    (  # (it said 'did you mean optimizer.beta2?'; nesterov, scheduler, device: the valid keys)
        "torch's key that nnlab has none of",
        "optimizer: {name: adam, betas: [0.9, 0.99]}\n",
        [],
        [
            "{d}/cfg.yaml: unknown key 'optimizer.betas' (torch's betas=(b1, b2) are adam's "
            "optimizer.beta1 and optimizer.beta2)"
        ],
    ),
    (  # (it said 'unknown key 'include'; valid keys here: name, seed, ...' alone)
        "a key that includes another file",
        "include: base.yaml\nepochs: 3\n",
        [],
        [
            "{d}/cfg.yaml: unknown key 'include' (a config includes no other file: give the "
            "keys here, or as overrides key.sub=value; a sweep's file holds its config's keys "
            "and its sweep: section)"
        ],
    ),
    ("wrong type", "epochs: abc\n", [], ["epochs:", "valid integer", "'abc'"]),
    (
        "a boolean where a number goes",
        "epochs: true\n",
        [],
        ["epochs:", "an integer, not a boolean"],
    ),
    # (a quoted number or flag: pydantic's lax mode read '5' as 5 and 'yes' as true, silently)
    (
        "a quoted number",
        "epochs: '5'\n",
        [],
        [
            "error: {d}/cfg.yaml: epochs: expected an integer, not text: '5' is quoted; write it "
            "without the quotes"
        ],
    ),  # fmt: skip
    (
        "a quoted rate in an optimizer",
        'optimizer: {name: sgd, lr: "0.1"}\n',
        [],
        ["optimizer.lr: expected a number, not text: '0.1' is quoted; write it without"],
    ),
    (
        "a quoted flag",
        "model: {batchnorm: 'yes'}\n",
        [],
        ["model.batchnorm: expected true or false, not text: 'yes' is quoted; write it"],
    ),
    (  # (pydantic's own said 'input should be a valid boolean, unable to interpret input')
        "a misspelt flag",
        "model: {batchnorm: ture}\n",
        [],
        ["model.batchnorm: expected true or false, got 'ture' (did you mean 'true'?)"],
    ),
    (  # (2 said 'unable to interpret input', 0.5 'input should be a valid boolean')
        "a number other than 1 or 0 for a flag",
        "model: {batchnorm: 2}\n",
        [],
        ["{d}/cfg.yaml: model.batchnorm: expected true or false (or 1 or 0), got 2"],
    ),
    (
        "a quoted number in a list",
        "model: {hidden: [100, '50']}\n",
        [],
        ["model.hidden: expected a list of integers, not text: '50' is quoted; write it"],
    ),
    (
        "a quoted number in an override",
        "epochs: 1\n",
        ["dataset.n_train='300'"],
        [
            "error: override \"dataset.n_train='300'\": dataset.n_train: expected an integer, not "
            "text: '300' is quoted; write it without the quotes"
        ],
    ),  # fmt: skip
    (
        "negative lr",
        "optimizer: {name: sgd, lr: -0.1}\n",
        [],
        ["optimizer.lr:", "greater than 0", "-0.1"],
    ),
    ("lr zero", "optimizer: {name: adam, lr: 0}\n", [], ["optimizer.lr:", "greater than 0"]),
    ("dropout 1.0", "model: {dropout: 1.0}\n", [], ["model.dropout:", "less than 1"]),
    ("hidden size 0", "model: {hidden: [100, 0]}\n", [], ["model.hidden.1:", "greater than 0"]),
    (  # (its hint was an override's, model.hidden=[100], which is no line of a file)
        "a number where a list goes",
        "model: {hidden: 100}\n",
        [],
        ["{d}/cfg.yaml: model.hidden: expected a list in brackets, e.g. hidden: [100], got 100"],
    ),
    (
        "unknown activation",
        "model: {activation: gelu}\n",
        [],
        ["model.activation:", "'gelu'", "'relu'"],
    ),
    ("unknown init", "model: {init: kaiming}\n", [], ["model.init:", "'kaiming'"]),
    ("unknown dtype", "dtype: float16\n", [], ["dtype:", "'float16'"]),
    (
        "unknown optimizer",
        "optimizer: {name: adamw}\n",
        [],
        [
            "optimizer.name: unknown 'adamw' (AdamW, decoupled weight decay, is not in nnlab; "
            "nearest: adam with weight_decay"
        ],  # (it said 'did you mean 'adam'?': not AdamW)
    ),
    (
        "key not valid for that optimizer",
        "optimizer: {name: sgd, momentum: 0.9}\n",
        [],
        ["'optimizer.momentum'", "valid keys here: name, lr", "optimizer.name=momentum or"],
    ),
    (
        "optimizer not a mapping",
        "optimizer: adam\n",
        [],
        # (it offered a file's form and an override's, whichever was given)
        [
            "{d}/cfg.yaml: optimizer: expected a mapping of keys, got 'adam' (by name: optimizer: "
            "{name: adam})"
        ],
    ),
    (  # (a section given one value: it said no more than that a mapping was expected)
        "a section given one value",
        "model: relu\n",
        [],
        [
            "{d}/cfg.yaml: model: expected a mapping of keys, got 'relu' (model is a section of "
            "keys: hidden, activation, init, init_std, batchnorm, dropout; did you mean model: "
            "{activation: relu}?)"
        ],
    ),
    (
        "batch_size larger than the data",
        "dataset: {name: digits, n_train: 300}\nbatch_size: 500\n",
        [],
        ["batch_size: 500", "training split (300 samples)"],
    ),
    (
        "batch_size not a number",
        "batch_size: huge\n",
        [],
        ["batch_size:", "positive integer or 'full'", "'huge'"],
    ),
    (
        "unknown dataset",
        "dataset: {name: cifar}\n",
        [],
        ["dataset.name: unknown 'cifar'", "digits, mnist, hdf5"],
    ),
    (
        "unknown dataset key",
        "dataset: {name: digits, n_trian: 10}\n",
        [],
        ["'dataset.n_trian'", "did you mean 'dataset.n_train'"],
    ),
    (
        "n_train larger than available",
        "dataset: {name: digits, n_train: 5000}\n",
        [],
        ["dataset.n_train/n_val/n_test", "1797"],
    ),
    ("eval val with n_val 0", "eval: [train, val]\n", [], ["eval: 'val'", "dataset.n_val is 0"]),
    (
        "bce loss on 10-class data",
        "loss: bce\n",
        [],
        ["loss: 'bce' needs 2 classes", "'digits' has 10"],
    ),
    (
        "bad override syntax (no '=')",
        "epochs: 1\n",
        ["lr0.1"],
        ["override 'lr0.1'", "key.sub=value (e.g. optimizer.lr=0.1)"],
    ),
    (  # (it said 'expected key.sub=value (e.g. optimizer.lr=0.1)')
        "a config key without its value",
        "epochs: 1\n",
        ["epochs"],
        ["override 'epochs': no value; expected epochs=<value>"],
    ),
    (
        "override into a scalar",
        "epochs: 1\n",
        ["epochs.x=1"],
        ["override 'epochs.x=1'", "epochs is a value"],
    ),
    (
        "override with a bad value",
        "epochs: 1\n",
        ["optimizer.lr=-1"],
        ["override 'optimizer.lr=-1': optimizer.lr:", "greater than 0"],
    ),
    (
        "missing config file",
        NO_CONFIG,
        ["{d}/nope.yaml"],
        [
            "{d}/nope.yaml: config file not found; example configs are in ",
            "digits-quickstart.yaml)",
        ],
    ),
    ("config path is a folder", NO_CONFIG, ["{d}"], ["{d}: is a folder"]),
    (  # (read as a config, it said "unknown key 'run_id'; valid keys here: name, seed, ...")
        "a run folder's own file as the config",
        NO_CONFIG,
        ["{d}/a-run/meta.json"],
        [
            "{d}/a-run/meta.json: the meta.json of a run folder, not a config file; its config "
            "is {d}/a-run/config.yaml"
        ],
    ),
    ("config file not text", NO_CONFIG, ["{d}/good.h5"], ["{d}/good.h5", "not a text file"]),
    (  # (it said 'not a text file': a config saved as Latin-1)
        "a config not in UTF-8",
        b"epochs: 1\nname: caf\xe9\n",
        [],
        [
            "{d}/cfg.yaml: line 2, column 10: byte 0xe9 is not UTF-8; expected YAML in UTF-8 (a "
            "file saved as Latin-1?)"
        ],
    ),
    (  # (it said 'not a text file' with a byte-order mark, 'unacceptable character #x0000'
        # without one: Windows' 'Unicode')
        "a config in UTF-16",
        "epochs: 1\n".encode("utf-16-le"),
        [],
        ["{d}/cfg.yaml: UTF-16 text; expected YAML in UTF-8 (save the file as UTF-8)"],
    ),
    (  # (it said 'line 2, column 2: malformed YAML: did not find expected key')
        "a byte-order mark inside the file",
        b"\xef\xbb\xbfepochs: 1\n\xef\xbb\xbfseed: 2\n",
        [],
        [
            "{d}/cfg.yaml: line 2, column 1: a byte-order mark (U+FEFF, bytes EF BB BF) inside "
            "the file; expected one at its start only, or none (files joined, each saved with one?)"
        ],
    ),
    (  # (it said 'config file not found (did you mean 'loop.yaml' in bad?)'; a sweep failed
        # with 'unexpected RuntimeError: Symlink loop')
        "a config that is a symlink loop",
        NO_CONFIG,
        ["{d}/loop.yaml"],
        [
            "{d}/loop.yaml: a symlink loop (to loop.yaml, which leads back round to it); "
            "expected a YAML config file"
        ],
    ),
    (
        "missing MNIST files",
        "dataset: {name: mnist}\n",
        ["--data-dir", "{d}/empty"],
        ["MNIST not found in {d}/empty/mnist", "t10k-images-idx3-ubyte[.gz]"],
    ),
    (  # (digits, which reads no data folder, trained without a word about the typo)
        "a data dir that does not exist",
        "epochs: 1\n",
        ["--data-dir", "{d}/typo"],
        [
            "--data-dir: '{d}/typo' does not exist; give the folder that contains mnist/ and "
            "catvnoncat/, or make it with `nnlab data fetch mnist --data-dir FOLDER`"
        ],
    ),
    (  # (it said MNIST was not found in {d}/cfg.yaml/mnist; digits ran, recording it)
        "a data dir that is a file",
        "dataset: {name: mnist}\n",
        ["--data-dir", "{d}/cfg.yaml"],
        ["--data-dir: '{d}/cfg.yaml' is not a folder; give another --data-dir"],
    ),
    (
        "corrupt MNIST gzip",
        "dataset: {name: mnist}\n",
        ["--data-dir", "{d}/corrupt"],
        ["{d}/corrupt/mnist/t10k-images-idx3-ubyte.gz", "gzip"],
    ),
    (
        "missing HDF5 file",
        "dataset: {name: hdf5, train_file: missing.h5}\n",
        ["--data-dir", "{d}"],
        ["dataset.train_file", "'missing.h5' not found", "{d}/missing.h5"],
    ),
    (
        "wrong HDF5 key",
        "dataset: {name: hdf5, train_file: good.h5, train_x: images}\n",
        ["--data-dir", "{d}"],
        ["{d}/good.h5", "no dataset 'images' (dataset.train_x)", "train_set_x"],
    ),
    (
        "HDF5 file that is not HDF5",
        "dataset: {name: hdf5, train_file: cfg.yaml}\n",
        ["--data-dir", "{d}"],
        ["{d}/cfg.yaml", "not a readable HDF5 file"],
    ),
    (
        "MNIST header that says 0 images",
        "dataset: {name: mnist}\n",
        ["--data-dir", "{d}/zero"],
        ["{d}/zero/mnist/t10k-images-idx3-ubyte.gz: header says 0 images (0x28x28)"],
    ),
    (
        "MNIST file shorter than its header says",
        "dataset: {name: mnist}\n",
        ["--data-dir", "{d}/short"],
        [
            "{d}/short/mnist/t10k-images-idx3-ubyte.gz: truncated: header says 10x28x28 (7,856 bytes)"
        ],
    ),
    (
        "MNIST image and label counts differ",
        "dataset: {name: mnist}\n",
        ["--data-dir", "{d}/counts"],
        ["{d}/counts/mnist/t10k-images-idx3-ubyte.gz: 10 images but", "has 9 labels"],
    ),
    (
        "MNIST label out of range",
        "dataset: {name: mnist}\n",
        ["--data-dir", "{d}/labels"],
        ["{d}/labels/mnist/t10k-labels-idx1-ubyte.gz: label 12 out of range", "digits 0..9"],
    ),
    (
        "MNIST train and t10k images of different sizes",
        "dataset: {name: mnist}\n",
        ["--data-dir", "{d}/sizes"],
        ["{d}/sizes/mnist/t10k-images-idx3-ubyte.gz: images of 32x32 pixels", "holds 28x28"],
    ),
    (
        "HDF5 NaN pixels",
        "dataset: {name: hdf5, train_file: nan.h5}\n",
        ["--data-dir", "{d}"],
        ["{d}/nan.h5: dataset 'train_set_x': 2 of 72 values are not finite (NaN or inf)"],
    ),
    (
        "HDF5 image and label counts differ",
        "dataset: {name: hdf5, train_file: counts.h5}\n",
        ["--data-dir", "{d}"],
        ["{d}/counts.h5: dataset 'train_set_x' has 6 images", "'train_set_y' has 5 labels"],
    ),
    (
        "HDF5 images that are not numbers",
        "dataset: {name: hdf5, train_file: text.h5}\n",
        ["--data-dir", "{d}"],
        ["{d}/text.h5: dataset 'train_set_x': values are byte strings (dtype S1)"],
    ),
    (
        "HDF5 negative label",
        "dataset: {name: hdf5, train_file: negative.h5}\n",
        ["--data-dir", "{d}"],
        ["{d}/negative.h5: dataset 'train_set_y'", "the first is -1, sample 3"],
    ),
    (
        "HDF5 label beyond list_classes",
        "dataset: {name: hdf5, train_file: classes.h5}\n",
        ["--data-dir", "{d}"],
        ["{d}/classes.h5: dataset 'train_set_y' has label 2 but 'list_classes' names 2"],
    ),
    (
        "HDF5 train and test images of different shapes",
        "dataset: {name: hdf5, train_file: good.h5, test_file: transposed.h5}\n",
        ["--data-dir", "{d}"],
        ["{d}/transposed.h5: dataset 'test_set_x' holds images of shape 3x2x2", "2x2x3"],
    ),
    (
        "HDF5 file with 0 images",
        "dataset: {name: hdf5, train_file: empty.h5}\n",
        ["--data-dir", "{d}"],
        ["{d}/empty.h5: dataset 'train_set_x' has shape (0, 2, 2, 3): no images"],
    ),
    (
        "HDF5 values too large for float32",
        "dataset: {name: hdf5, train_file: huge.h5}\n",
        ["--data-dir", "{d}"],
        ["{d}/huge.h5: dataset 'train_set_x': 1 of 60 values of the train split does not fit"],
    ),
    (
        "spiral with infinite noise",
        "dataset: {name: spiral, noise: .inf}\n",
        [],
        ["{d}/cfg.yaml: dataset.noise: input should be a finite number, got inf"],
    ),
    (
        "infinite learning rate",
        "optimizer: {name: sgd, lr: .inf}\n",
        [],
        ["{d}/cfg.yaml: optimizer.lr: input should be a finite number, got inf"],
    ),
    (
        "NaN value",
        "weight_decay: .nan\n",
        [],
        ["{d}/cfg.yaml: weight_decay: input should be a finite number, got nan"],
    ),
    (  # (above 0, as the schema asks, but 0 in float32: AdaGrad's 0 / 0 made the run DIVERGED)
        "a value float32 holds as 0",
        "optimizer: {name: adagrad, eps: 1.0e-320}\n",
        [],
        [
            "{d}/cfg.yaml: optimizer.eps: 9.99989e-321 is 0 in float32, the run's dtype; expected "
            "0 or a magnitude of at least 1.4e-45, or dtype: float64"
        ],
    ),  # fmt: skip
    (
        "negative seed",
        "seed: -1\n",
        [],
        ["{d}/cfg.yaml: seed: input should be greater than or equal to 0, got -1"],
    ),
    (
        "epochs past the limit",
        "epochs: 10000000\n",
        [],
        ["epochs: input should be less than or equal to 1000000, got 10000000"],
    ),
    (  # (it said 'unable to parse input string as an integer, exceeded maximum size')
        "a whole number written as a float, past the limit",
        "seed: 1.0e+19\n",
        [],
        [
            "{d}/cfg.yaml: seed: input should be less than or equal to 4294967295, got "
            "10000000000000000000"
        ],
    ),
    (
        "hidden layer past the limit",
        "model: {hidden: [100000]}\n",
        [],
        ["model.hidden.0: input should be less than or equal to 65536, got 100000"],
    ),
    (
        "network too large for memory",
        "model: {hidden: [65536, 65536, 65536]}\n",
        [],
        [
            "training run (64 -> 65536 x 3 -> out) needs at least",
            "set NNLAB_MAX_MEMORY_GB to raise",
        ],
    ),
    (  # (it named no key to make smaller: 'generating dataset 'blobs' needs at least ...')
        "a generated dataset too large for memory",
        "dataset: {name: blobs, n_per_class: 1000000, dim: 100000}\n",
        [],
        [
            "generating dataset 'blobs' (dataset.n_per_class x n_classes x dim: 1,000,000 x 3 "
            "x 100,000) needs at least 6.71e+03 GB of memory",
            "set NNLAB_MAX_MEMORY_GB to raise",
        ],
    ),
    (
        "training that would take days",
        "dataset: {name: digits}\nepochs: 1000000\nbatch_size: 1\n",
        [],
        [
            "training run (64 -> 100 x 1 -> out) for 1,000,000 epochs is 1,500,000,000 steps, "
            "2,000,002 evaluation batches",
            "93.2 TFLOP of matrix products and 191 TB of elementwise passes",
            "about 2.03 days",
            "over the limit of 24 hours (a day)",
            "set NNLAB_MAX_HOURS to raise",
        ],
    ),  # fmt: skip
    (
        "YAML alias bomb",
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")
        ),
        [],
        ["{d}/cfg.yaml: expands to more than 100,000 values (YAML aliases?)"],
    ),
    (
        "config file over 1 MB",
        "# " + "x" * 2_000_000 + "\nepochs: 1\n",
        [],
        ["{d}/cfg.yaml: 2,000,013 bytes; a config is at most 1,000,000 bytes"],
    ),
    (
        "config that never ends",
        NO_CONFIG,
        ["/dev/zero"],
        ["/dev/zero: more than 1,000,000 bytes and no end (a device?)"],
    ),
    (
        "YAML nested too deep",
        "model:\n  hidden: " + "[" * 100 + "]" * 100 + "\n",
        [],
        ["{d}/cfg.yaml: nested more than 32 levels deep"],
    ),
    (
        "--threads past the limit",
        "epochs: 1\n",
        ["--threads", "100000"],
        ["--threads: expected an integer from 1 to 1024, got 100000"],
    ),
    (  # (every option error reads so: it said "input should be a valid integer, unable to
        # parse string as an integer, got abc")
        "--threads not a number",
        "epochs: 1\n",
        ["--threads", "abc"],
        ["--threads: expected an integer from 1 to 1024, got 'abc' (see nnlab train -h)"],
    ),
    (
        "--format not one of its choices",
        "epochs: 1\n",
        ["--format", "xml"],
        ["--format: expected one of table, json, csv, got 'xml' (see nnlab train -h)"],
    ),
    (  # (it said "option '--quiet' does not take a value. (see nnlab -h)")
        "a flag given a value",
        "epochs: 1\n",
        ["--quiet=yes"],
        ["--quiet: expected no value (it is a flag), got 'yes' (see nnlab train -h)"],
    ),
    (
        "an option without its value",
        "epochs: 1\n",
        ["--threads", "--quiet"],
        ["--threads: expected an integer from 1 to 1024, got '--quiet' (see nnlab train -h)"],
    ),
    (  # (the OS refused to look it up, ENAMETOOLONG, inside the option's check: a traceback)
        "a path with a name too long",
        "epochs: 1\n",
        ["--runs-dir", "x" * 300],
        [
            "--runs-dir: 'xxxxx",
            "(302 characters) cannot be looked up (File name too long) (see nnlab train -h)",
        ],
    ),  # fmt: skip
    (  # (it said "error: .../a" and "b: config file not found" on a second line)
        "a path with a control character",
        NO_CONFIG,
        ["{d}/a\nb.yaml"],
        ["CONFIG: '{d}/a\\nb.yaml' contains a control character (see nnlab train -h)"],
    ),
    (  # (it was quoted whole: a line of 5,000 characters)
        "a value thousands of characters long",
        "epochs: 1\n",
        ["--format", "x" * 5000],
        ["--format: expected one of table, json, csv, got 'xxxxx", "... (5,002 characters) (see"],
    ),
    (
        "--resume of an unknown run",
        NO_CONFIG,
        ["--resume", "nope", "--runs-dir", "{d}/empty"],
        ["run 'nope'", "no run folder under {d}/empty"],
    ),
    (
        "--resume latest with no runs",
        NO_CONFIG,
        ["--resume", "latest", "--runs-dir", "{d}/empty"],
        ["{d}/empty: no runs yet"],
    ),
    (  # (it said 'no run folder under ... matches (did you mean 'latest'?)'; latest~١ was
        # read as latest~1, latest~99999999999999999999 was 'try nnlab runs list')
        "--resume latest~N that is no number",
        NO_CONFIG,
        ["--resume", "latest~-1", "--runs-dir", "{d}/empty"],
        [
            "run 'latest~-1': latest~N takes N, a whole number of folders back from 0 to 999,999 "
            "in digits 0-9, got '-1' (latest~1: the one before the latest)"
        ],
    ),
    (
        "a runs folder that is not there",
        NO_CONFIG,
        ["--resume", "latest", "--runs-dir", "{d}/typo"],
        [
            "{d}/typo: no such runs folder (no runs yet, or give the folder nnlab wrote runs "
            "into as --runs-dir)"
        ],
    ),
    (
        "BatchNorm with a last batch of 1",
        "dataset: {name: digits, n_train: 257}\nbatch_size: 32\nmodel: {batchnorm: true}\n",
        [],
        ["batch_size: 32 leaves a last training batch of 1 sample (257 = 8 x 32 + 1)"],
    ),
    (
        "a key given twice",
        "epochs: 1\n",
        ["epochs=3", "epochs=2"],
        ["override 'epochs=2': epochs given twice ('epochs=3' and 'epochs=2'); give it once"],
    ),
    (  # (it said 'override '--threads': expected key.sub=value'; '--threads=2': 'unknown key')
        "an option after '--'",
        "epochs: 1\n",
        ["--", "--threads", "2"],
        [
            "override '--threads': an option after '--', where every word is an override; give "
            "options before '--' (or leave '--' out)"
        ],
    ),
    (
        "nesterov without momentum",
        "optimizer: {name: nesterov, momentum: 0}\n",
        [],
        ["{d}/cfg.yaml: optimizer.momentum: input should be greater than 0, got 0"],
    ),
]


def make_data(folder: Path) -> None:
    """good.h5 (catvnoncat layout, 6 train and 4 test 2x2x3 images), empty/, corrupt/mnist/,
    an MNIST folder per defect (zero, short, counts, labels, sizes), an HDF5 file per defect,
    a-run/, a run folder's meta.json and config.yaml (what a run writes first), and loop.yaml,
    a symlink to itself."""
    import h5py

    (folder / "a-run").mkdir()
    (folder / "loop.yaml").symlink_to("loop.yaml")
    (folder / "a-run" / "meta.json").write_text('{"run_id": "a-run", "status": "COMPLETED"}\n')
    (folder / "a-run" / "config.yaml").write_text("epochs: 1\n")
    rng = np.random.default_rng(0)
    with h5py.File(folder / "good.h5", "w") as f:
        f["train_set_x"] = rng.integers(0, 256, size=(6, 2, 2, 3), dtype=np.uint8)
        f["train_set_y"] = np.array([0, 1, 0, 1, 0, 1])
        f["test_set_x"] = rng.integers(0, 256, size=(4, 2, 2, 3), dtype=np.uint8)
        f["test_set_y"] = np.array([0, 1, 1, 0])
    (folder / "empty").mkdir()
    mnist = folder / "corrupt" / "mnist"
    mnist.mkdir(parents=True)
    for stem in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        data = gzip.compress(bytes(4000))
        (mnist / f"{stem}.gz").write_bytes(data[:20] + b"\xff" * 20 + data[40:])

    images, labels = np.zeros((10, 28, 28), np.uint8), np.arange(10, dtype=np.uint8)
    for name, t10k_images, t10k_labels in [
        ("zero", idx_bytes(images[:0]), idx_bytes(labels[:0])),
        ("short", idx_bytes(images)[:-100], idx_bytes(labels)),
        ("counts", idx_bytes(images), idx_bytes(labels[:9])),
        ("labels", idx_bytes(images), idx_bytes(np.full(10, 12, np.uint8))),
        ("sizes", idx_bytes(np.zeros((10, 32, 32), np.uint8)), idx_bytes(labels)),
    ]:
        write_gz(folder / name / "mnist" / "t10k-images-idx3-ubyte.gz", t10k_images)
        write_gz(folder / name / "mnist" / "t10k-labels-idx1-ubyte.gz", t10k_labels)
    write_gz(folder / "sizes" / "mnist" / "train-images-idx3-ubyte.gz", idx_bytes(images))
    write_gz(folder / "sizes" / "mnist" / "train-labels-idx1-ubyte.gz", idx_bytes(labels))

    x = rng.integers(0, 256, size=(6, 2, 2, 3)).astype(np.float64)
    y = np.array([0, 1, 0, 1, 0, 1])
    nan = x.copy()
    nan[2, 0, 0, 0] = nan[4, 1, 1, 2] = np.nan
    huge = x.copy()
    huge[1, 0, 0, 0] = 1e39
    for name, train_x, train_y in [
        ("nan.h5", nan, y),
        ("counts.h5", x, y[:5]),
        ("text.h5", np.array([b"a", b"b", b"c", b"d", b"e", b"f"]), y),
        ("negative.h5", x, np.array([0, 1, 0, -1, 0, 1])),
        ("classes.h5", x, np.array([0, 1, 2, 0, 1, 2])),
        ("empty.h5", np.zeros((0, 2, 2, 3), np.uint8), y[:0]),
        ("huge.h5", huge, y),
    ]:
        with h5py.File(folder / name, "w") as f:
            f["train_set_x"], f["train_set_y"] = train_x, train_y
            f["list_classes"] = np.array([b"non-cat", b"cat"])
    with h5py.File(folder / "transposed.h5", "w") as f:
        f["test_set_x"] = rng.integers(0, 256, size=(4, 3, 2, 2), dtype=np.uint8)
        f["test_set_y"] = np.array([0, 1, 1, 0])


def write_gz(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data))


def run_case(folder: Path, config: str | bytes | None, args: list[str]):
    """Invoke ``nnlab train`` for one case in ``folder``; the result and the runs folder."""
    runs = folder / "runs"
    argv = ["train"]
    if config is not None:
        if isinstance(config, bytes):  # (a config not in UTF-8)
            (folder / "cfg.yaml").write_bytes(config)
        else:
            (folder / "cfg.yaml").write_text(config)
        argv.append(str(folder / "cfg.yaml"))
    argv += [a.replace("{d}", str(folder)) for a in args]
    if "--runs-dir" not in args:
        argv += ["--runs-dir", str(runs)]
    return invoke(*argv), runs


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    make_data(folder)
    return folder


@pytest.mark.parametrize(
    ("config", "args", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_one_error_line_naming_the_key_or_path_and_exit_2(
    data_folder, config, args, expected
):
    result, runs = run_case(data_folder, config, args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for part in expected:
        assert part.replace("{d}", str(data_folder)) in lines[0]
    assert "Traceback" not in result.output and "unexpected" not in lines[0]
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not runs.exists() or not any(runs.iterdir())  # nothing was started


def test_there_are_at_least_twenty_distinct_cases():
    assert len({c[0] for c in CASES}) == len(CASES) >= 20


def test_debug_shows_the_traceback_instead(data_folder):
    (data_folder / "cfg.yaml").write_text("epoch: 5\n")
    result = invoke(*["--debug", "train", str(data_folder / "cfg.yaml")])
    assert result.exit_code != 0
    assert type(result.exception).__name__ == "ConfigError"


def readme_rows() -> list[tuple[str, str]]:
    """(input, message) of each row of the README's "Bad inputs" table."""
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = text[text.index("### Bad inputs") :]
    ends = [i for i in (section.find("\n## "), section.find("\n### ")) if i >= 0]
    section = section[: min(ends)]  # (up to the next section: "Faults and how nnlab answers")
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]  # no header
    return [(row.split(" | ")[0][2:], row.split(" | ")[-1]) for row in rows]


def test_readme_table_has_exactly_these_cases_and_their_messages():
    rows = readme_rows()
    assert [name for name, _ in rows] == [c[0] for c in CASES]
    for (_, message), (name, _, _, expected) in zip(rows, CASES):
        for part in expected:
            assert part.replace("{d}", "bad") in message, (name, part)


# Newcomers' mistakes, each answered with what was probably meant (one line, exit 2). ``{d}``
# is the case's folder, holding cfg.yaml.
HINTS = [
    # (a command of a group, or an option, typed as a command: "no such command 'list'.")
    (["list"], "error: no such command 'list' in nnlab; did you mean nnlab data list or nnlab "
     "runs list? (see nnlab -h)"),
    (["show", "latest"], "no such command 'show' in nnlab; did you mean nnlab runs show?"),
    (["extend", "latest"], "did you mean nnlab train --extend RUN epochs=N?"),
    (["runs", "resume", "latest"], "error: no such command 'resume' in nnlab runs; did you mean "
     "nnlab sweep resume or nnlab train --resume RUN? (see nnlab runs -h)"),
    # (a shell's word for a command: "no such command 'rm'.", nothing meant)
    (["runs", "rm", "latest"], "error: no such command 'rm' in nnlab runs; did you mean nnlab "
     "runs remove? (see nnlab runs -h)"),
    (["runs", "ls"], "did you mean nnlab runs list? (see"),
    # (a misspelt command: click's words, "no such command 'trian'. Did you mean 'train'?", and
    # one nothing is close to ended "no such command 'zzz'. (see nnlab -h)")
    (["trian", "{d}/cfg.yaml"],
     "error: no such command 'trian' in nnlab; did you mean nnlab train? (see nnlab -h)"),
    (["runs", "shwo", "latest"], "no such command 'shwo' in nnlab runs; did you mean nnlab runs show?"),
    (["runs", "zzz"], "error: no such command 'zzz' in nnlab runs; its commands: list, show, "
     "compare, remove (see nnlab runs -h)"),
    (["rm", "latest"], "error: no such command 'rm' in nnlab; did you mean nnlab runs remove?"),
    # (a misspelt group before one of its commands: it offered nnlab sweep run, the one
    # command named 'run', which takes no 'list')
    (["run", "list"], "error: no such command 'run' in nnlab; did you mean nnlab runs list? "
     "(see nnlab -h)"),
    (["swep", "grid", "{d}/cfg.yaml"], "no such command 'swep' in nnlab; did you mean nnlab "
     "sweep grid?"),
    (["train", "{d}/cfg.yaml", "--lr", "0.1"],
     "--lr: no such option; config keys are overrides after the config file: optimizer.lr=0.1"),
    (["train", "{d}/cfg.yaml", "--epoch", "3"],
     "--epoch: no such option; did you mean the config key epochs? config keys are overrides "
     "after the config file: epochs=3"),
    (["tune", "{d}/cfg.yaml", "--learning-rate", "0.1"],
     "did you mean the config key optimizer.lr? config keys are overrides after the config "
     "file: optimizer.lr=0.1"),
    (["train", "{d}/cfg.yaml", "--batch", "10"],
     "did you mean a config key (batch_size or model.batchnorm)?"),
    (["train", "{d}/cfg.yaml", "--quite"], "--quite: no such option (did you mean --quiet?)"),
    (["report", "--epochs", "3"], "--epochs: no such option (see nnlab report -h)"),
    (["train", "{d}/cfg.yaml", "lr=0.1"], "unknown key 'lr' (did you mean 'optimizer.lr'?)"),
    # (a key in the section a torch user looks for it in: it listed that section's keys)
    (["train", "{d}/cfg.yaml", "optimizer.weight_decay=1e-4"],
     "unknown key 'optimizer.weight_decay' (did you mean 'weight_decay'?)"),
    # (a long option with one dash, which click reads as short ones: it said '-e: no such
    # option' for -help and -epochs, and '--jobs: expected an integer, got 'obs'' for -jobs 2)
    (["train", "{d}/cfg.yaml", "-help"],
     "error: -help: no such option (did you mean --help?) (see nnlab train -h)"),
    (["runs", "show", "latest", "-all"], "-all: no such option (did you mean --all?)"),
    (["sweep", "weight-scale", "-jobs", "2"],
     "error: -jobs: no such option (did you mean --jobs?) (see nnlab sweep weight-scale -h)"),
    (["train", "{d}/cfg.yaml", "-epochs", "3"],
     "error: -epochs: no such option; config keys are overrides after the config file: "
     "epochs=3 (see nnlab train -h)"),
    # (an option like none: click's suggestions weighed the two dashes each has in common)
    (["gradcheck", "--tol", "2"], "error: --tol: no such option (see nnlab gradcheck -h)"),
    (["activations", "--bins", "3"], "error: --bins: no such option (see nnlab activations -h)"),
    (["lr-scan", "{d}/cfg.yaml", "--mn", "-3"],
     "error: --mn: no such option (did you mean --min?) (see nnlab lr-scan -h)"),
    # (a list option's values the shell split at a space: 'override '0.2': expected
    # key.sub=value', or ''tanh': an extra argument; expected none')
    (["compare-optimizers", "--lr", "0.1", "0.2"],
     "error: --lr: the shell split its values at a space (0.1 0.2); they are separated by "
     "commas, without spaces: --lr 0.1,0.2 (see nnlab compare-optimizers -h)"),
    (["compare-optimizers", "-o", "sgd,", "adam"], "separated by commas, without spaces: -o "
     "sgd,adam"),
    (["activations", "-a", "relu", "tanh"], "error: -a: the shell split its values at a space "
     "(relu tanh); they are separated by commas, without spaces: -a relu,tanh (see nnlab "
     "activations -h)"),
    (["train", "{d}/cgf.yaml"], "cgf.yaml: config file not found (did you mean '{d}/cfg.yaml'?)"),
    # (a name in another case: it offered the closer as written, 'affine1.b')
    (["gradcheck", "--compare-differences", "--param", "affine1.w"],
     "got 'affine1.w' (did you mean 'affine1.W'?)"),
    (["train", "{d}/cfg.yaml", "-qx"], "error: -x: no such option (see"),  # (a cluster)
    # (a short option and the rest of the word as its value: -kind train was -k 'ind', then
    # 'train: an extra argument; expected none'; -kind alone listed the kind 'ind')
    (["runs", "list", "-kind", "train"],
     "error: -kind: no such option (did you mean --kind?) (see nnlab runs list -h)"),
    (["runs", "list", "-kind"], "error: -kind: no such option (did you mean --kind?)"),
    (["runs", "compare", "latest", "-sort", "acc_gap"], "-sort: no such option (did you mean --sort?)"),
    (["activations", "-init", "he"], "error: -init: no such option (did you mean --init?)"),
    (["tune", "{d}/cfg.yaml", "-rounds", "2"], "-rounds: no such option (did you mean --rounds?)"),
    # (a first letter that is no short option: it said '-l: no such option')
    (["runs", "list", "-limit", "3"], "error: -limit: no such option (did you mean --last?)"),
    # (an option's value is left to it: --where's own check)
    (["runs", "list", "--where", "-kind"], "--where '-kind': expected key.sub=value"),
    # (help and version as commands, git's habit: 'no such command 'help'.' said no more)
    (["help"], "error: no such command 'help' in nnlab; did you mean nnlab -h?"),
    (["runs", "help"], "no such command 'help' in nnlab runs; did you mean nnlab runs -h?"),
    (["version"], "no such command 'version' in nnlab; did you mean nnlab --version?"),
    (["train", "help"], "error: help: config file not found; a command's help is its option -h"),
    (["train", "epochs=3"], "'epochs=3' looks like an override: give the config file first"),
    (["sweep", "grid", "optimizer.lr=0.1,0.01"], "looks like an override: give the config file"),
    (["train", "{d}/cfg.yml"],
     "{d}/cfg.yml: config file not found (did you mean '{d}/cfg.yaml'?)"),
    # (an override written the way YAML or a shell habit writes it: they said only 'expected
    # key.sub=value', and --epochs=5 gave epochs=VALUE)
    (["train", "{d}/cfg.yaml", "epochs:3"], "override 'epochs:3': expected key=value: epochs=3"),
    (["train", "{d}/cfg.yaml", "optimizer.lr", "=", "0.5"],
     "override 'optimizer.lr = 0.5': no spaces around '=' (one argument): optimizer.lr=0.5"),
    (["train", "{d}/cfg.yaml", "optimizer.lr=", "0.5"],
     "override 'optimizer.lr= 0.5': no spaces around '=' (one argument): optimizer.lr=0.5"),
    (["compare-optimizers", "-o", "adam", "adam.lr", "=", "0.3"],  # (it said 'override
     # 'adam.lr': expected key.sub=value', as train did before the check)
     "override 'adam.lr = 0.3': no spaces around '=' (one argument): adam.lr=0.3"),
    # (a list written with a space, which the shell splits: it said the value '[100,' is not
    # valid YAML, and a sweep's '100]' was an argument of its own)
    (["train", "{d}/cfg.yaml", "model.hidden=[100,", "100]"],
     "override 'model.hidden=[100, 100]': the shell split it at its spaces; write it without "
     "them, model.hidden=[100,100], or in quotes"),
    (["sweep", "grid", "{d}/cfg.yaml", "model.hidden=[8],[4,", "4]"],
     "argument 'model.hidden=[8],[4, 4]': the shell split it at its spaces; write it without "
     "them, model.hidden=[8],[4,4], or in quotes"),
    # (several values where a run takes one: 'override '0.2': expected key.sub=value', and
    # 'input should be a valid number' for the comma list)
    (["train", "{d}/cfg.yaml", "optimizer.lr=0.1", "0.2"],
     "error: override 'optimizer.lr=0.1 0.2': a run takes one value of a key; several are a "
     "sweep's: nnlab sweep grid CONFIG optimizer.lr=0.1,0.2"),
    (["train", "{d}/cfg.yaml", "optimizer.lr=0.1,0.01"],
     "several are a sweep's: nnlab sweep grid CONFIG optimizer.lr=0.1,0.01"),
    # (values separated as other tools separate a list's: 'input should be a valid number, got
    # '0.1;0.2'', and 'e.g. model.hidden=[100;200]' for a list; a sweep took it as one value)
    (["train", "{d}/cfg.yaml", "optimizer.lr=0.1;0.2"],
     "error: override 'optimizer.lr=0.1;0.2': values are separated by commas, not ';'; a run "
     "takes one value of a key; several are a sweep's: nnlab sweep grid CONFIG "
     "optimizer.lr=0.1,0.2"),
    (["train", "{d}/cfg.yaml", "model.hidden=100;200"],
     "error: override 'model.hidden=100;200': model.hidden's value is a list, written in brackets, "
     "its items separated by commas: model.hidden=[100,200]"),
    (["train", "{d}/cfg.yaml", "model.hidden=100", "50"],  # (it offered a sweep of numbers)
     "error: override 'model.hidden=100 50': model.hidden's value is a list, written in brackets, "
     "its items separated by commas: model.hidden=[100,50]"),
    (["sweep", "grid", "{d}/cfg.yaml", "optimizer.lr=0.1|0.2"],
     "error: argument 'optimizer.lr=0.1|0.2': values are separated by commas, not '|': "
     "optimizer.lr=0.1,0.2"),
    # (an axis of a key that takes a list: each trial was refused, 'sweep trial
    # (model.hidden=100): ... e.g. model.hidden=[100]', a form that is no axis)
    (["sweep", "grid", "{d}/cfg.yaml", "model.hidden=100,200"],
     "error: 'model.hidden=100,200': model.hidden's value is a list, so each value of its axis is "
     "one in brackets: model.hidden=[100],[200] (in a file's sweep.params: model.hidden: "
     "[[100], [200]]); one value of them all is a fixed override: model.hidden=[100,200]"),
    (["sweep", "grid", "{d}/cfg.yaml", "eval=train,test"], "eval=[train],[test]"),
    (["sweep", "grid", "{d}/cfg.yaml", "model.hidden=100;200"],
     "values are separated by commas, not ';': model.hidden=[100],[200]"),
    (["sweep", "grid", "{d}/cfg.yaml", "model.hidden=100", "200"],
     "the shell split it at its spaces; values are separated by commas: model.hidden=[100],[200]"),
    (["sweep", "grid", "{d}/cfg.yaml", "model.hidden=[100,200]"],
     "model.hidden=[100,200] is one value, a list (an axis of lists: model.hidden=[100],[200])"),
    (["train", "{d}/cfg.yaml", "--epochs=3"],
     "--epochs: no such option; config keys are overrides after the config file: epochs=3"),
    # (a key the switched dataset needs: it blamed the file, which set none of it)
    (["train", "{d}/cfg.yaml", "dataset.name=hdf5"],
     "error: override 'dataset.name=hdf5': dataset.train_file: required key is missing"),
    # (a run's name where the config goes: it said only 'latest: config file not found')
    (["train", "latest"], "latest: config file not found; 'latest' names the newest run folder, "
     "which --resume takes: --resume latest"),
    (["train", "{d}/cfg.yaml", "model.hidden=100,100"],
     "model.hidden: expected a list in brackets, e.g. model.hidden=[100,100], got '100,100'"),
    # (it said 'string should match pattern '^[A-Za-z0-9_][A-Za-z0-9_.\\-]*$'')
    (["train", "{d}/cfg.yaml", "name=my run"], "error: override 'name=my run': name: expected a "
     "name of letters, digits, '_', '-' and '.', not starting with '-' or '.', got 'my run'"),
    # (a section given a name: it offered a file's form and an override's, whichever was given)
    (["train", "{d}/cfg.yaml", "optimizer=adam"], "error: override 'optimizer=adam': optimizer: "
     "expected a mapping of keys, got 'adam' (by name: optimizer.name=adam)"),
    # (a config file or an override given by another tool's option: '--config: no such option
    # (did you mean --print-config?)', '-o: no such option')
    (["train", "--config", "{d}/cfg.yaml", "epochs=1"], "error: --config: no such option; the "
     "config file is the command's first argument, without an option: nnlab train "
     "{d}/cfg.yaml epochs=1 --runs-dir {d}/runs (see nnlab "
     "train -h)"),
    (["train", "epochs=1", "-c", "{d}/cfg.yaml"], "without an option: nnlab train {d}/cfg.yaml "
     "epochs=1 --runs-dir"),
    (["sweep", "run", "--config={d}/cfg.yaml"], "without an option: nnlab sweep run "
     "{d}/cfg.yaml --runs-dir {d}/runs (see nnlab sweep run -h)"),
    (["train", "{d}/cfg.yaml", "-o", "epochs=1"], "error: -o: no such option; overrides are "
     "arguments after the config, without an option: nnlab train {d}/cfg.yaml epochs=1 --runs-dir"),
    (["train", "{d}/cfg.yaml", "--set", "epochs=1"], "without an option: nnlab train "
     "{d}/cfg.yaml epochs=1 --runs-dir"),
    # (another tool's section: it listed every top-level key)
    (["train", "{d}/cfg.yaml", "train.epochs=1"], "error: override 'train.epochs=1': unknown key "
     "'train' (did you mean 'epochs'? train is no section)"),
    (["train", "{d}/cfg.yaml", "trainer.lr=0.1"], "(did you mean 'optimizer.lr'? trainer is no "
     "section)"),
    (["train", "{d}/cfg.yaml", "data.name=mnist"], "(did you mean 'dataset'?)"),
    # (a path option's value left out: click took the next option as its value, and the run
    # went into a folder named '-q')
    (["compare-optimizers", "--png", "-q"], "error: --png: expected a path, got the option '-q' "
     "(the path left out? one of that name is written ./-q) (see nnlab compare-optimizers -h)"),
    (["train", "{d}/cfg.yaml", "--data-dir", "--quiet"], "--data-dir: expected a path, got the "
     "option '--quiet'"),
    # (a key and its value as two words: 'no value; expected epochs=<value>', the 5 unsaid)
    (["train", "{d}/cfg.yaml", "epochs", "5"], "error: override 'epochs 5': a key and its value "
     "are one argument, joined by '=' without spaces: epochs=5"),
    (["train", "{d}/cfg.yaml", "optimizer", "adam"], "joined by '=' without spaces: "
     "optimizer.name=adam"),
    (["sweep", "grid", "{d}/cfg.yaml", "optimizer.lr", "0.1,0.2"], "error: argument "
     "'optimizer.lr 0.1,0.2': a key and its value are one argument, joined by '=' without "
     "spaces: optimizer.lr=0.1,0.2"),
    (["train", "{d}/cfg.yaml", "epochs"], "error: override 'epochs': no value; expected "
     "epochs=<value>"),
    # (a key in capitals: 'valid keys here: name, seed, ...', no guess)
    (["train", "{d}/cfg.yaml", "EPOCHS=3"], "unknown key 'EPOCHS' (did you mean 'epochs'?)"),
    (["train", "{d}/cfg.yaml", "LR=0.1"], "unknown key 'LR' (did you mean 'optimizer.lr'?)"),
    # (a section given one value: it said only 'expected a mapping of keys, got 'relu'')
    (["train", "{d}/cfg.yaml", "model=relu"], "error: override 'model=relu': model: expected a "
     "mapping of keys, got 'relu' (model is a section of keys: hidden, activation, init, "
     "init_std, batchnorm, dropout; did you mean model.activation=relu?)"),
    (["train", "{d}/cfg.yaml", "optimizer=0.1"], "optimizer: expected a mapping of keys, got 0.1 "
     "(optimizer is a section of keys: name, lr; did you mean optimizer.lr=0.1?)"),
    # (several keys take a number: they are named, none guessed; model=5 was 'did you mean
    # model.init_std=5?', the one whose range held 5)
    (["train", "{d}/cfg.yaml", "dataset=1000"], "dataset: expected a mapping of keys, got 1000 "
     "(dataset is a section of keys: n_train, n_val, n_test, normalize, split_seed, name; "
     "n_train, n_val, n_test and split_seed take a number: dataset.KEY=1000)"),
    (["train", "{d}/cfg.yaml", "model=5"], "error: override 'model=5': model: expected a mapping "
     "of keys, got 5 (model is a section of keys: hidden, activation, init, init_std, batchnorm, "
     "dropout; init_std and dropout take a number: model.KEY=5)"),
    (["train", "{d}/cfg.yaml", "model=true"], "(model is a section of keys: hidden, activation, "
     "init, init_std, batchnorm, dropout; did you mean model.batchnorm=true?)"),
    (["train", "{d}/cfg.yaml", "model=he"], "did you mean model.init=he?)"),
    (["train", "{d}/cfg.yaml", "model=relux"], "(model is a section of keys: hidden, activation, "
     "init, init_std, batchnorm, dropout; give one as model.KEY=VALUE)"),
    # (an empty value: 'epochs: input should be a valid integer, got null')
    (["train", "{d}/cfg.yaml", "epochs="], "error: override 'epochs=': epochs: no value after "
     "'='; expected epochs=<value>"),
    (["train", "{d}/cfg.yaml", "batch_size="], "batch_size: no value after '='; expected "
     "batch_size=<value>"),
    # (a Python tuple: it offered 'e.g. model.hidden=[(100,100)]', a list of one text)
    (["train", "{d}/cfg.yaml", "model.hidden=(100,100)"], "model.hidden: expected a list in "
     "brackets, e.g. model.hidden=[100,100], got '(100,100)'"),
    # (no hidden layer written as a word: it said 'e.g. model.hidden=[none]')
    (["train", "{d}/cfg.yaml", "model.hidden=none"], "model.hidden: expected a list in "
     "brackets, e.g. model.hidden=[] (an empty list: none), got 'none'"),
    (["train", "{d}/cfg.yaml", "model.hidden=null"], "e.g. model.hidden=[] (an empty list: "
     "none), got null"),
    # (a list not closed: it said only that the value is not valid YAML)
    (["train", "{d}/cfg.yaml", "model.hidden=[100,100"],
     "override 'model.hidden=[100,100': the value '[100,100' is not valid YAML (a '[' without "
     "its ']')"),
    # (a hint written as its value's source writes it: an override's for an override; it
    # said 'or dtype: float64', a file's line, to an override)
    (["train", "{d}/cfg.yaml", "optimizer.lr=1e-50"],
     "error: override 'optimizer.lr=1e-50': optimizer.lr: 1e-50 is 0 in float32, the run's "
     "dtype; expected 0 or a magnitude of at least 1.4e-45, or dtype=float64"),
    (["sweep", "grid", "{d}/cfg.yaml", "optimizer.lr=[0.1,0.01]"],
     "optimizer.lr=[0.1,0.01] is one value, a list (axes are written without brackets: "
     "optimizer.lr=0.1,0.01)"),
    (["sweep", "weight-scale", "--dataset", "cifar"],
     "--dataset: expected one of digits, mnist, got 'cifar' (see nnlab sweep weight-scale -h)"),
    (["runs", "list", "--format", "xml"], "--format: expected one of table, json, csv, got 'xml' ("),
    (["train", "{d}/cfg.yaml", "epochs=1.5"], "epochs: input should be a whole number, got 1.5"),
    (["compare-optimizers", "--optimizers", "adma"],
     "--optimizers: unknown optimizer 'adma' (did you mean 'adam'?)"),
    (["activations", "--activation", "relux"], "--activation: expected one of sigmoid, tanh, relu, got 'relux' (did you mean 'relu'?)"),
    (["landscape", "{d}/cfg.yaml", "--split", "tst"],
     "--split: expected one of train, val, test, got 'tst'"),
    # (it said 'set dataset.n_val > 0', which a run's data cannot: its landscape takes no override)
    (["landscape", "{d}/cfg.yaml", "--split", "val"],
     "error: --split: the digits data has no 'val' split (it has train, test); give --split "
     "train or test, or the override dataset.n_val=N (see nnlab landscape -h)"),
    (["landscape", "{d}/cfg.yaml", "model.init=std", "model.init_std=1e200"],  # (it wrote a
     # folder, then refused its own landscape.h5: FAILED, 'centre/params/affine1.W' not finite)
     "error: model.init_std: 1e+200 is too large for float32: the initial weights ('affine1.W') "
     "are not finite; expected a std whose weights the dtype holds"),
    (["sweep", "grid", "{d}/cfg.yaml", "optimizer.lr=0.1,0.2", "--name", ""], "--name: '' is empty"),
    (["sweep", "weight-scale", "--name", "", "--dry-run"], "--name: '' is empty"),
    # (a name 300 characters long was quoted whole, as no other value is)
    (["sweep", "grid", "{d}/cfg.yaml", "optimizer.lr=0.1,0.2", "--name", "x" * 300],
     "error: --name: '" + "x" * 56 + "... (302 characters) is 300 characters long; at most 64 "
     "(see nnlab sweep grid -h)"),
    (["train", "{d}/cfg.yaml", "dataset.name=hdf5", "dataset.train_file=" + "z" * 300],
     "dataset.train_file: " + "'" + "z" * 56 + "... (302 characters) cannot be looked up (File "
     "name too long)"),  # (it named no key)
    (["runs", "list", "--kind", "x" * 5000],  # (a check of nnlab's own quoted it whole: 5 kB)
     "--kind: expected one of train, sweep, tune, lr-scan, landscape, activations, "
     "compare-optimizers, gradcheck, got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "... (5,002 characters)"),  # (it fell
    # back to the preset's name, where the other sweep commands refuse it)
    # (a sweep of a config that is a symlink loop: 'unexpected RuntimeError: Symlink loop')
    (["sweep", "grid", "{d}/loop.yaml", "seed=1,2"],
     "error: {d}/loop.yaml: a symlink loop (to loop.yaml, which leads back round to it); "
     "expected a YAML config file"),
    (["sweep", "run", "{d}/loop.yaml"], "error: {d}/loop.yaml: a symlink loop"),
    (["sweep", "run", "weight-scal"],
     "weight-scal: no such config file or preset (did you mean 'weight-scale'?"),
    # (no config: an example to start from, as nnlab train gives one)
    (["tune"], "give a config file (or --resume FOLDER); e.g. nnlab tune configs/"),
    (["landscape"], "give a run or a config file (or --resume FOLDER); e.g. nnlab landscape latest"),
    # (a section chosen by name: 'dataset=mnist' is refused, 'dataset.name=mnist' is meant)
    (["train", "{d}/cfg.yaml", "--dataset", "mnist"],
     "--dataset: no such option; config keys are overrides after the config file: "
     "dataset.name=mnist"),
    # (a preset's dataset is its option: the override dataset.name=mnist, hinted before, ran on
    # MNIST's default 8,000 training images, dropping the preset's dataset.n_train 1000)
    (["sweep", "run", "weight-scale", "--dataset", "mnist"],
     "--dataset: no such option; the preset sets its dataset by its own option: nnlab sweep "
     "weight-scale --dataset mnist"),
    (["sweep", "run", "weight-scale", "dataset=mnist"],
     "override 'dataset=mnist': dataset is a section of keys, which the preset sets by its "
     "--dataset option: nnlab sweep weight-scale --dataset mnist"),
    (["sweep", "weight-scale", "dataset=mnist"], "option: nnlab sweep weight-scale --dataset mnist"),
    # (sweep run of the preset's file: 'dataset.name=mnist' trained on MNIST's 8,000 images
    # without a word, dropping the file's dataset.n_train 1000; an axis did so for its mnist half)
    (["sweep", "run", "weight-scale", "dataset.name=mnist"],
     "override 'dataset.name=mnist': starts the dataset afresh from mnist's defaults, dropping "
     "weight-scale.yaml's dataset.n_train=1000; the preset on mnist: nnlab sweep weight-scale "
     "--dataset mnist; to keep or change it, give it too (dataset.n_train=1000)"),
    (["sweep", "run", "weight-scale", "dataset.name=digits,mnist"],
     "override 'dataset.name=digits,mnist': starts the dataset afresh from mnist's defaults, "
     "dropping weight-scale.yaml's dataset.n_train=1000; to keep or change it"),
    # (the preset's command: it trained on MNIST in a sweep named weight-scale-digits)
    (["sweep", "weight-scale", "dataset.name=mnist"],
     "override 'dataset.name=mnist': the preset sets its dataset by its --dataset option (its "
     "sweep is named for it): nnlab sweep weight-scale --dataset mnist"),
    (["train", "{d}/cfg.yaml", "--model", "relu"],
     "--model: no such option; model is a section of config keys; overrides after the config "
     "file set one each: model.KEY=VALUE (nnlab config keys model)"),
    # (README: n_test 0 gives every sample to training; the hint only said 'set dataset.n_test')
    (["train", "{d}/cfg.yaml", "dataset.n_test=0"],
     "eval: split 'test' is empty for dataset 'digits'; set dataset.n_test above 0, or leave "
     "'test' out of eval"),
]  # fmt: skip


@pytest.mark.parametrize("args, expected", HINTS, ids=[" ".join(a) for a, _ in HINTS])
def test_a_typical_mistake_is_answered_with_what_was_meant(data_folder, args, expected):
    (data_folder / "cfg.yaml").write_text("epochs: 1\n")
    runs = data_folder / "runs"
    result = invoke(*(a.replace("{d}", str(data_folder)) for a in args), runs_dir=runs)
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert expected.replace("{d}", str(data_folder)) in line, line
    assert not runs.exists()


def test_a_run_folder_given_as_the_config_names_its_config_and_resume(tmp_path):
    # (it said only 'is a folder, expected a YAML config file')
    runs = tmp_path / "runs"
    made = invoke("train", "configs/digits-quickstart.yaml", "epochs=1", "-q", runs_dir=runs)
    assert made.exit_code == 0, made.output
    (run,) = runs.iterdir()
    result = invoke("train", str(run), runs_dir=runs)
    assert result.exit_code == 2
    assert one_line(result.stderr) == (
        f"error: {run}: is a folder, expected a YAML config file; a run folder: its config is "
        f"{run / 'config.yaml'}, nnlab train --resume takes the folder"
    )
    assert len(list(runs.iterdir())) == 1


def test_a_run_folder_given_as_the_config_reads_its_meta_json_bounded(tmp_path, monkeypatch):
    # (its kind, for the hint, was read with read_text: a meta.json of any size whole; every
    # reader of a meta.json reads at most 1 MB)
    from nnlab import config_paths

    run = tmp_path / "runs" / "big"
    run.mkdir(parents=True)
    (run / "config.yaml").write_text("epochs: 1\n")
    (run / "meta.json").write_text('{"kind": "train", "pad": "' + "x" * 2**21 + '"}')
    asked, real = [], config_paths.read_at_most
    monkeypatch.setattr(
        config_paths, "read_at_most", lambda p, n: asked.append((p, n)) or real(p, n)
    )
    line = one_line(invoke("train", str(run), runs_dir=tmp_path / "runs").stderr)
    assert line == (
        f"error: {run}: is a folder, expected a YAML config file; a run folder: its config is "
        f"{run / 'config.yaml'}"
    )
    assert (run / "meta.json", 2**20) in asked


def test_a_folder_of_another_kind_given_as_the_config_is_not_offered_to_train_resume(tmp_path):
    # (an lr-scan's folder holds a config.yaml too; the hint said '--resume takes the folder',
    # which train --resume refuses: 'a lr-scan folder; this command needs a train folder';
    # a sweep's folder said nothing at all)
    runs = tmp_path / "runs"
    args = ["--min", "-2", "--max", "-1", "--num", "2", "--epochs", "0", "-q"]
    made = invoke("lr-scan", "configs/digits-quickstart.yaml", "model.hidden=[8]", *args,
                  runs_dir=runs)  # fmt: skip
    assert made.exit_code == 0, made.output
    (scan,) = runs.iterdir()
    for command in ("train", "lr-scan", "gradcheck"):
        line = one_line(invoke(command, str(scan), runs_dir=runs).stderr)
        assert line == (
            f"error: {scan}: is a folder, expected a YAML config file; a run folder: its config "
            f"is {scan / 'config.yaml'}"
        )
    sweep = runs / "a-sweep"
    (sweep / "trials").mkdir(parents=True)
    (sweep / "meta.json").write_text("{}")
    line = one_line(invoke("train", str(sweep), runs_dir=runs).stderr)
    assert line.endswith(f"; a run folder: a trial's config is {sweep}/trials/<trial>/config.yaml")


@pytest.mark.slow
def test_a_run_folders_own_file_given_as_the_config_names_the_config_to_give(tmp_path):
    # (meta.json, a sweep's sweep.yaml... read as configs: "unknown key 'run_id'; valid keys
    # here: name, seed, ...", which said nothing of what the file was)
    runs = tmp_path / "runs"
    made = invoke("train", "configs/digits-quickstart.yaml", "epochs=1", "-q", runs_dir=runs)
    swept = invoke("sweep", "grid", "configs/digits-quickstart.yaml", "epochs=1", "seed=1,2", "-q",
                   runs_dir=runs)  # fmt: skip
    assert made.exit_code == swept.exit_code == 0, (made.output, swept.output)
    run, sweep = sorted(runs.iterdir(), key=lambda p: "sweep" in p.name)
    cases = [
        ("train", run / "meta.json", f"its config is {run / 'config.yaml'}"),
        ("lr-scan", run / "summary.json", f"its config is {run / 'config.yaml'}"),
        ("landscape", run / "metrics.jsonl", f"its config is {run / 'config.yaml'}"),
        (
            "train",
            sweep / "sweep.yaml",
            f"a trial's config is {sweep / 'trials'}/<trial>/config.yaml",
        ),
    ]
    for command, path, instead in cases:
        result = invoke(command, str(path), runs_dir=runs)
        assert result.exit_code == 2, result.output
        assert one_line(result.stderr) == (
            f"error: {path}: the {path.name} of a run folder, not a config file; {instead}"
        )
    assert len(list(runs.iterdir())) == 2
    assert invoke("train", str(run / "config.yaml"), "-q", runs_dir=runs).exit_code == 0


def test_debug_keeps_the_exit_code_of_the_error_it_shows(data_folder):
    """--debug shows the traceback of a config error and still exits 2 (not Python's 1)."""
    import subprocess
    import sys

    (data_folder / "cfg.yaml").write_text("epoch: 5\n")
    done = subprocess.run([sys.executable, "-m", "nnlab", "--debug", "train", "cfg.yaml"],
                          cwd=data_folder, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert (
        "Traceback" in done.stderr and "ConfigError: cfg.yaml: unknown key 'epoch'" in done.stderr
    )


@pytest.mark.parametrize(
    "args",
    [
        ["runs", "list"],
        ["runs", "show", "latest"],
        ["runs", "compare", "a", "b"],
        ["report"],
        ["train", "--resume", "latest"],
        ["sweep", "--resume", "latest"],
    ],  # fmt: skip
    ids=lambda a: " ".join(a),
)
def test_a_missing_runs_folder_is_said_missing_by_every_reader(tmp_path, args):
    # (runs list said "no folders under typo" and exited 0; show and compare said no run matched)
    result = invoke(*args, "--runs-dir", str(tmp_path / "typo"))
    assert result.exit_code == 2, result.output
    assert one_line(result.stderr) == (
        f"error: {tmp_path / 'typo'}: no such runs folder "
        "(no runs yet, or give the folder nnlab wrote runs into as --runs-dir)"
    )
    assert not (tmp_path / "typo").exists()


def test_an_argument_that_is_not_utf8_is_refused_before_anything_runs(tmp_path):
    # (undecodable bytes in a name or a value failed as 'unexpected UnicodeEncodeError'; in a
    # config's file name the run was recorded with them, and every later report failed)
    for args in (["train", "configs/digits-quickstart.yaml", "name=caf\udce9"],
                 ["runs", "list"], ["sweep", "grid", "configs/digits-quickstart.yaml",
                                    "optimizer.lr=0.1,caf\udce9"]):  # fmt: skip
        runs = tmp_path / ("caf\udce9" if args == ["runs", "list"] else "runs")
        result = invoke(*args, "--runs-dir", str(runs))
        assert result.exit_code == 2, result.output
        line = one_line(result.stderr)
        assert "is not UTF-8 text" in line and "caf\\xe9" in line
    assert list(tmp_path.iterdir()) == []


def test_a_report_writes_recorded_text_that_is_not_unicode_as_escapes(tmp_path):
    from nnlab.report.build import Site

    Site(tmp_path).write("p.html", "<p>caf\udce9</p>")
    # (as the terminal writes a byte it cannot decode, streams.ESCAPING; it was '\\udce9')
    assert (tmp_path / "p.html").read_bytes() == b"<p>caf\\xe9</p>"


@pytest.mark.parametrize("given", ["configs/digits-quickstart.yaml", "digits-quickstart"])
def test_a_shipped_config_named_from_another_folder_is_offered_where_it_is(
    tmp_path, monkeypatch, given
):
    # (the README's commands run in the repository's folder; from another one it said only
    # 'configs/digits-quickstart.yaml: config file not found')
    monkeypatch.chdir(tmp_path)
    result = invoke("train", given, runs_dir=tmp_path / "runs")
    repo = Path(__file__).resolve().parents[2]
    assert result.exit_code == 2
    assert one_line(result.stderr) == (
        f"error: {given}: config file not found (did you mean "
        f"'{repo}/configs/digits-quickstart.yaml'? configs/ is in nnlab's folder, {repo})"
    )


def test_a_config_name_like_none_there_gets_no_suggestion(tmp_path):
    # ('.yaml' in common made nope.yaml close to m.yaml: 'did you mean 'm.yaml' in .?')
    (tmp_path / "m.yaml").write_text("epochs: 1\n")
    (tmp_path / "sw.yaml").write_text("epochs: 1\n")
    line = one_line(invoke("train", tmp_path / "nope.yaml").stderr)
    assert line.startswith(f"error: {tmp_path / 'nope.yaml'}: config file not found; example")
    line = one_line(invoke("train", tmp_path / "sw.yml").stderr)
    assert line.endswith(f"(did you mean '{tmp_path / 'sw.yaml'}'?)")


@pytest.mark.parametrize(
    "args",
    [
        ["train"],
        ["lr-scan"],
        ["tune", "optimizer.lr=loguniform:0.001:0.1"],
        ["sweep", "grid", "seed=1,2"],
    ],
    ids=lambda a: a[0] + (f" {a[1]}" if a[0] == "sweep" else ""),
)
def test_a_net_too_large_is_refused_before_its_generated_data_is_made(tmp_path, monkeypatch, args):
    # (the data came first: blobs of 300 x 100,000 values, 15 s and 600 MB, then the refusal)
    made = []
    monkeypatch.setattr("nnlab.data.synthetic.blobs", lambda *a: made.append(a))
    monkeypatch.setenv("NNLAB_MAX_MEMORY_GB", "10")
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("dataset: {name: blobs, dim: 100000}\nmodel: {hidden: [65536]}\n")
    command = args[:2] if args[0] == "sweep" else args[:1]
    result = invoke(*command, cfg, *args[len(command) :], runs_dir=tmp_path / "runs")
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)  # (a sweep's two seeds: a stack of 2 nets, 147 GB)
    assert line.startswith("error: training run (100000 -> 65536 x 1 -> out)"), line
    assert "GB of memory, over the limit of 10 GB ($NNLAB_MAX_MEMORY_GB)" in line, line
    assert made == [] and not (tmp_path / "runs").exists()


HUGE_NET = "model.hidden=[65536,65536,65536]"


@pytest.mark.parametrize(
    "args",
    [
        ["train", "{cfg}", HUGE_NET],
        ["lr-scan", "{cfg}", HUGE_NET],
        ["tune", "{cfg}", HUGE_NET, "optimizer.lr=loguniform:0.001:0.1"],
        ["sweep", "grid", "{cfg}", HUGE_NET, "seed=1,2"],
        ["landscape", "{cfg}", HUGE_NET],
        ["gradcheck", "{cfg}", HUGE_NET],
        ["gradcheck", "{cfg}", HUGE_NET, "--compare-differences"],
        ["compare-optimizers", "--dataset", "mnist", "--hidden", "65536,65536,65536"],
    ],
    ids=lambda a: " ".join(a[:2]) if a[0] in ("sweep", "gradcheck") else a[0],
)
def test_a_net_too_large_is_refused_before_its_data_is_read_in_every_command(
    tmp_path, monkeypatch, args
):
    # (landscape and gradcheck read MNIST's 70,000 images first, then refused the model;
    # every command goes through checks.load_checked: the net's memory, then the data)
    read = []
    monkeypatch.setattr("nnlab.data.load_source", lambda *a: read.append(a))
    monkeypatch.setenv("NNLAB_MAX_MEMORY_GB", "10")
    (cfg := tmp_path / "cfg.yaml").write_text("dataset: {name: mnist}\n")
    argv = [str(cfg) if a == "{cfg}" else a for a in args]
    result = invoke(*argv, "--data-dir", tmp_path, runs_dir=tmp_path / "runs")
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert "(mnist's inputs -> 65536 x 3 -> out)" in line, line
    assert "GB of memory, over the limit of 10 GB ($NNLAB_MAX_MEMORY_GB)" in line, line
    assert read == [] and not (tmp_path / "runs").exists()


@pytest.mark.slow  # (it trains the run it extends first: 3 s)
def test_extend_refuses_a_net_too_large_before_its_checkpoint_and_data_are_read(
    tmp_path, monkeypatch
):
    # (it read the run's data, then refused the net: the limit may be lower than when it ran)
    (cfg := tmp_path / "cfg.yaml").write_text(
        "epochs: 1\nmodel: {hidden: [16]}\ndataset: {name: digits, n_train: 200}\n"
    )
    assert invoke("train", cfg, "-q", runs_dir=tmp_path / "runs").exit_code == 0
    read = []
    monkeypatch.setattr("nnlab.data.load_source", lambda *a: read.append(a))
    monkeypatch.setattr("nnlab.rundir.RunDir.load_checkpoint", lambda *a: read.append(a))
    monkeypatch.setenv("NNLAB_MAX_MEMORY_GB", "0.000001")
    result = invoke("train", "--extend", "latest", "epochs=2", runs_dir=tmp_path / "runs")
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert line.startswith("error: training run (64 -> 16 x 1 -> out) needs at least"), line
    assert read == [] and len(list((tmp_path / "runs").iterdir())) == 1


def test_train_refuses_a_net_too_large_for_memory_not_for_the_disk_it_would_write(
    tmp_path, monkeypatch
):
    # (a net too large for memory was refused for its checkpoint: 'would write about 96.1 GB
    # into runs, which has 72.4 GB free'; memory is the cause, the disk comes after)
    monkeypatch.setattr("nnlab.limits.free_space", lambda root: 2**20)
    monkeypatch.setenv("NNLAB_MAX_MEMORY_GB", "1")
    (cfg := tmp_path / "cfg.yaml").write_text(
        "model: {hidden: [50000]}\nbatch_size: full\ndataset: {name: digits, n_train: 1400}\n"
    )
    from nnlab.config import load_config
    from nnlab.data import load_dataset
    from nnlab.errors import ConfigError
    from nnlab.experiments.train import run_training

    config = load_config(cfg, [])
    data = load_dataset(config.dataset, None, config.dtype)  # (given: the batches refuse it)
    with pytest.raises(ConfigError, match="of memory, over the limit of 1 GB"):
        run_training(config, data=data, runs_dir=tmp_path / "runs", plot=False)
    result = invoke("train", cfg, "model.hidden=[65536]", runs_dir=tmp_path / "runs")
    assert "of memory, over the limit of 1 GB" in one_line(result.stderr)
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["compare-optimizers", "-o", "sgd", "-o", "adam"],
         "error: -o: given twice ('sgd' and 'adam'); give it once; several values go "
         "comma-separated, once (see nnlab compare-optimizers -h)"),
        (["compare-optimizers", "-osgd", "--optimizers=adam"], "error: --optimizers: given twice"),
        (["compare-optimizers", "--lr", "0.1", "--lr=0.2"], "error: --lr: given twice"),
    ],
)  # fmt: skip
def test_a_list_option_given_two_values_is_refused_not_the_last_kept(tmp_path, args, expected):
    # (click kept the last without a word: -o sgd -o adam compared adam alone)
    (cfg := tmp_path / "cfg.yaml").write_text("epochs: 1\n")
    result = invoke(*[str(cfg) if a == "{cfg}" else a for a in args])
    assert result.exit_code == 2, result.output
    assert one_line(result.stderr).startswith(expected), result.stderr
    assert not (tmp_path / "runs").exists()


def test_an_option_of_one_value_given_twice_keeps_the_last_and_a_repeatable_one_all(tmp_path):
    # (a command nnlab prints, pasted with another --runs-dir after it, writes there)
    (cfg := tmp_path / "cfg.yaml").write_text("epochs: 1\n")
    for args in (["--where", "seed=0", "--where", "epochs=1"], ["-k", "train", "--kind=sweep"]):
        result = invoke("runs", "list", *args, runs_dir=tmp_path)
        assert result.exit_code == 0, result.output
    result = invoke("train", cfg, "--threads", "1", "--threads=2", "-q", "-q", "--format", "json",
                    "--runs-dir", tmp_path / "x", "epochs=0", runs_dir=tmp_path / "runs")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "runs").is_dir() and not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("latest~abc", "latest~N takes N, a whole number of folders back from 0 to 999,999 in "
         "digits 0-9, got 'abc'"),
        ("latest~99999999999999999999", "latest~N takes N, a whole number of folders back"),
        ("latest~\u0661", "latest~N takes N, a whole number of folders back"),  # (read as ~1)
        ("LATEST~1", "no run folder under {d} matches (did you mean 'latest~1'?)"),
    ],
)  # fmt: skip
def test_a_latest_n_ref_that_is_no_number_says_what_n_takes(tmp_path, ref, expected):
    (tmp_path / "x").mkdir()  # (a folder of no runs)
    result = invoke("runs", "show", ref, runs_dir=tmp_path)
    assert result.exit_code == 2, result.output
    assert f"error: run {ref!r}: " + expected.replace("{d}", str(tmp_path)) in one_line(
        result.stderr
    )


def test_a_short_flag_given_a_value_with_an_equals_sign_is_said_to_be_a_flag(tmp_path):
    # (click read -q=1 as -q, -= and -1: '-=: no such option')
    (cfg := tmp_path / "cfg.yaml").write_text("epochs: 1\n")
    result = invoke("train", cfg, "-q=1", runs_dir=tmp_path / "runs")
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert line == "error: -q: expected no value (it is a flag), got '1' (see nnlab train -h)"


@pytest.mark.parametrize("word", ["--quiet=1", "-q=1", "--quiet=1.5", "-q=yes"])
def test_a_flag_given_a_value_quotes_it_as_text_long_or_short(tmp_path, word):
    # (--quiet=1 said 'got 1' where -q=1 said 'got '1'': a number was written unquoted)
    (cfg := tmp_path / "cfg.yaml").write_text("epochs: 1\n")
    result = invoke("train", cfg, word, runs_dir=tmp_path / "runs")
    name, value = word.split("=")
    assert one_line(result.stderr) == (
        f"error: {name}: expected no value (it is a flag), got '{value}' (see nnlab train -h)"
    )
    assert result.exit_code == 2 and not (tmp_path / "runs").exists()


def test_an_option_of_nnlab_after_the_command_is_told_where_it_goes(tmp_path):
    # (it said '--debug: no such option (see nnlab train -h)')
    result = invoke("train", tmp_path / "cfg.yaml", "--debug")
    assert result.exit_code == 2, result.output
    assert one_line(result.stderr) == (
        f"error: --debug: an option of nnlab, not of nnlab train; give it before the command: "
        f"nnlab --debug train {tmp_path / 'cfg.yaml'}"
    )


@pytest.mark.parametrize("value", ["bogus", "complete_tcsh", "bash_complete", "explain_bash"])
def test_a_completion_variable_naming_no_instruction_is_one_error_line(tmp_path, value):
    # (it said 'Invalid completion instruction.' or 'Shell tcsh not supported.', exit 1)
    result = invoke("train", tmp_path / "cfg.yaml", env={"_NNLAB_COMPLETE": value})
    assert one_line(result.stderr) == (
        "error: _NNLAB_COMPLETE: expected source_SHELL or complete_SHELL, SHELL one of bash, "
        f"zsh, fish, powershell, pwsh, got {value!r} (the variable of shell completion's "
        "script; unset it to run nnlab)"
    )
    assert result.exit_code == 2 and not result.stdout
