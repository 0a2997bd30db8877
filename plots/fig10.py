#!/usr/bin/env python3
"""Fig 10: average wasted time per failure (lost progress + retrieval) by number of replaced instances.

fig10.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig10.csv (gemini-sim figure 10): replaced_instances, system,
wasted_time_min, source (simulated, closed_form, simulated_unrecoverable).
Bars: simulated (sim/engine/failure_sim.hpp); ticks: the closed form; hollow circles: the paper. The hatched
GEMINI bar at 2 replaced is the unrecoverable case (both instances of one placement group). Log y axis
instead of the paper's broken axis.
"""
import common

SYSTEMS = ("strawman", "highfreq", "gemini")
WIDTH = 0.25


def read(data):
    """fig10.csv -> rows with columns replaced_instances, system, wasted_time_min, source."""
    return common.table(data / "fig10.csv", required=("replaced_instances", "system", "wasted_time_min", "source"))


data, out = common.args("fig10")
rows = read(data)
paper = common.paper("fig10")

fig, ax = common.figure(width=5.5, height=3.8)
for j, system in enumerate(SYSTEMS):
    xs, ys = common.series(rows, "replaced_instances", "wasted_time_min", system=system, source="simulated")
    ax.bar(xs + (j - 1) * WIDTH, ys, WIDTH, color=common.COLORS[system], label=common.LABELS[system] + " (simulated)")
    cx, cy = common.series(rows, "replaced_instances", "wasted_time_min", system=system, source="closed_form")
    ax.plot(cx + (j - 1) * WIDTH, cy, "_", color="black", markersize=14,
            label="closed form" if j == 0 else "_nolegend_")
    px, py = common.series(paper, "replaced_instances", "wasted_time_min", system=system)
    ax.plot(px + (j - 1) * WIDTH, py, label="paper" if j == 0 else "_nolegend_", **common.PAPER_STYLE)
ux, uy = common.series(rows, "replaced_instances", "wasted_time_min", system="gemini",
                       source="simulated_unrecoverable")
ax.bar(ux + 1.5 * WIDTH, uy, WIDTH, color="white", edgecolor=common.COLORS["gemini"], hatch="//",
       label="GEMINI, whole group lost (simulated)")
ax.set_yscale("log")
ax.set_xticks([0, 1, 2])
ax.set_xlabel("Number of replaced instances")
ax.set_ylabel("Average wasted time (min)")
ax.grid(alpha=0.3, axis="y")
ax.set_ylim(1, 2000)
ax.legend(fontsize=6.5, loc="upper center", ncol=2)
common.save(fig, out, "fig10")
