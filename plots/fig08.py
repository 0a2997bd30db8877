#!/usr/bin/python3
"""Fig 8: network idle time per iteration of the 100B models on 16 p4d: without checkpoints (grey), and
GEMINI's checkpoint time stacked on the idle time left with GEMINI (hatched), when simulated.

fig08.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig08.csv (gemini-sim figure 8). Empty cells (not simulated
yet) are left out. The paper's readings are the hollow markers: the no-checkpoint idle time, and the top of
the GEMINI stack (checkpoint time + idle time left).
"""
import common

data, out = common.args("fig08")
rows = common.read_rows(data / "fig08.csv")
paper = common.paper_rows("fig08")
models = [r["model"] for r in rows]
width = 0.38


def value(row, key):
    return float(row[key]) if row.get(key) else None


fig, ax = common.figure(width=5.5, height=3.8)
for i, r in enumerate(rows):
    idle = value(r, "idle_time_no_ckpt_s")
    if idle is not None:
        ax.bar(i - width / 2, idle, width, color="#999999", label="Net. idle time w/o ckpt" if i == 0 else "_nolegend_")
    ckpt, left = value(r, "gemini_ckpt_time_s"), value(r, "idle_time_with_gemini_s")
    if ckpt is not None and left is not None:
        ax.bar(i + width / 2, ckpt, width, color=common.COLORS["gemini"], hatch="//",
               label="GEMINI ckpt time" if i == 0 else "_nolegend_")
        ax.bar(i + width / 2, left, width, bottom=ckpt, color="#999999", hatch="\\\\",
               label="Net. idle time w. GEMINI" if i == 0 else "_nolegend_")
for i, m in enumerate(models):
    sel = common.select(paper, model=m)
    if not sel:
        continue
    p = sel[0]
    if not any(line.get_label() == "paper" for line in ax.get_lines()):
        ax.plot([], [], label="paper", **common.PAPER_STYLE)
    ax.plot([i - width / 2], [float(p["idle_time_no_ckpt_s"])], label="_nolegend_", **common.PAPER_STYLE)
    ax.plot([i + width / 2], [float(p["gemini_ckpt_time_s"]) + float(p["idle_time_with_gemini_s"])],
            label="_nolegend_", **common.PAPER_STYLE)
ax.set_xticks(range(len(models)))
ax.set_xticklabels(models)
ax.set_ylabel("Time (s)")
ax.set_ylim(0, 15)
ax.grid(axis="y", alpha=0.3)
ax.legend(fontsize=8, loc="upper left")
ax.set_title("Network idle time per iteration, 16 x p4d.24xlarge", fontsize=9)
common.save(fig, out, "fig08")
