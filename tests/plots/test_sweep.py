"""A general sweep's figure: few trials get a legend beside the axes, many trials a colour scale
of a swept value (or a legend of its values); diverged trials are marked."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.colors import LogNorm, to_rgba
from matplotlib.text import Text

from nnlab import plots
from nnlab.output import as_label
from nnlab.plots import sweep_roles
from nnlab.plots.sweep import line_cmap
from tests.plots import layout, records
from tests.plots.layout import legend_over_data, overlaps, render


def random_sweep(n: int = 50, diverge_above: float = 0.5):
    """``n`` trials with lr drawn log-uniformly in 1e-6..1; those above ``diverge_above``
    diverge at epoch 2."""
    rng = np.random.default_rng(0)
    rows, curves = [], {}
    for i, lr in enumerate(10 ** rng.uniform(-6, 0, n)):
        trial = f"t{i:02d}"
        gone = lr > diverge_above
        rows.append({"trial": trial, "optimizer.lr": float(lr),
                     "status": "DIVERGED" if gone else "COMPLETED"})  # fmt: skip
        curves[trial] = (
            records.diverging(at=2) if gone else records.learning(epochs=5, end=0.2 + 0.1 * -np.log10(lr))
        )  # fmt: skip
    return rows, curves


def test_many_trials_get_a_log_colour_scale_of_the_swept_value():
    rows, curves = random_sweep()
    fig = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"], title="sweep")
    ax, bar = fig.axes
    lrs = [r["optimizer.lr"] for r in rows]
    assert bar.get_ylabel() == "optimizer.lr (log scale)" and bar.get_yscale() == "log"
    assert bar.get_ylim() == pytest.approx((min(lrs), max(lrs)))
    # each completed trial's curve has its lr's colour on that scale
    norm, cmap = LogNorm(min(lrs), max(lrs)), line_cmap()
    colours = {to_rgba(ln.get_color()) for ln in ax.get_lines() if ln.get_linestyle() == "-"}
    expected = {to_rgba(cmap(norm(r["optimizer.lr"]))) for r in rows if r["status"] == "COMPLETED"}
    assert expected <= colours
    assert "50 trials, colour: optimizer.lr" in said(ax)


def said(ax):
    """``ax``'s title as one line (``fitted_title`` breaks it to the axes' width)."""
    return " ".join(ax.get_title().split())


def test_the_colour_scale_of_many_lines_leaves_out_viridis_pale_yellow_end():
    # (the trials of the largest rates were thin yellow lines on white, hard to see)
    rows, curves = random_sweep(diverge_above=2)
    ax = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"]).axes[0]
    lightest = max(sum(to_rgba(ln.get_color())[:3]) for ln in ax.get_lines())
    assert lightest < sum(colormaps["viridis"](0.9)[:3])


def test_many_trials_mark_the_diverged_ones_and_keep_legends_off_the_data():
    rows, curves = random_sweep()
    fig = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"])
    ax = fig.axes[0]
    n = sum(r["status"] == "DIVERGED" for r in rows)
    assert n > 0
    crosses = [ln for ln in ax.get_lines() if ln.get_marker() == "x"]
    assert len(crosses) == n and all(c.get_xdata()[0] == 2 for c in crosses)
    assert any(f"diverged ({n} trials)" == t.get_text() for t in ax.get_legend().get_texts())
    assert legend_over_data(fig) == []
    render(fig)
    legend = ax.get_legend().get_window_extent()
    assert not overlaps(legend, ax.xaxis.label.get_window_extent())
    assert not overlaps(legend, fig.axes[1].get_window_extent())


@pytest.mark.slow
def test_many_trials_of_a_categorical_key_get_a_legend_of_its_values():
    rows, curves = [], {}
    for i in range(16):
        trial = f"t{i}"
        rows.append({"trial": trial, "model.activation": ["relu", "tanh"][i % 2], "seed": i})
        curves[trial] = records.learning(epochs=5)
    fig = plots.sweep_curves_figure(rows, curves, ["model.activation"])
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["model.activation=relu", "model.activation=tanh"]  # (no quotes)
    assert legend_over_data(fig) == []


def test_legends_show_values_as_the_config_spells_them_floats_as_the_table_does():
    # (a random sweep's legend read optimizer.lr=0.00011193051234, a flag True)
    rows = [{"trial": f"t{i}", "optimizer.lr": lr, "model.batchnorm": bn, "seed": i}
            for i, (lr, bn) in enumerate([(0.00011193051234, True), (0.05, False)])]  # fmt: skip
    curves = {r["trial"]: records.learning(epochs=5) for r in rows}
    fig = plots.sweep_curves_figure(rows, curves, ["optimizer.lr", "model.batchnorm"])
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == [
        "optimizer.lr=0.000111931, model.batchnorm=true",
        "optimizer.lr=0.05, model.batchnorm=false",
    ]


def test_few_trials_get_one_legend_entry_each_beside_the_axes():
    rows, curves = random_sweep(8, diverge_above=2.0)
    fig = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"])
    assert len(fig.axes) == 1  # no colour bar
    assert len(fig.axes[0].get_legend().get_texts()) == 8
    assert legend_over_data(fig) == []


def grid_sweep(values: dict[str, list], epochs: int = 3):
    """A grid sweep: one trial per combination of ``values``, each learning for ``epochs``."""
    import itertools

    rows, curves = [], {}
    for i, combo in enumerate(itertools.product(*values.values())):
        trial = f"t{i:02d}"
        rows.append({"trial": trial, **dict(zip(values, combo)), "status": "COMPLETED"})
        curves[trial] = records.learning(epochs=epochs, end=0.5 + 0.03 * i)
    return rows, curves


GRID = {"model.activation": ["relu", "tanh", "sigmoid"], "optimizer.name": ["sgd", "adam"],
        "model.init": ["he", "xavier"]}  # fmt: skip


def test_more_than_ten_labelled_trials_each_get_their_own_colour_and_style():
    rows, curves = grid_sweep(GRID)
    fig = plots.sweep_curves_figure(rows, curves, list(GRID))
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert len(lines) == 12
    # (the 11th was the 1st's; the palette's five colours solid, then dashed, then dotted)
    assert len({(to_rgba(ln.get_color()), ln.get_linestyle()) for ln in lines}) == 12
    handles = ax.get_legend().legend_handles
    assert len({(to_rgba(h.get_color()), h.get_linestyle()) for h in handles}) == 12
    assert legend_over_data(fig) == []


def test_short_runs_get_whole_epoch_ticks():
    rows, curves = grid_sweep({"optimizer.name": ["sgd", "adam"]}, epochs=3)
    ax = plots.sweep_curves_figure(rows, curves, ["optimizer.name"]).axes[0]
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
    assert ticks == [0, 1, 2, 3]


def test_legend_entries_name_whole_keys_and_values_without_quotes():
    rows, curves = grid_sweep(GRID)
    fig = plots.sweep_curves_figure(rows, curves, list(GRID))
    legend = fig.axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    # (three keys' key=value entries are wider than the axes: the keys once, as its title)
    assert legend.get_title().get_text() == "model.activation, optimizer.name, model.init"
    assert labels[0] == "relu, sgd, he"


def test_many_trials_of_a_categorical_key_with_more_than_ten_values_look_distinct():
    rows, curves = [], {}
    for i in range(24):
        trial = f"t{i}"
        rows.append({"trial": trial, "data.name": f"set{i % 12}", "seed": i})
        curves[trial] = records.learning(epochs=5)
    ax = plots.sweep_curves_figure(rows, curves, ["data.name"]).axes[0]
    handles = ax.get_legend().legend_handles
    looks = {(to_rgba(h.get_color()), h.get_linestyle()) for h in handles}
    assert len(looks) == 12  # (set10 was set0's)
    lines = {(to_rgba(ln.get_color()), ln.get_linestyle()) for ln in ax.get_lines()}
    assert lines == looks  # (each value's lines in its legend entry's colour and style)
    assert [h.get_label() for h in handles] == [f"data.name=set{i}" for i in range(12)]


def test_sweep_curves_file_is_written(tmp_path):
    rows, curves = random_sweep()
    figure = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"])
    assert plots.save(figure, tmp_path / "c.png").stat().st_size


def test_a_grid_of_two_axes_colours_by_the_first_and_dashes_by_the_second():
    grid = {"optimizer.lr": [0.3, 0.1, 0.03], "model.batchnorm": [True, False]}
    rows, curves = grid_sweep(grid)
    ax = plots.sweep_curves_figure(rows, curves, list(grid)).axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}
    assert len(lines) == 6
    for lr in grid["optimizer.lr"]:  # one colour per rate, solid with BN and dashed without
        on, off = lines[f"optimizer.lr={lr}, model.batchnorm=true"], lines[
            f"optimizer.lr={lr}, model.batchnorm=false"]  # fmt: skip
        assert to_rgba(on.get_color()) == to_rgba(off.get_color())
        assert (on.get_linestyle(), off.get_linestyle()) == ("-", "--")
    assert len({to_rgba(ln.get_color()) for ln in lines.values()}) == 3
    handles = ax.get_legend().legend_handles  # (each trial still its own entry: colour + style)
    assert len({(to_rgba(h.get_color()), h.get_linestyle()) for h in handles}) == 6
    assert ax.get_ylabel() == "test accuracy"


def test_a_swept_value_spanning_600_decades_gets_a_colour_scale_that_draws():
    # (a sweep of optimizer.lr=logspace:-300:300:13, valid values, FAILED drawing curves.png:
    # matplotlib's log locator overflowed past ~308 decades)
    rows, curves = random_sweep(13)
    for row, lr in zip(rows, np.logspace(-300, 300, 13)):
        row["optimizer.lr"] = float(lr)
    fig = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"])
    render(fig)
    ticks = fig.axes[1].get_yticks()
    assert len(ticks) == 7 and ticks[0] == 1e-300 and ticks[-1] == 1e300


def test_the_title_says_how_many_of_the_trials_are_drawn():
    # (an interrupted sweep: its title said "6 trials" over the one curve there was)
    grid = {"optimizer.lr": [0.3, 0.1, 0.03], "model.batchnorm": [True, False]}
    rows, curves = grid_sweep(grid)
    for row in rows[1:]:
        curves[row["trial"]] = []
        row["status"] = "FAILED" if row["trial"] == "t05" else "PENDING"
    ax = plots.sweep_curves_figure(rows, curves, list(grid)).axes[0]
    # (it said 'the rest have no records' of trials that FAILED too)
    said = " ".join(ax.get_title().split())
    assert "1 of 6 trials drawn (no records: 4 PENDING, 1 FAILED)" in said
    full = plots.sweep_curves_figure(*grid_sweep(grid), list(grid)).axes[0]
    # (and what it draws: the title said only "6 trials", the y label what of them)
    assert full.get_title() == f"{full.get_ylabel()} per epoch, 6 trials"
    assert full.get_ylabel().endswith(" accuracy")


def test_a_trial_that_diverged_in_its_first_epoch_shows_its_one_point():
    # (a line of one point is not drawn: only its dotted stub to the cross said it was there)
    rows = [{"trial": "a", "model.init_std": 1.0, "status": "DIVERGED"},
            {"trial": "b", "model.init_std": 0.05, "status": "COMPLETED"}]  # fmt: skip
    curves = {"a": records.diverging(at=1), "b": records.learning(epochs=3)}
    ax = plots.sweep_curves_figure(rows, curves, ["model.init_std"]).axes[0]
    (dot,) = [ln for ln in ax.get_lines() if ln.get_marker() == "."]
    (line,) = [ln for ln in ax.get_lines() if ln.get_label() == "model.init_std=1"]
    assert list(dot.get_xdata()) == [0] and dot.get_color() == line.get_color()


def test_a_random_sweeps_legend_lists_lists_element_by_element_and_strings_as_listed():
    # (model.hidden's values were in the order drawn: [100], [25, 25], [50], ...; a choice of
    # words too)
    drawn = [[100], [25, 25], [50], [25], [100, 50], [25, 25]]
    acts = ["tanh", "relu", "tanh", "relu", "sigmoid", "relu"]
    rows = [{"trial": f"t{i}", "model.hidden": h, "model.activation": a, "status": "COMPLETED"}
            for i, (h, a) in enumerate(zip(drawn, acts))]  # fmt: skip
    curves = {r["trial"]: records.learning(epochs=3) for r in rows}
    ax = plots.sweep_curves_figure(rows, curves, ["model.hidden"]).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [f"model.hidden={h}" for h in
                      ("[25]", "[25, 25]", "[25, 25]", "[50]", "[100]", "[100, 50]")]  # fmt: skip
    listed = {"model.activation": ["relu", "sigmoid", "tanh"]}  # (its choice:, as written)
    fig = plots.sweep_curves_figure(rows, curves, ["model.activation"], listed=listed)
    shown = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert shown == [f"model.activation={a}" for a in sorted(acts)]


def test_a_random_sweeps_legend_lists_its_trials_by_value_and_a_grids_keeps_its_order():
    # (a tune round's legend read lr 0.0112, 0.634, 0.000377, ...: the order drawn)
    lrs = [0.0112, 0.634, 0.000377, 0.623, 0.00177]
    rows = [{"trial": f"t{i}", "optimizer.lr": lr, "model.activation": act, "status": "COMPLETED"}
            for i, (lr, act) in enumerate(zip(lrs, ["tanh", "relu", "tanh", "relu", "tanh"]))]  # fmt: skip
    curves = {r["trial"]: records.learning(epochs=3) for r in rows}
    ax = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"]).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [f"optimizer.lr={lr:.3g}" for lr in sorted(lrs)]
    ax = plots.sweep_curves_figure(rows, curves, ["model.activation"]).axes[0]
    shown = [t.get_text() for t in ax.get_legend().get_texts()]
    assert shown == ["model.activation=tanh"] * 3 + ["model.activation=relu"] * 2


def test_many_trials_of_a_categorical_key_are_drawn_round_robin_so_none_hides_the_rest():
    # (128 trials of four activations, a grid with the activation first: drawn value by value,
    # the last activation's 32 lines lay over all the others'; the colours stay the values')
    acts = ["relu", "tanh", "sigmoid", "elu"]
    rows, curves = [], {}
    for i in range(128):
        trial = f"t{i:03d}"
        rows.append({"trial": trial, "model.activation": acts[i // 32], "name": f"n{i % 32}"})
        curves[trial] = records.learning(epochs=3)
    fig = plots.sweep_curves_figure(rows, curves, ["model.activation", "name"])
    ax = fig.axes[0]
    colours = {a: to_rgba(c) for a, c in zip(acts, plots.base.distinct_colours(4))}
    drawn = [to_rgba(line.get_color()) for line in ax.get_lines() if line.get_marker() != "x"]
    assert len(drawn) == 128
    assert drawn[:8] == [colours[a] for a in acts] * 2  # (one of each value, in turn)
    assert drawn[-4:] == [colours[a] for a in acts]  # (the top lines: one of each)
    assert sorted(drawn) == sorted(colours[r["model.activation"]] for r in rows)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [f"model.activation={a}" for a in acts]


def test_a_pair_grid_of_more_first_values_than_colours_gives_each_trial_its_own_look():
    """Six rates by two optimizers: colour by rate would give the sixth rate the first's
    colour (the palette has five), in the same two line styles: one look per trial instead."""
    rows, curves = grid_sweep({"optimizer.lr": [1, 0.3, 0.1, 0.03, 0.01, 0.003],
                               "optimizer.name": ["sgd", "adam"]})  # fmt: skip
    ax = plots.sweep_curves_figure(rows, curves, ["optimizer.lr", "optimizer.name"]).axes[0]
    lines = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert len({(to_rgba(ln.get_color()), ln.get_linestyle()) for ln in lines}) == 12


def test_many_trials_of_a_grid_over_lists_are_drawn():
    # (a 72-trial grid over model.batchnorm, model.init, optimizer.name and model.hidden
    # ended FAILED after every trial completed: 'unhashable type: list' as the colour key
    # was chosen, the hidden lists put into a set)
    hidden = [[50, 50], [100, 100], [50, 50, 50, 50, 50], [100, 100, 100, 100, 100]]
    rows, curves = grid_sweep({"model.batchnorm": [False, True], "model.init": ["he", "std"],
                               "model.hidden": hidden})  # fmt: skip
    fig = plots.sweep_curves_figure(rows, curves, ["model.batchnorm", "model.init", "model.hidden"])
    (legend,) = fig.legends  # (below the panels: one per model.init)
    labels = [t.get_text() for t in legend.get_texts() if t.get_text().strip()]
    assert labels == ["model.batchnorm=false", "model.batchnorm=true"] + [
        f"model.hidden={h}".replace(" ", "").replace(",", ", ") for h in sorted(hidden)
    ]  # (lists element by element, as numbers ascending: [50, 50] < [50, 50, 50, 50, 50])
    assert [ax.get_title() for ax in fig.axes] == ["model.init=he", "model.init=std"]
    assert "16 trials, colour: model.batchnorm" in " ".join(fig._suptitle.get_text().split())


# ---- many trials: every swept key shown, by colour, panels or line style ---------------------

GRID72 = {"optimizer.name": ["sgd", "momentum", "adam"], "model.init": ["he", "xavier", "std", "zeros"],
          "optimizer.lr": [0.3, 0.1, 0.03, 0.01, 0.003, 0.001]}  # fmt: skip


def texts(fig):
    """Every text of ``fig`` that says what a look means: its legends' entries, its panels'
    titles, its colour bars' labels, and its title (the axes' or the figure's), in one line."""
    found = [t.get_text() for legend in layout.legends(fig) for t in legend.get_texts()]
    found += [ax.get_title() for ax in fig.axes] + [ax.get_ylabel() for ax in fig.axes[1:]]
    found += [fig._suptitle.get_text()] if fig._suptitle is not None else []
    return [" ".join(t.split()) for t in found if t.strip()]


def shown_by_look(fig, key):
    """Whether ``fig`` tells ``key``'s values apart by a look: a legend entry or a panel title
    ``key=value``, or a colour bar labelled ``key``."""
    return any(t.startswith(f"{key}=") or t.startswith(f"{key} (log") or t == key
               for t in texts(fig))  # fmt: skip


def test_a_72_trial_grid_of_three_keys_shows_each_key_with_a_legend_of_their_values():
    # (a legend entry per trial would be 72 lines; colouring by the rate alone hid the
    # optimizers and the inits)
    rows, curves = grid_sweep(GRID72)
    fig = plots.sweep_curves_figure(rows, curves, list(GRID72), "sweep")
    entries = [
        t for legend in layout.legends(fig) for t in legend.get_texts() if t.get_text().strip()
    ]
    assert len(entries) <= 12
    assert all(shown_by_look(fig, key) for key in GRID72), texts(fig)
    assert legend_over_data(fig) == []


def test_every_line_of_a_panel_has_the_look_its_legend_gives_its_values():
    rows, curves = grid_sweep(GRID72)
    roles = sweep_roles.choose_roles(rows, plots.sweep.final_accuracies(rows, curves, "test_acc"),
                                     list(GRID72))  # fmt: skip
    assert {roles.colour, roles.panels, roles.style} == set(GRID72) and not roles.hidden
    fig = plots.sweep_curves_figure(rows, curves, list(GRID72))
    looks = {t.get_text(): h for legend in layout.legends(fig)
             for t, h in zip(legend.get_texts(), legend.legend_handles)}  # fmt: skip
    for ax in fig.axes:
        if not ax.get_title().startswith(f"{roles.panels}="):
            continue
        value = ax.get_title().split("=", 1)[1]
        mine = [r for r in rows if as_label(roles.panels, r[roles.panels]).endswith(f"={value}")]
        lines = [ln for ln in ax.get_lines() if ln.get_marker() not in ("x", ".", "s", "D")]
        assert len(lines) == len(mine)
        for line in lines:
            assert any(to_rgba(line.get_color())[:3] == to_rgba(h.get_color())[:3]
                       for k, h in looks.items() if k.startswith(f"{roles.colour}=")) or roles.how == "scale"  # fmt: skip
            assert any(line.get_linestyle() == h.get_linestyle()
                       for k, h in looks.items() if k.startswith(f"{roles.style}="))  # fmt: skip


def test_many_trials_are_coloured_by_the_key_that_explains_most_of_the_final_accuracy():
    rows, curves = grid_sweep({"optimizer.name": ["sgd", "adam"], "model.init": ["he", "std"],
                               "model.activation": ["relu", "tanh", "elu", "gelu"]})  # fmt: skip
    for row in rows:  # (the init alone decides how far a trial learns)
        curves[row["trial"]] = records.learning(
            epochs=3, end=0.9 if row["model.init"] == "he" else 0.3
        )
    fig = plots.sweep_curves_figure(
        rows, curves, ["optimizer.name", "model.init", "model.activation"]
    )
    title = " ".join(fig._suptitle.get_text().split())
    assert "colour: model.init (100% of final test accuracy's variance)" in title
    assert all(shown_by_look(fig, k) for k in ("optimizer.name", "model.init", "model.activation"))


def test_colour_by_picks_the_key_the_colours_show():
    rows, curves = grid_sweep(GRID72)
    fig = plots.sweep_curves_figure(rows, curves, list(GRID72), colour_by="optimizer.name")
    colours = [t for t in texts(fig) if t.startswith("optimizer.name=")]
    assert colours == ["optimizer.name=sgd", "optimizer.name=momentum", "optimizer.name=adam"]
    (legend,) = layout.legends(fig)
    handles = {t.get_text(): h for t, h in zip(legend.get_texts(), legend.legend_handles)}
    assert len({to_rgba(handles[c].get_color()) for c in colours}) == 3
    assert all(shown_by_look(fig, key) for key in GRID72)
    # (a few trials too: coloured by that key, not one look each)
    few_rows, few_curves = grid_sweep({"optimizer.lr": [0.1, 0.01], "model.init": ["he", "std"]})
    ax = plots.sweep_curves_figure(few_rows, few_curves, ["optimizer.lr", "model.init"],
                                   colour_by="model.init").axes[0]  # fmt: skip
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["model.init=he", "model.init=std"]


def test_a_numeric_key_of_a_few_values_colours_the_trials_a_colour_each_in_value_order():
    # (batch sizes 100, 25, 50 drawn by a random sweep were a colour scale of 25..100: 25 and 50
    # two purples hardly told apart; a legend of three colours, smallest first, tells them)
    rows, curves = grid_sweep(
        {"batch_size": [100, 25, 50], "optimizer.lr": [0.1, 0.2, 0.3, 0.4, 0.5]}
    )
    fig = plots.sweep_curves_figure(rows, curves, ["batch_size", "optimizer.lr"],
                                    colour_by="batch_size")  # fmt: skip
    assert not [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    (legend,) = layout.legends(fig)
    handles = {t.get_text(): h for t, h in zip(legend.get_texts(), legend.legend_handles)}
    sizes = [t for t in handles if t.startswith("batch_size=")]
    assert sizes == ["batch_size=25", "batch_size=50", "batch_size=100"]
    assert len({to_rgba(handles[t].get_color()) for t in sizes}) == 3
    assert sweep_roles.colourable(random_sweep(40)[0], "optimizer.lr") == "scale"  # (many)


def test_colour_by_a_key_the_sweep_does_not_vary_is_refused_naming_the_swept_ones():
    rows, curves = grid_sweep(GRID72)
    with pytest.raises(ValueError, match="'model.dropout' is not a swept key; the sweep varies "
                       "optimizer.name, model.init, optimizer.lr"):  # fmt: skip
        plots.sweep_curves_figure(rows, curves, list(GRID72), colour_by="model.dropout")


def test_a_random_sweep_names_in_its_title_what_the_colour_is_and_what_else_varied():
    # (its colours were the first numeric key's, weight_decay and the rest not named at all)
    rows, curves = random_sweep(40, diverge_above=2)
    rng = np.random.default_rng(1)
    for row in rows:
        row["weight_decay"] = float(10 ** rng.uniform(-6, -1))
        row["model.dropout"] = float(rng.uniform(0, 0.5))
    keys = ["weight_decay", "model.dropout", "optimizer.lr"]
    fig = plots.sweep_curves_figure(rows, curves, keys)
    title = said(fig.axes[0])
    # (the curves' ends follow lr: its quartiles explain nearly all of their variance)
    assert "colour: optimizer.lr (" in title and fig.axes[1].get_ylabel().startswith("optimizer.lr")
    also = title.split("also varied: ")[1]  # (the more important first)
    assert sorted(also.split(", ")) == ["model.dropout", "weight_decay"]


def test_share_is_the_part_of_the_variance_between_a_keys_values():
    rows = [{"a": a, "b": b} for a in ("x", "y") for b in (1, 2)]
    finals = [0.2, 0.2, 0.8, 0.8]  # (a decides, b not at all)
    assert sweep_roles.share(rows, finals, "a") == pytest.approx(1.0)
    assert sweep_roles.share(rows, finals, "b") == pytest.approx(0.0)
    assert sweep_roles.share(rows, [0.5] * 4, "a") is None  # (no variance to explain)
    assert sweep_roles.share(rows, [0.5, float("nan"), float("nan"), float("nan")], "a") is None
    many = [{"lr": float(i)} for i in range(40)]  # (a random sweep's: quartiles of its values)
    assert sweep_roles.groups(many, "lr") == [str(i // 10) for i in range(40)]


def test_figures_of_many_trials_write_every_text_at_10_points_or_more():
    # (the legend was 7 points: 7.7 px where the report shows the figure at a phone's width)
    for fig in (plots.sweep_curves_figure(*random_sweep(), ["optimizer.lr"], "sweep"),
                plots.sweep_curves_figure(*grid_sweep(GRID72), list(GRID72), "sweep"),
                plots.sweep_curves_figure(*random_sweep(8), ["optimizer.lr"], "sweep")):  # fmt: skip
        sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip()]
        assert min(sizes) >= 10


def test_a_key_a_trial_has_not_is_not_named_null_in_its_legend():
    # (an sgd trial of a sweep over optimizers read optimizer.momentum=null; its row, as the
    # sweep's tables give it, has no such key: sweep.table_rows)
    few = [{"trial": "a", "optimizer.name": "sgd"},
           {"trial": "b", "optimizer.name": "momentum", "optimizer.momentum": 0.9}]  # fmt: skip
    keys = ["optimizer.name", "optimizer.momentum"]
    fig = plots.sweep_curves_figure(
        few, {r["trial"]: records.learning(epochs=3) for r in few}, keys
    )
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["optimizer.name=sgd", "optimizer.name=momentum, optimizer.momentum=0.9"]
    rows, curves = grid_sweep({"optimizer.name": ["sgd", "momentum"], "seed": list(range(7))})
    for row in rows:
        if row["optimizer.name"] == "momentum":
            row["optimizer.momentum"] = 0.9
    fig = plots.sweep_curves_figure(rows, curves, [*keys, "seed"], colour_by="optimizer.name")
    texts = [ax.get_title() for ax in fig.axes]  # (momentum: a panel per value)
    texts += [
        t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()
    ]
    assert "optimizer.momentum=-" in texts and not any("null" in t for t in texts), texts


def test_a_diverged_trials_stub_keeps_its_line_style_so_it_is_told_from_the_other_trials():
    # (every stub was dotted: two diverged trials of one colour, solid and dashed, drew alike,
    # and alike a dotted trial's line; without colour, in grey print, nothing told them apart)
    rows = [{"trial": f"t{lr}{bn}", "optimizer.lr": lr, "model.batchnorm": bn,
             "status": "DIVERGED" if lr == 3.0 else "COMPLETED"}
            for lr in (3.0, 0.1) for bn in (True, False)]  # fmt: skip
    curves = {r["trial"]: records.diverging(at=1 if r["model.batchnorm"] else 3)
              if r["status"] == "DIVERGED" else records.learning(epochs=3) for r in rows}  # fmt: skip
    ax = plots.sweep_curves_figure(rows, curves, ["optimizer.lr", "model.batchnorm"]).axes[0]
    labelled = {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}
    for bn, epoch in (("true", 1), ("false", 3)):  # (diverged at 1: one point; at 3: a curve)
        line = labelled[f"optimizer.lr=3, model.batchnorm={bn}"]
        (stub,) = [ln for ln in ax.get_lines() if ln.get_label().startswith("_")
                   and list(ln.get_xdata()) == [epoch - 1, epoch]]  # fmt: skip
        assert (stub.get_linestyle(), stub.get_color()) == (line.get_linestyle(), line.get_color())
    assert {labelled[f"optimizer.lr=3, model.batchnorm={bn}"].get_linestyle()
            for bn in ("true", "false")} == {"-", "--"}  # fmt: skip


def test_a_later_keys_legend_and_panels_are_in_its_own_value_order():
    # (its values came as the first key's trials had them: model.hidden [25, 25, 25], [50],
    # [100], [50, 50] beside a colour bar of optimizer.lr)
    hidden = [[100], [50, 50], [25, 25, 25], [50]]
    rows, curves = [], {}
    for i in range(24):
        trial = f"t{i:02d}"
        rows.append({"trial": trial, "optimizer.lr": 10 ** (-3 + i / 8), "model.hidden":
                     hidden[(i * 3) % 4], "model.batchnorm": [False, True][i % 2],
                     "status": "COMPLETED"})  # fmt: skip
        curves[trial] = records.learning(epochs=3, end=0.2 + 0.03 * i)
    fig = plots.sweep_curves_figure(
        rows, curves, ["optimizer.lr", "model.hidden", "model.batchnorm"]
    )
    said = [ax.get_title() for ax in fig.axes] + [t.get_text() for lg in fig.legends
                                                  for t in lg.get_texts()]  # fmt: skip
    shown = [t for t in said if t.startswith("model.hidden=")]
    assert shown == [f"model.hidden={h}" for h in ("[25, 25, 25]", "[50]", "[50, 50]", "[100]")]
    flags = [t for t in said if t.startswith("model.batchnorm=")]
    assert flags == ["model.batchnorm=false", "model.batchnorm=true"]  # (as first drawn)
