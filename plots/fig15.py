#!/usr/bin/python3
"""Fig 15: effective training time ratio, (a) vs failures per day, (b) vs instances.

fig15.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig15a.csv and/or fig15b.csv (gemini-sim figure 15).
Sources: closed_form (solid), closed_form_fixed_costs (dashed: the artifact's assumption of the
16-instance costs at every N), simulated (markers), whichever the CSVs hold.
"""
import common

data, out = common.args("fig15")
SYSTEMS = ("none", "strawman", "highfreq", "gemini")
STYLE = {
    "closed_form": dict(linestyle="-"),
    "closed_form_fixed_costs": dict(linestyle="--", alpha=0.7),
    "simulated": dict(linestyle="none", marker="^", markersize=5),
}
SUFFIX = {"closed_form": "", "closed_form_fixed_costs": " (16-inst. costs)", "simulated": " (simulated)"}

panels = [(p, x, t) for p, x, t in (("fig15a", "failures_per_day", "Failures per day"),
                                    ("fig15b", "instances", "Number of instances"))
          if (data / f"{p}.csv").exists()]
fig, axes = common.figure(ncols=len(panels), width=4.8, height=3.6)
axes = axes if isinstance(axes, list) else [axes]
for ax, (name, x, xlabel) in zip(axes, panels):
    rows = common.read_rows(data / f"{name}.csv")
    paper = common.paper_rows(name)
    sources = [s for s in STYLE if common.select(rows, source=s)]
    for source in sources:
        for system in SYSTEMS:
            xs, ys = common.series(rows, x, "ratio", system=system, source=source)
            if xs and not (system == "none" and source != "closed_form"):
                ax.plot(xs, ys, color=common.COLORS[system], label=common.LABELS[system] + SUFFIX[source],
                        **STYLE[source])
    for system in SYSTEMS:
        common.overlay_paper(ax, [r for r in paper if float(r[x]) > 0], x, "ratio", system=system,
                             color=common.COLORS[system])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Effective training time ratio")
    ax.set_ylim(0, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6.5, loc="lower left")
    ax.set_title(f"({name[-1]}) " + " + ".join(s.replace("_", " ") for s in sources), fontsize=8)
common.save(fig, out, "fig15")
