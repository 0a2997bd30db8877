#!/usr/bin/python3
"""Fig 11: reduction in checkpoint time of GEMINI over the storage baselines vs instances.

fig11.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig11.csv (gemini-sim figure 11).
"""
import common

data, out = common.args("fig11")
rows = common.read_rows(data / "fig11.csv")
paper = common.paper_rows("fig11")

fig, ax = common.figure()
colors = {"100": "#1f77b4", "200": "#2ca02c", "400": "#d62728"}
for bw in sorted({r["bandwidth_gbps"] for r in rows}, key=float):
    xs, ys = common.series(rows, "instances", "reduction", bandwidth_gbps=bw)
    ax.plot(xs, ys, "-s", color=colors.get(bw), markersize=4, label=f"{bw} Gbps")
    common.overlay_paper(ax, paper, "instances", "reduction", bandwidth_gbps=bw)
ax.set_xlabel("Number of instances")
ax.set_ylabel("Reduction in checkpoint time (x)")
ax.set_xticks(sorted({float(r["instances"]) for r in rows}))
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
ax.set_title("GEMINI vs remote storage (closed form)", fontsize=9)
common.save(fig, out, "fig11")
