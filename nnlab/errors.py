"""Expected errors: each becomes one clear line and an exit code in the CLI, never a traceback."""

from __future__ import annotations


class NnlabError(Exception):
    """An expected failure the user can fix. ``exit_code`` is what the CLI exits with."""

    exit_code = 2


class ConfigError(NnlabError):
    """A bad config file, key, value or override (exit 2)."""


class DataError(NnlabError):
    """A missing, corrupt or mismatched data file (exit 2): the message names the path."""


class RunError(NnlabError):
    """A run folder that cannot be found, read or resumed (exit 2)."""
