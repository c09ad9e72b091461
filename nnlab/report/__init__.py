"""A static HTML report of run folders that opens from disk: ``nnlab report``.

``build_report(refs, runs_dir, out)`` writes an index of every run, sweep and other folder
(sortable, filterable, with a compare view that overlays the curves of the runs ticked), a page per
run with its curves as SVG, figures, config and the command that reproduces it, and a page per
sweep with every trial's curves overlaid. ``refresh(runs_dir)`` rebuilds ``<runs_dir>/report``
(what ``--report`` calls, which every command that makes a folder takes; ``check_out`` checks
its folder first). No server, no network: plain files, one stylesheet and one script shipped
with nnlab.
"""

from nnlab.report.build import Damage, ReportResult, build_report, default_out, refresh
from nnlab.report.collect import check_out

__all__ = ["Damage", "ReportResult", "build_report", "check_out", "default_out", "refresh"]
