#!/usr/bin/env python3
"""Fig 7: iteration time of GPT-2, RoBERTa and BERT 100B on 16 p4d, no checkpoint vs GEMINI.

fig07.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig07.csv (gemini-sim figure 7): one row per model and scheme
with iteration_time_s. Rows with an empty iteration_time_s (a scheme whose buffer does not fit: oom) are
left out. The paper's readings are the hollow markers.
"""
import common

SCHEMES = ["none", "gemini"]
LABELS = {"none": "No checkpoint", "gemini": "GEMINI"}
WIDTH = 0.38


def read(data):
    """fig07.csv -> (models in order, rows with columns model, scheme, iteration_time_s)."""
    rows = common.table(data / "fig07.csv", required=("model", "scheme", "iteration_time_s"))
    return common.in_order(rows["model"]), rows.dropna(subset=["iteration_time_s"])


data, out = common.args("fig07")
models, rows = read(data)
paper = common.paper("fig07")

fig, ax = common.figure(width=5.5, height=3.8)
for k, scheme in enumerate(SCHEMES):
    offset = (k - 0.5) * WIDTH
    ours = [(i + offset, common.value(rows, "iteration_time_s", model=m, scheme=scheme)) for i, m in enumerate(models)]
    ours = [(x, y) for x, y in ours if y is not None]
    if ours:
        ax.bar([x for x, _ in ours], [y for _, y in ours], WIDTH, color=common.COLORS[scheme],
               label=LABELS[scheme] + " (simulated)")
        for x, y in ours:
            ax.annotate(f"{y:.1f}", (x, y), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=6.5)
    theirs = [(i + offset, common.value(paper, "iteration_time_s", model=m, scheme=scheme))
              for i, m in enumerate(models)]
    theirs = [(x, y) for x, y in theirs if y is not None]
    if theirs:
        common.paper_legend_entry(ax)
        ax.plot([x for x, _ in theirs], [y for _, y in theirs], label="_nolegend_", **common.PAPER_STYLE)
ax.set_xticks(range(len(models)))
ax.set_xticklabels(models)
ax.set_ylabel("Iteration time (s)")
ax.set_ylim(0, 100)
ax.grid(axis="y", alpha=0.3)
ax.legend(fontsize=8, loc="upper left")
ax.set_title("Iteration time, 16 x p4d.24xlarge", fontsize=9)
common.save(fig, out, "fig07")
