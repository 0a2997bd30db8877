#!/usr/bin/env python3
"""Fig 8: network idle time per iteration of the 100B models on 16 p4d: without checkpoints (grey), and
GEMINI's checkpoint time (red, hatched) with the idle time left with GEMINI stacked on it (grey, hatched).

fig08.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig08.csv (gemini-sim figure 8), wide (a row per model:
idle_time_no_ckpt_s, gemini_ckpt_time_s, idle_time_with_gemini_s) or long (a row per simulated point:
model, scheme, network_idle_time_s, checkpoint_time_s, network_idle_time_with_ckpt_s). Empty cells (not
simulated) are left out. The paper's readings are the hollow markers: circles at the tops of its bars (the
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
                             "idle_left_s": rows.get("idle_time_with_gemini_s")})
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

fig, ax = common.figure(width=5.5, height=3.8)
for i, r in rows.iterrows():
    if pd.notna(r["idle_no_ckpt_s"]):
        ax.bar(i - WIDTH / 2, r["idle_no_ckpt_s"], WIDTH, color="#999999",
               label="Net. idle time w/o ckpt" if i == 0 else "_nolegend_")
        label(ax, i - WIDTH / 2, r["idle_no_ckpt_s"], f"{r['idle_no_ckpt_s']:.2f}")
    if pd.notna(r["ckpt_s"]) and pd.notna(r["idle_left_s"]):
        ax.bar(i + WIDTH / 2, r["ckpt_s"], WIDTH, color=common.COLORS["gemini"], hatch="//",
               label="GEMINI ckpt time" if i == 0 else "_nolegend_")
        ax.bar(i + WIDTH / 2, r["idle_left_s"], WIDTH, bottom=r["ckpt_s"], color="#999999", hatch="\\\\",
               label="Net. idle time w. GEMINI" if i == 0 else "_nolegend_")
        text = f"{r['ckpt_s']:.2f}" + (f"+{r['idle_left_s']:.2f}" if r["idle_left_s"] >= 0.005 else "")
        top = r["ckpt_s"] + r["idle_left_s"]
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
ax.set_ylim(0, 15)
ax.grid(axis="y", alpha=0.3)
ax.legend(fontsize=7.5, loc="upper left", ncol=2)
ax.set_title("Network idle time per iteration, 16 x p4d.24xlarge", fontsize=9)
common.save(fig, out, "fig08")
