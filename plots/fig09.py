#!/usr/bin/env python3
"""Fig 9: probability of recovering from CPU memory vs instances (m = 2; k = 2, 3 failures).

fig09.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig09.csv (gemini-sim figure 9: closed forms and exact
enumeration) and, beside it, DATA_DIR/fig09_simulated.csv when present (1000 simulated failure events per
point: the estimate with +-2 standard errors, the exact value it estimates, and correlated failures of whole
2- and 4-instance domains, which the closed forms do not cover).
GEMINI is Algorithm 1's placement (group for even N, mixed for odd N). The ring is shown as it truly
is (solid) and as the artifact's formula computes it (dotted; a lower bound for k > m), which is what
the paper plots.
"""
import common

GEMINI = ("group", "mixed")


def read(data):
    """-> (fig09.csv rows: instances, k, strategy, probability, method; fig09_simulated.csv rows or None)."""
    closed = common.table(data / "fig09.csv", required=("instances", "k", "strategy", "probability"))
    sim_path = data / "fig09_simulated.csv"
    simulated = common.table(sim_path, required=("instances", "strategy", "probability", "failure_model")) \
        if sim_path.exists() else None
    return closed, simulated


def gemini_rows(rows):
    return rows[rows["strategy"].isin(GEMINI)]


def closed_form_panel(ax, rows, paper):
    xs, _ = common.series(rows, "instances", "probability", k=1, strategy="ring")
    ax.plot(xs, [1.0] * len(xs), color="#555555", label="k < m")
    for k, dash in ((2, "-"), (3, "--")):
        gx, gy = common.series(gemini_rows(rows), "instances", "probability", k=k)
        ax.plot(gx, gy, dash, color=common.COLORS["gemini"], label=f"GEMINI m=2, k={k}")
        rx, ry = common.series(rows, "instances", "probability", k=k, strategy="ring")
        ax.plot(rx, ry, dash, color=common.COLORS["ring"], label=f"Ring m=2, k={k}")
        formula = common.select(rows, k=k, strategy="ring_formula")
        if "method" in rows.columns and (formula["method"] == "bound").any():
            fx, fy = common.series(formula, "instances", "probability")
            ax.plot(fx, fy, ":", color=common.COLORS["ring"], label=f"Ring formula (paper), k={k}")
        common.overlay_paper(ax, paper, "instances", "probability", k=k, strategy="group")
        common.overlay_paper(ax, paper, "instances", "probability", k=k, strategy="ring")
    ax.set_xlim(min(xs) - 3, max(xs) + 3)
    ax.legend(fontsize=6.5, loc="lower right", ncol=2)
    ax.set_title("(a) closed form / exact", fontsize=9)


def simulated_panel(ax, sim):
    """One slot per N; inside it, a column per series: GEMINI and ring with k = 2, 3 simultaneous failures
    (filled, the exact value as a black tick), then correlated domain failures (hollow)."""
    ns = sorted(sim["instances"].unique())
    slot = {n: i for i, n in enumerate(ns)}
    simultaneous = sim[sim["failure_model"] == "simultaneous"]
    correlated = sim[sim["failure_model"] == "correlated"]
    columns = [(f"{name} k={k}", simultaneous[simultaneous["strategy"].isin(strategies) & (simultaneous["k"] == k)],
                color, marker, True)
               for name, strategies, color in (("GEMINI", GEMINI, common.COLORS["gemini"]),
                                               ("Ring", ("ring",), common.COLORS["ring"]))
               for k, marker in ((2, "o"), (3, "s"))]
    if not correlated.empty and "domain_size" in correlated.columns:
        for size, marker in zip(sorted(correlated["domain_size"].unique()), ("^", "v", "<", ">")):
            for name, strategies, color in (("GEMINI", GEMINI, common.COLORS["gemini"]),
                                            ("Ring", ("ring",), common.COLORS["ring"])):
                rows = correlated[(correlated["domain_size"] == size) & correlated["strategy"].isin(strategies)]
                columns.append((f"{name}, correlated {int(size)}-instance domains", rows, color, marker, False))
    width = 0.8 / len(columns)
    for c, (label, rows, color, marker, filled) in enumerate(columns):
        if rows.empty:
            continue
        rows = rows.sort_values("instances")
        xs = rows["instances"].map(slot) - 0.4 + (c + 0.5) * width
        err = 2 * rows["standard_error"] if "standard_error" in rows.columns else None
        ax.errorbar(xs, rows["probability"], yerr=err, fmt=marker, color=color, mfc=color if filled else "white",
                    markersize=4, capsize=1.5, lw=0.8, label=label)
        if "reference" in rows.columns:
            ref = rows["reference"].notna().to_numpy()
            ax.plot(xs[ref], rows["reference"][ref], "_", color="black", markersize=7, mew=1.2,
                    label="exact value" if c == 0 else "_nolegend_")
    ax.set_xticks(range(len(ns)))
    ax.set_xticklabels([f"{n:g}" for n in ns])
    ax.set_xlim(-0.5, len(ns) - 0.5)
    ax.legend(fontsize=6.5, loc="lower right", ncol=2)
    ax.set_title("(b) simulated failure events, +-2 s.e. (correlated: share of events recovered)", fontsize=9)


data, out = common.args("fig09")
closed, simulated = read(data)
paper = common.paper("fig09")

fig, axes = common.figure(ncols=2 if simulated is not None else 1, width=5.5, height=4.0)
axes = axes if isinstance(axes, list) else [axes]
closed_form_panel(axes[0], closed, paper)
if simulated is not None:
    simulated_panel(axes[1], simulated)
for ax in axes:
    ax.set_xlabel("Number of instances")
    ax.set_ylabel("Probability of recovery from CPU memory")
    ax.set_ylim(0.45, 1.01)
    ax.grid(alpha=0.3)
common.save(fig, out, "fig09")
