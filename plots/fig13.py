#!/usr/bin/env python3
"""Fig 13: generality on 16 p3dn: (a) iteration time without checkpoints and with GEMINI, (b) network idle
time without checkpoints and GEMINI's checkpoint time, for GPT-2 10B/20B/40B, RoBERTa 40B and BERT 40B.

fig13.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig13.csv (gemini-sim figure 13): a row per model and scheme
with iteration_time_s and, by name, the idle time without checkpoint (idle_time_no_ckpt_s or
network_idle_time_no_ckpt_s) and GEMINI's checkpoint time (gemini_ckpt_time_s or checkpoint_time_s). The
paper gives no numbers for this figure (shared/gemini-paper.md: a generality check), so there are no paper
markers.
"""
import common
import pandas as pd

WIDTH = 0.38


def read(data):
    """fig13.csv -> a row per model: model, none_s, gemini_s (iteration times), idle_s, ckpt_s."""
    rows = common.table(data / "fig13.csv", required=("model", "scheme", "iteration_time_s"))
    idle_col = next((c for c in ("idle_time_no_ckpt_s", "network_idle_time_no_ckpt_s") if c in rows.columns), None)
    ckpt_col = next((c for c in ("gemini_ckpt_time_s", "checkpoint_time_s") if c in rows.columns), None)
    out = []
    for m in common.in_order(rows["model"]):
        idle = common.value(rows, idle_col, model=m, scheme="none") if idle_col else None
        if idle is None and idle_col:
            idle = common.value(rows, idle_col, model=m, scheme="gemini")
        out.append({"model": m, "none_s": common.value(rows, "iteration_time_s", model=m, scheme="none"),
                    "gemini_s": common.value(rows, "iteration_time_s", model=m, scheme="gemini"), "idle_s": idle,
                    "ckpt_s": common.value(rows, ckpt_col, model=m, scheme="gemini") if ckpt_col else None})
    return pd.DataFrame(out)


def bars(ax, xs, ys, **style):
    keep = [(x, y) for x, y in zip(xs, ys) if pd.notna(y)]
    ax.bar([x for x, _ in keep], [y for _, y in keep], WIDTH, **style)
    for x, y in keep:
        ax.annotate(f"{y:.3g}", (x, y), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=6)


data, out = common.args("fig13")
rows = read(data)
models = list(rows["model"])
left = [i - WIDTH / 2 for i in range(len(models))]
right = [i + WIDTH / 2 for i in range(len(models))]

fig, (a, b) = common.figure(ncols=2, width=5.2, height=3.8)
bars(a, left, rows["none_s"], color=common.COLORS["none"], label="No checkpoint (simulated)")
bars(a, right, rows["gemini_s"], color=common.COLORS["gemini"], label="GEMINI (simulated)")
bars(b, left, rows["idle_s"], color="#999999", label="Net. idle time w/o ckpt")
bars(b, right, rows["ckpt_s"], color=common.COLORS["gemini"], hatch="//", label="GEMINI ckpt time")
for ax, ylabel, title in [(a, "Iteration time (s)", "(a) iteration time"), (b, "Time (s)", "(b) network idle time")]:
    ax.set_xticks(range(len(models)))
    ax.set_xticklabels(models, rotation=20, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, ax.get_ylim()[1] * 1.15)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(title + ", 16 x p3dn.24xlarge (simulated)", fontsize=9)
common.save(fig, out, "fig13")
