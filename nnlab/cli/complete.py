"""Shell completion (``nnlab --install-completion``): what the TAB key offers beyond commands
and options, which typer completes itself.

- a run reference (``runs show``, ``runs compare``, ``runs remove``, every ``--resume`` and
  ``--extend``): 'latest' and the ids of the folders under the runs folder the command line
  names (``--runs-dir``, ``NNLAB_RUNS_DIR``, else ``runs``), each with its kind and status;
- a config override: the config's keys as ``key=``, each with what it means, and after
  ``key=`` the values a key of names takes (``optimizer.name=``: sgd, momentum, ...);
- ``--kind`` and ``--status`` of ``runs list``: their values.

Each reads as little as it can (a folder's meta.json; the config schema) and never fails: a
completion that cannot be read offers nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer


def runs_root(ctx: typer.Context) -> Path:
    """The runs folder of the command line being completed."""
    given = ctx.params.get("runs_dir") if ctx is not None else None
    return Path(given or os.environ.get("NNLAB_RUNS_DIR") or "runs")


def run_refs(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """'latest' and the folder ids under the runs folder that begin with ``incomplete``; none
    for a path (it has a '/': the shell completes it as a file)."""
    if "/" in incomplete:
        return []
    from nnlab.describe import identified
    from nnlab.runfolders import iter_runs

    offers = [("latest", "the folder that started last")]
    try:
        for run in iter_runs(runs_root(ctx)):
            if run.id.startswith(incomplete):
                meta = identified(run)
                offers.append((run.id, f"{meta['kind'] or '?'}, {meta['status']}"))
    except Exception:  # (no runs folder, one that cannot be listed: nothing to offer)
        pass
    return offers


def overrides(incomplete: str) -> list[tuple[str, str]]:
    """Config keys as ``key=`` (what each means), or after ``key=`` the names it takes."""
    try:
        from nnlab.config_keys import reference_rows

        rows = [r for r in reference_rows() if not r["key"].startswith("sweep.")]
    except Exception:  # (a schema that cannot be read now: nothing to offer)
        return []
    if "=" in incomplete:
        key = incomplete.split("=", 1)[0]
        return [(f"{key}={value}", "") for value in key_values(rows, key)]
    offers: dict[str, str] = {}
    for row in rows:
        offers.setdefault(f"{row['key']}=", str(row["meaning"]))
    return list(offers.items())


def key_values(rows: list[dict[str, Any]], key: str) -> list[str]:
    """The values a key of names (or a bool) takes, as the config reference lists them."""
    values: list[str] = []
    for row in rows:
        if row["key"] != key:
            continue
        if row["type"] == "bool":
            values += ["true", "false"]
        elif row["type"] == "name":
            values += [v.strip() for v in str(row["allowed"]).split(",")]
    return list(dict.fromkeys(v for v in values if v and " " not in v))


def kinds(incomplete: str) -> list[str]:
    from nnlab.rundir import KINDS

    return list(KINDS)


def statuses(incomplete: str) -> list[str]:
    from nnlab.experiments.listing import LIST_STATUSES

    return list(LIST_STATUSES)
