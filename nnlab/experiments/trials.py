"""A sweep's or tune's trials as ``runs list`` and ``runs show`` count them: how many ended
of those planned, FAILED and DIVERGED (``trial_counts``), and those DAMAGED or MISSING since
(``trial_damage``), in the words each gives them."""

from __future__ import annotations

import collections
from typing import Any

from nnlab import runs
from nnlab.errors import RunError
from nnlab.kinds import whole
from nnlab.numbers import of_total
from nnlab.output import counted
from nnlab.summary import DIVERGED

TRIAL_COUNTS = ("trials_done", "trials_planned", "trials_failed", "trials_diverged")


def trial_counts(rows: list[dict[str, Any]], planned: int | runs.RunDir) -> dict[str, int]:
    """``TRIAL_COUNTS`` of a sweep's or tune's trial ``rows``: those ended (COMPLETED,
    DIVERGED or FAILED: ``runs.ENDED``) of those ``planned`` (a tune: its ``RunDir``: the
    trials its rounds' plans hold, and its tune.json's trials for each round not begun), and
    of them FAILED and DIVERGED. (A round plans its trials less the draws that repeat one,
    as any random sweep: rounds x trials made a COMPLETED tune of randint:16:17 read 5/10.)"""
    if isinstance(planned, runs.RunDir):
        settings = planned.read_json_object("tune.json").get("settings") or {}
        rounds, trials = settings.get("rounds"), settings.get("trials")
        begun = len({r.get("round") for r in rows})
        each = trials if whole(trials) else 0
        planned = len(rows) + (rounds - begun if whole(rounds) and rounds > begun else 0) * each
    statuses = collections.Counter(r.get("status") for r in rows)
    return {
        "trials_done": sum(statuses[s] for s in runs.ENDED),
        "trials_planned": max(planned, len(rows)),
        "trials_failed": statuses["FAILED"],
        "trials_diverged": statuses[DIVERGED],
    }


def trials_text(row: dict[str, Any]) -> str | None:
    """A sweep's or tune's trials ended of those planned (``trial_counts``), ``12/32``, as
    ``runs list``'s table gives them in its epochs_done column (``LEGENDS``; in words, ``32
    trials``, a typical folder's table was 121 columns); None for another kind."""
    done, planned = row.get("trials_done"), row.get("trials_planned")
    if done is None or planned is None:
        return None
    return of_total(done, planned)


def trial_outcomes(row: dict[str, Any]) -> str | None:
    """How many of a sweep's or tune's trials FAILED or DIVERGED (``trial_counts``), as the
    damage is counted (``trial_damage_row``): ``2 of 32 trials DIVERGED``, ``3 of 32 trials
    FAILED or DIVERGED: 1 FAILED, 2 DIVERGED``; None when none did (or another kind). A
    note under ``runs list``'s table (in a cell, a typical folder's table was 131 columns)."""
    counts = {s: row.get(f"trials_{s.lower()}") or 0 for s in ("FAILED", DIVERGED)}
    counts = {s: n for s, n in counts.items() if n}
    if not counts:
        return None
    said = " or ".join(counts)
    if len(counts) > 1:
        said += ": " + ", ".join(f"{n:,} {status}" for status, n in counts.items())
    total = counted(row.get("trials_planned") or 0, "trial")
    return f"{sum(counts.values()):,} of {total} {said}"


def trials_said(row: dict[str, Any]) -> str | None:
    """``runs show``'s line of a sweep's or tune's ``trial_counts``, after ``trials``: ``2 of
    3 ended (1 DIVERGED)``; None for another kind."""
    done, planned = row.get("trials_done"), row.get("trials_planned")
    if done is None or planned is None:
        return None
    outcomes = [f"{row[f'trials_{s.lower()}']:,} {s}" for s in ("FAILED", DIVERGED)
                if row.get(f"trials_{s.lower()}")]  # fmt: skip
    said = f"{done:,} of {planned:,} ended"
    return f"{said} ({', '.join(outcomes)})" if outcomes else said


def trial_damage(run: runs.RunDir, files: bool = False) -> tuple[int, list[dict[str, Any]]]:
    """(how many trials the sweeps in ``run`` planned, those DAMAGED or MISSING), over every
    sweep folder it holds (``runs.trial_sweeps``: itself if a sweep, a tune's rounds), each
    trial as ``sweep.unsound_trials`` gives it (``files``: every file checked, as ``runs
    show`` does; else meta.json and summary.json, and every file where one looks off:
    ``outline.looks_whole``). A trial of a round says its ``sweep``
    (the round's folder, relative to ``run``); a round folder that cannot be read is one
    DAMAGED entry with its ``sweep`` and ``reason`` and no ``trial``, and one tune.json
    records that is gone one MISSING entry (``runs.absent_round``)."""
    from nnlab import sweep

    try:
        held = runs.trial_sweeps(run)
    except RunError as exc:  # (rounds/ cannot be listed; tune.json cannot be read)
        return 0, [{"sweep": runs.ROUNDS, "status": runs.DAMAGED, "reason": str(exc)}]
    total, bad = 0, []
    for folder in held:
        rel = folder.path.relative_to(run.path).as_posix()
        where = {"sweep": rel} if rel != "." else {}
        if where and (gone := runs.absent_round(folder)) is not None:
            bad.append({**where, "status": runs.MISSING, "reason": gone})
            continue
        if where and "reason" in (info := runs.describe_folder(folder, files=True)):
            bad.append({**where, "status": info["status"], "reason": info["reason"]})
            continue
        n, trials = sweep.unsound_trials(folder, files=files)
        total += n
        bad += [{**where, **t} for t in trials]
    return total, bad


def trial_damage_row(run: runs.RunDir) -> dict[str, Any]:
    """What a listing adds to the row of a folder holding trials when some are DAMAGED or
    MISSING (its status stays what its meta.json says): a ``reason`` counting them, and
    ``bad_trials``, each one's ``trial``, ``status`` and ``reason`` (and a round's
    ``sweep``: ``trial_damage``)."""
    total, bad = trial_damage(run)
    if not bad:
        return {}
    trials = [b for b in bad if "trial" in b]
    counts = collections.Counter(t["status"] for t in trials)
    said = " or ".join(sorted(counts))
    if len(counts) > 1:
        said += ": " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    parts = [f"{len(trials)} of {counted(total, 'trial')} {said}"] if trials else []
    rounds = collections.Counter(b["status"] for b in bad if "trial" not in b)
    # (round folders that cannot be read, or are gone: their trials uncounted)
    parts += [f"{counted(n, 'round folder')} {status}" for status, n in sorted(rounds.items())]
    reason = f"{'; '.join(parts)} (runs show says which, and why)"
    return {"reason": reason, "bad_trials": bad}
