#!/usr/bin/env python3
"""Fig 8: network idle time per iteration of the 100B models on 16 p4d: without checkpoints (grey), and
GEMINI's checkpoint time (red, hatched) with the idle time left with GEMINI stacked on it (grey, hatched).

fig08.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig08.csv (gemini-sim figure 8), wide (a row per model:
idle_time_no_ckpt_s, gemini_ckpt_time_s, idle_time_with_gemini_s) or long (a row per simulated point:
model, scheme, network_idle_time_s, checkpoint_time_s, network_idle_time_with_ckpt_s). Empty cells (not
simulated) are left out. With the wide table's *_profiler / *_artifact columns (the artifact's profiler view:
its reader's kept minima, its computed checkpoint time and their difference), a second panel shows them the
same way (docs/engine.md §2). The paper's readings are the hollow markers: circles at the tops of its bars (the
no-checkpoint idle time; checkpoint time + idle time left), a diamond at its checkpoint time.
"""
import common
import pandas as pd

WIDTH = 0.38
DIAMOND = dict(common.PAPER_STYLE, marker="D", markersize=6)


def read(data):
    """fig08.csv -> a row per model: model, idle_no_ckpt_s, ckpt_s, idle_left_s (NaN where not simulated)."""
    rows = common.table(data / "fig08.csv", required=("model",))
    if "scheme" not in rows.columns:  # wide: one row per model
        return pd.DataFrame({"model": rows["model"], "idle_no_ckpt_s": rows.get("idle_time_no_ckpt_s"),
                             "ckpt_s": rows.get("gemini_ckpt_time_s"),
                             "idle_left_s": rows.get("idle_time_with_gemini_s"),
                             "prof_idle_s": rows.get("idle_time_no_ckpt_profiler_s"),
                             "prof_ckpt_s": rows.get("gemini_ckpt_time_artifact_s"),
                             "prof_left_s": rows.get("idle_time_with_gemini_profiler_s")})
    out = []
    for model in common.in_order(rows["model"]):
        idle = common.value(rows, "network_idle_time_s", model=model, scheme="none")
        if idle is None:  # a checkpointed point may carry its own profiled idle time
            idle = common.value(rows, "network_idle_time_no_ckpt_s", model=model, scheme="gemini")
        out.append({"model": model, "idle_no_ckpt_s": idle,
                    "ckpt_s": common.value(rows, "checkpoint_time_s", model=model, scheme="gemini"),
                    "idle_left_s": common.value(rows, "network_idle_time_with_ckpt_s", model=model, scheme="gemini")})
    return pd.DataFrame(out)


def label(ax, x, y, text):
    ax.annotate(text, (x, y), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=6.5)


data, out = common.args("fig08")
rows = read(data)
paper = common.paper("fig08")
models = list(rows["model"])

def panel(ax, rows, idle_col, ckpt_col, left_col, title):
    """One view: the idle bar, and GEMINI's checkpoint time with the idle left stacked on it."""
    for i, r in rows.iterrows():
        if pd.notna(r[idle_col]):
            ax.bar(i - WIDTH / 2, r[idle_col], WIDTH, color="#999999",
                   label="Net. idle time w/o ckpt" if i == 0 else "_nolegend_")
            label(ax, i - WIDTH / 2, r[idle_col], f"{r[idle_col]:.2f}")
        if pd.notna(r[ckpt_col]) and pd.notna(r[left_col]):
            left = max(0.0, r[left_col])
            ax.bar(i + WIDTH / 2, r[ckpt_col], WIDTH, color=common.COLORS["gemini"], hatch="//",
                   label="GEMINI ckpt time" if i == 0 else "_nolegend_")
            ax.bar(i + WIDTH / 2, left, WIDTH, bottom=r[ckpt_col], color="#999999", hatch="\\\\",
                   label="Net. idle time w. GEMINI" if i == 0 else "_nolegend_")
            text = f"{r[ckpt_col]:.2f}" + (f"+{left:.2f}" if left >= 0.005 else "")
            top = r[ckpt_col] + left
            if top > 1.0:  # inside the bar's top, clear of the paper's diamond just above it
                ax.annotate(text, (i + WIDTH / 2, top), xytext=(0, -2), textcoords="offset points", ha="center",
                            va="top", fontsize=6.5, color="white", fontweight="bold")
            else:
                label(ax, i + WIDTH / 2, top, text)
    for i, m in enumerate(models):
        idle = common.value(paper, "idle_time_no_ckpt_s", model=m)
        ckpt = common.value(paper, "gemini_ckpt_time_s", model=m)
        left = common.value(paper, "idle_time_with_gemini_s", model=m)
        if idle is not None:
            common.paper_legend_entry(ax, "paper: bar tops")
            ax.plot([i - WIDTH / 2], [idle], label="_nolegend_", **common.PAPER_STYLE)
        if ckpt is not None and left is not None:
            ax.plot([i + WIDTH / 2], [ckpt + left], label="_nolegend_", **common.PAPER_STYLE)
        if ckpt is not None:
            common.paper_legend_entry(ax, "paper: GEMINI ckpt time", **DIAMOND)
            ax.plot([i + WIDTH / 2], [ckpt], label="_nolegend_", **DIAMOND)
    ax.set_xticks(range(len(models)))
    ax.set_xticklabels(models)
    ax.set_ylabel("Time (s)")
    ax.set_ylim(0, max(15.0, ax.get_ylim()[1]))  # never cut a bar (the template view reaches 16 s)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7.5, loc="upper left", ncol=2)
    ax.set_title(title, fontsize=9)


views = [("idle_no_ckpt_s", "ckpt_s", "idle_left_s", "Physical idle spans (simulated), 16 x p4d.24xlarge")]
if "prof_idle_s" in rows.columns and rows["prof_idle_s"].notna().any():
    views.append(("prof_idle_s", "prof_ckpt_s", "prof_left_s", "The artifact's profiler view and formula"))
fig, axes = common.figure(width=5.5, height=3.8, ncols=len(views))
for ax, view in zip(axes if len(views) > 1 else [axes], views):
    panel(ax, rows, *view)
common.save(fig, out, "fig08")
