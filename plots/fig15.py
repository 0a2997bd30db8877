#!/usr/bin/env python3
"""Fig 15: effective training time ratio, (a) vs failures per day, (b) vs instances.

fig15.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig15a.csv and/or fig15b.csv (gemini-sim figure 15): columns
failures_per_day (a) or instances (b), system, ratio, source. Sources: closed_form (solid),
closed_form_fixed_costs (dashed: the artifact's assumption of the 16-instance costs at every N), simulated
(markers), whichever the CSVs hold. One legend for both panels, under them, so that no curve is covered.
"""
import common
from matplotlib.patches import Patch

SYSTEMS = ("none", "strawman", "highfreq", "gemini")
STYLE = {
    "closed_form": dict(linestyle="-"),
    "closed_form_fixed_costs": dict(linestyle="--", alpha=0.7),
    "simulated": dict(linestyle="none", marker="^", markersize=5),
}
SUFFIX = {"closed_form": " (closed form)", "closed_form_fixed_costs": " (closed form, 16-inst. costs)",
          "simulated": " (simulated)"}
PANELS = (("fig15a", "failures_per_day", "Failures per day"), ("fig15b", "instances", "Number of instances"))


def read(data):
    """-> [(name, x column, x label, rows with columns x, system, ratio, source)] for the CSVs present."""
    return [(name, x, label, common.table(data / f"{name}.csv", required=(x, "system", "ratio", "source")))
            for name, x, label in PANELS if (data / f"{name}.csv").exists()]


data, out = common.args("fig15")
panels = read(data)
if not panels:
    print(f"fig15.py: neither fig15a.csv nor fig15b.csv in {data}")
    raise SystemExit(2)
fig, axes = common.figure(ncols=len(panels), width=4.8, height=4.3)
axes = axes if isinstance(axes, list) else [axes]
for ax, (name, x, xlabel, rows) in zip(axes, panels):
    paper = common.paper(name)
    sources = [s for s in STYLE if not common.select(rows, source=s).empty]
    for source in sources:
        for system in SYSTEMS:
            xs, ys = common.series(rows, x, "ratio", system=system, source=source)
            if len(xs) and not (system == "none" and source != "closed_form"):
                label = common.LABELS[system] + ("" if system == "none" else SUFFIX[source])
                ax.plot(xs, ys, color=common.COLORS[system], label=label, **STYLE[source])
    if not paper.empty:
        for system in SYSTEMS:
            common.overlay_paper(ax, paper[paper[x] > 0], x, "ratio", system=system, color=common.COLORS[system])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Effective training time ratio")
    ax.set_ylim(-0.03, 1.05)  # a ratio of 0 (Strawman at 1000 instances) stays visible
    ax.grid(alpha=0.3)
    ax.set_title(f"({name[-1]}) " + " + ".join(s.replace("_", " ") for s in sources), fontsize=8)
# One legend under both panels: a column per source (closed form, 16-instance costs, simulated), the systems
# in the same order in each, the paper's marker in the first column with room.
handles = {}
for ax in axes:
    for handle, label in zip(*ax.get_legend_handles_labels()):
        handles.setdefault(label, handle)
columns = [[label for label in handles if label.endswith(SUFFIX[s]) or (s == "closed_form" and label ==
            common.LABELS["none"])] for s in STYLE]
columns = [c for c in columns if c]
rows = max(len(c) for c in columns) + (0 if "paper" not in handles else
                                       int(all(len(c) == max(map(len, columns)) for c in columns)))
if "paper" in handles:
    next(c for c in columns if len(c) < rows).append("paper")
blank = Patch(visible=False)
order = [label for c in columns for label in c + [None] * (rows - len(c))]
fig.tight_layout(rect=(0, 0.02 + 0.04 * rows, 1, 1))
fig.legend([handles[k] if k else blank for k in order], [k or "" for k in order], loc="lower center",
           ncol=len(columns), fontsize=7, frameon=False)
common.save(fig, out, "fig15", tight=False)
