#!/usr/bin/env python3
"""Fig 11: reduction in checkpoint time of GEMINI over the storage baselines vs instances.

fig11.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig11.csv (gemini-sim figure 11): instances, bandwidth_gbps,
reduction.
"""
import common

COLORS = {100: "#1f77b4", 200: "#2ca02c", 400: "#d62728"}


def read(data):
    """fig11.csv -> rows with columns instances, bandwidth_gbps, reduction."""
    return common.table(data / "fig11.csv", required=("instances", "bandwidth_gbps", "reduction"))


data, out = common.args("fig11")
rows = read(data)
paper = common.paper("fig11")

fig, ax = common.figure()
for bw in sorted(rows["bandwidth_gbps"].unique()):
    xs, ys = common.series(rows, "instances", "reduction", bandwidth_gbps=bw)
    ax.plot(xs, ys, "-s", color=COLORS.get(bw), markersize=4, label=f"{bw:g} Gbps")
    common.overlay_paper(ax, paper, "instances", "reduction", bandwidth_gbps=bw)
ax.set_xlabel("Number of instances")
ax.set_ylabel("Reduction in checkpoint time (x)")
ax.set_xticks(sorted(rows["instances"].unique()))
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
ax.set_title("GEMINI vs remote storage (closed form)", fontsize=9)
common.save(fig, out, "fig11")
