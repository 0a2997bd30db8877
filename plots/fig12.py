#!/usr/bin/env python3
"""Fig 12: checkpoints per hour of GPT-2 100B on 16 p4d, to remote persistent storage and to CPU memory,
for GEMINI, Strawman and HighFreq (log scale).

fig12.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig12.csv (gemini-sim figure 12): system, to_storage_per_hour,
to_cpu_memory_per_hour. A zero rate has no bar. The paper's readings are the hollow markers.
"""
import common

COLS = [("to_storage_per_hour", "To remote persistent storage", "#1f77b4"),
        ("to_cpu_memory_per_hour", "To CPU memory", "#ff7f0e")]
WIDTH = 0.38


def read(data):
    """fig12.csv -> rows with columns system, to_storage_per_hour, to_cpu_memory_per_hour."""
    return common.table(data / "fig12.csv", required=("system",) + tuple(c for c, _, _ in COLS))


data, out = common.args("fig12")
rows = read(data)
paper = common.paper("fig12")
systems = list(rows["system"])

fig, ax = common.figure(width=5.5, height=3.8)
for k, (col, label, color) in enumerate(COLS):
    for i, s in enumerate(systems):
        x = i + (k - 0.5) * WIDTH
        y = common.value(rows, col, system=s)
        p = common.value(paper, col, system=s)
        if y is not None and y > 0:
            ax.bar(x, y, WIDTH, color=color, label=label + " (simulated)")  # one entry each: deduplicated below
            text = f"{y:.3g}" + (f"\npaper {p:.2g}" if p is not None and p > 0 else "")
            ax.annotate(text, (x, max(y, p or 0)), xytext=(0, 5), textcoords="offset points", ha="center",
                        fontsize=6)  # above the bar or the paper's marker, whichever is higher
        if p is not None and p > 0:
            common.paper_legend_entry(ax)
            ax.plot([x], [p], label="_nolegend_", **common.PAPER_STYLE)
handles, labels = ax.get_legend_handles_labels()
unique = dict(zip(labels, handles))
ax.set_yscale("log")
ax.set_ylim(0.1, 2000)  # room above the bars for the legend
ax.set_xlim(-0.7, len(systems) - 0.3)
ax.set_xticks(range(len(systems)))
ax.set_xticklabels([common.LABELS.get(s, s) for s in systems])
ax.set_ylabel("Checkpoints per hour")
ax.grid(axis="y", alpha=0.3)
ax.legend(unique.values(), unique.keys(), fontsize=7.5, loc="upper right")
ax.set_title("Checkpoint frequency, GPT-2 100B, 16 x p4d.24xlarge", fontsize=9)
common.save(fig, out, "fig12")
