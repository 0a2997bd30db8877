#!/usr/bin/python3
"""Fig 12: checkpoints per hour of GPT-2 100B on 16 p4d, to remote persistent storage and to CPU memory,
for GEMINI, Strawman and HighFreq (log scale).

fig12.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig12.csv (gemini-sim figure 12). The paper's readings are the
hollow markers.
"""
import common

data, out = common.args("fig12")
rows = common.read_rows(data / "fig12.csv")
paper = common.paper_rows("fig12")
systems = [r["system"] for r in rows]
cols = [("to_storage_per_hour", "To remote persistent storage", "#1f77b4"),
        ("to_cpu_memory_per_hour", "To CPU memory", "#ff7f0e")]
width = 0.38

fig, ax = common.figure(width=5.5, height=3.8)
for k, (col, label, color) in enumerate(cols):
    xs = [i + (k - 0.5) * width for i in range(len(rows))]
    ys = [float(r[col]) for r in rows]
    ax.bar([x for x, y in zip(xs, ys) if y > 0], [y for y in ys if y > 0], width, color=color,
           label=label + " (simulated)")
    for i, s in enumerate(systems):
        sel = common.select(paper, system=s)
        if sel and float(sel[0][col]) > 0:
            if not any(line.get_label() == "paper" for line in ax.get_lines()):
                ax.plot([], [], label="paper", **common.PAPER_STYLE)
            ax.plot([xs[i]], [float(sel[0][col])], label="_nolegend_", **common.PAPER_STYLE)
ax.set_yscale("log")
ax.set_xticks(range(len(systems)))
ax.set_xticklabels([common.LABELS.get(s, s) for s in systems])
ax.set_ylabel("Checkpoints per hour")
ax.grid(axis="y", alpha=0.3)
ax.legend(fontsize=8, loc="upper right")
ax.set_title("Checkpoint frequency, GPT-2 100B, 16 x p4d.24xlarge", fontsize=9)
common.save(fig, out, "fig12")
