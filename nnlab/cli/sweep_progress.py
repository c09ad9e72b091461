"""A sweep's progress on stderr (``SweepProgress``), as ``nnlab sweep`` and ``tune`` show it
while they run (a trial's line: ``sweep.outcome.describe_row``)."""

import sys
from typing import Any

from nnlab import times
from nnlab.cli.common import Lines, note
from nnlab.output import counted


class SweepProgress:
    """The sweep's progress on stderr: a rich bar on a terminal, else a few lines of finished
    trials, as ``Lines`` logs every command's progress (and the last one). The bar is cleared
    once every trial has ended: the summary, its table and the folder line (its counts and
    time) take its place (it stayed, '2/2 1.9 s elapsed' above a folder line saying '2.5 s');
    a sweep that stops before (an error, an interrupt) leaves it where it stopped."""

    def __init__(
        self, quiet: bool = False, asked: int | None = None, notes: list[str] | None = None
    ) -> None:
        self.lines = Lines(quiet)
        self.bar: Any = None
        self.task: Any = None
        self.failed = 0
        self.axes: list[str] | None = None  # the swept keys, from the sweep's meta.json
        self.spec: Any = None  # its spec, from its sweep.yaml (a key a trial leaves out)
        self.asked = asked  # trials the definition asks for, repeats included (a new sweep)
        self.notes = notes or []  # (said once its trials are planned and checked)
        self.tally: times.Tally | None = None  # (its lines' count and times, from ``start``)

    def __enter__(self) -> "SweepProgress":
        return self

    def __exit__(self, kind: Any, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.live.transient = kind is None  # (stopped short: its count stays)
            self.bar.stop()
        self.lines.close()

    def start(self, run: Any, done: int, total: int) -> None:
        for line in self.notes:  # (a key only some trials take, ...: said even with -q)
            note(line)
        note_repeats(self.asked, total)  # (said even with -q: fewer trials)
        if self.lines.quiet:
            return
        axes = run.meta.get("axes")  # (a sweep started before nnlab recorded them: none)
        self.axes = axes if isinstance(axes, list) else None
        from nnlab.sweep import parse_spec

        plan = run.plan()
        self.spec = parse_spec(plan["spec"]) if plan else None
        note(f"sweep folder: {run.path}  ({counted(total, 'trial')}, {done} already done)")
        self.tally = times.Tally("trial", total, done)
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
            from rich.table import Column

            console = Console(stderr=True)  # (the bar as wide as leaves the rest one line)
            width = max(BAR_MIN, min(BAR_MAX, console.width - BAR_TEXT))
            self.bar = Progress(
                TextColumn("trial"),
                BarColumn(bar_width=width),
                MofNCompleteColumn(),
                _times_column(self.tally),
                TextColumn(
                    "{task.description}", table_column=Column(no_wrap=True, overflow="ellipsis")
                ),
                console=console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("", total=total, completed=done)

    def trial(self, done: int, total: int, row: dict[str, Any], ended: int | None = None) -> None:
        self.failed += row["status"] == "FAILED"
        if self.bar is not None:
            failed = f"  {self.failed} FAILED" if self.failed else ""
            last = f"last: {row['trial']} {row['status']}{failed}"
            self.bar.update(self.task, completed=done, description=last)
            if done >= total:  # (its refresh thread ends: the finish can draw in a forked painter)
                self.bar.stop()
                self.bar = None
        else:  # (a key the trial leaves out is not named: optimizer.momentum of sgd)
            from nnlab.sweep import table_rows
            from nnlab.sweep.outcome import describe_row

            shown = table_rows([row], self.spec)[0] if self.spec is not None else row
            if self.tally is None:  # (no start: a caller that plans nothing)
                self.tally = times.Tally("trial", total)
            self.lines(self.tally.line(done, describe_row(shown, self.axes), ended))


# The bar's width: what an 80-column terminal leaves beside its other columns, 'trial', '3/16',
# '12 s elapsed, ~48 s left' and 'last: f809f4f3 COMPLETED' (BAR_TEXT), within rich's 40; at
# 40 wide the times wrapped at 80 columns ('12 s elapsed,' over '~48 s left'), and the last
# trial's line with them
BAR_MIN, BAR_MAX, BAR_TEXT = 10, 40, 64


def _times_column(tally: times.Tally) -> Any:
    """The bar's times as every progress line writes them (``Tally.times``: ``12 s elapsed,
    ~48 s left``; rich's columns read 0:00:12 and -:--:--)."""
    from rich.progress import ProgressColumn
    from rich.table import Column
    from rich.text import Text

    class Times(ProgressColumn):
        def render(self, task: Any) -> Text:
            return Text(tally.times(int(task.completed)))

    return Times(
        table_column=Column(no_wrap=True)
    )  # (on one line: never '12 s elapsed,' / '~48 s')


def note_repeats(asked: int | None, total: int) -> None:
    """Say so when a sweep has fewer distinct trials (``total``) than its spec ``asked``."""
    from nnlab.sweep.spec import repeats_note

    if (line := repeats_note(asked, total)) is not None:
        note(line)
