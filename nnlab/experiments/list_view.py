"""``nnlab runs list`` as the command prints it, over the rows ``listing.list_runs`` reads: what
was asked said as the title ('the last 5 FAILED train folders in runs where model.init=he'),
a note for each folder that went as the listing read it, the line that says none was found,
and the rows each format prints (a sweep's ``bad_trials``, one by one, in JSON alone: its
reason counts them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnlab.experiments.listing import list_runs, list_title
from nnlab.output import Format


@dataclass
class ListView:
    """The folders a ``runs list`` found (``rows``), titled as asked (``title``), with the notes
    it has before its table (``notes``)."""

    rows: list[dict[str, Any]]
    title: str
    notes: list[str] = field(default_factory=list)
    asked: tuple[Path, str | None, str | None, str] = (Path("runs"), None, None, "")

    def none_line(self) -> str:
        """What a table says for no folder: 'no FAILED train folders under runs', and where
        the runs folder given is a run's own folder, the one to give."""
        from nnlab.runfolders import itself_a_run

        runs_dir, kind, status, kept = self.asked
        none = list_title(runs_dir, kind, status, None).replace(" in ", " under ")
        return f"no {none}{kept}{itself_a_run(runs_dir)}"

    def shown(self, fmt: Format) -> list[dict[str, Any]]:
        """The rows as ``fmt`` prints them: a sweep's bad trials in JSON alone (elsewhere its
        reason counts them)."""
        if fmt == Format.json:
            return self.rows
        return [{k: v for k, v in r.items() if k != "bad_trials"} for r in self.rows]


def list_view(
    runs_dir: Path,
    kind: str | None = None,
    status: str | None = None,
    last: int | None = None,
    where: Sequence[str] = (),
) -> ListView:
    """The folders of ``runs_dir`` ``runs list`` lists (``listing.list_runs``: of ``kind``,
    ``status``, the ``last`` N, those ``where`` holds), titled as asked; a folder removed or
    renamed as the listing read it is left out and named in a note (not listed DAMAGED: its
    files went as it was read)."""
    vanished: list[Path] = []
    rows = list_runs(runs_dir, kind, status, last, vanished, where)
    notes = [
        f"note: {gone}: removed or renamed as the listing read it (left out)" for gone in vanished
    ]
    kept = f" where {' and '.join(where)}" if where else ""
    title = list_title(runs_dir, kind, status, last, len(rows)) + kept
    return ListView(rows, title, notes, (runs_dir, kind, status, kept))
