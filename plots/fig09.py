#!/usr/bin/python3
"""Fig 9: probability of recovering from CPU memory vs instances (m = 2; k = 2, 3 failures).

fig09.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig09.csv (gemini-sim figure 9).
GEMINI is Algorithm 1's placement (group for even N, mixed for odd N). The ring is shown as it truly
is (solid) and as the artifact's formula computes it (dotted; a lower bound for k > m), which is what
the paper plots.
"""
import common

data, out = common.args("fig09")
rows = common.read_rows(data / "fig09.csv")
paper = common.paper_rows("fig09")

fig, ax = common.figure(width=5.5, height=3.8)
xs, _ = common.series(rows, "instances", "probability", k=1, strategy="ring")
ax.plot(xs, [1.0] * len(xs), color="#555555", label="k < m")
for k, dash in ((2, "-"), (3, "--")):
    gem = [r for r in common.select(rows, k=k) if r["strategy"] in ("group", "mixed")]
    gx, gy = common.series(gem, "instances", "probability")
    ax.plot(gx, gy, dash, color=common.COLORS["gemini"], label=f"GEMINI m=2, k={k}")
    rx, ry = common.series(rows, "instances", "probability", k=k, strategy="ring")
    ax.plot(rx, ry, dash, color=common.COLORS["ring"], label=f"Ring m=2, k={k}")
    fx, fy = common.series(rows, "instances", "probability", k=k, strategy="ring_formula")
    if any(r["method"] == "bound" for r in common.select(rows, k=k, strategy="ring_formula")):
        ax.plot(fx, fy, ":", color=common.COLORS["ring"], label=f"Ring formula (paper), k={k}")
    common.overlay_paper(ax, paper, "instances", "probability", k=k, strategy="group")
    common.overlay_paper(ax, paper, "instances", "probability", k=k, strategy="ring")
ax.set_xlabel("Number of instances")
ax.set_ylabel("Probability")
ax.set_ylim(0.58, 1.01)
ax.set_xlim(min(xs) - 3, max(xs) + 3)
ax.grid(alpha=0.3)
ax.legend(fontsize=7, loc="lower right", ncol=2)
ax.set_title("Recovery from CPU memory (closed form)", fontsize=9)
common.save(fig, out, "fig09")
