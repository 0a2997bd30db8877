#!/usr/bin/env python3
"""plots/run.py DIR [--out FILE.png]: a picture of one `gemini-sim run --out DIR`.

Draws what the text summary only prints:
  * the iteration breakdown: GPU time (compute, exposed communication) and network time (collectives,
    idle in short spans, idle in spans above the threshold), for the profiled iterations and for the
    iterations with checkpoint traffic (iterations.csv; checkpoint_* keys);
  * Algorithm 1's placement groups (placement_groups, checkpoint.replicas, recovery_probability);
  * the idle-span histogram of the profiled iterations against checkpoint.span_threshold_ms, with the idle
    time each threshold would keep (idle_spans_ms);
  * Algorithm 2's chunks laid over the spans it used (sim_plan_spans, or plan_spans for an --idle-profile
    run): span, budget mu*span, and the chunks of R/p bytes in order, past the span where they overflow;
  * timeline excerpts around the longest idle span of GPU 0 of the first instance, in the last profiled
    iteration and in the last checkpointed one (timeline.json): compute, communication and checkpoint tracks.
A panel whose data the run lacks says which key or file is missing (and the script lists them on stderr).
Writes DIR/run.png unless --out is given.
"""
import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import deps  # noqa: E402

deps.need()

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: E402

import gemini_results as gr  # noqa: E402
from run_plan import panel_plan  # noqa: E402
from run_style import C, missing_log, note_missing  # noqa: E402
from run_timeline import panel_timeline  # noqa: E402

MAX_DRAWN_INSTANCES = 64


def threshold_s(r):
    if "plan_span_threshold_s" in r:
        return float(r["plan_span_threshold_s"])
    ms = r.config.get("checkpoint.span_threshold_ms")
    return None if ms is None else float(ms) / 1e3


def iteration_groups(r):
    """(label, steady-state row) for the profiled iterations and, if any, the checkpointed ones."""
    it = r.iterations
    n = r.profiled_iterations()
    if n is None or n >= len(it):
        return [(f"iterations 0-{len(it) - 1}\n(no checkpoint)", it.iloc[-1])]
    return [(f"iterations 0-{n - 1}\n(profiled, no checkpoint)", it.iloc[n - 1]),
            (f"iterations {n}-{len(it) - 1}\n(with checkpoint)", it.iloc[-1])]


def panel_breakdown(ax, r):
    need = ["iteration_time_s", "compute_time_s", "exposed_communication_s", "communication_busy_s",
            "network_idle_total_s", "network_idle_time_s"]
    if r.iterations is None or any(c not in r.iterations.columns for c in need):
        return note_missing(ax, "iterations.csv with " + ", ".join(need))
    groups = iteration_groups(r)
    thr = threshold_s(r)
    thr_text = f"> {thr * 1e3:g} ms" if thr is not None else "> threshold"
    y, labels, ticks = 0.0, [], []
    seen = set()

    def seg(yy, left, width, color, label, hatch=None):
        lab = label if label not in seen else "_nolegend_"
        seen.add(label)
        ax.barh(yy, width, left=left, height=0.36, color=color, edgecolor="white", linewidth=0.5, label=lab,
                hatch=hatch)

    for label, row in groups:
        t = row["iteration_time_s"]
        seg(y, 0, row["compute_time_s"], C["compute"], "compute")
        seg(y, row["compute_time_s"], row["exposed_communication_s"], C["exposed"], "exposed communication")
        ax.text(t, y, f" {t:.2f} s", va="center", fontsize=7)
        short = row["network_idle_total_s"] - row["network_idle_time_s"]
        seg(y - 0.42, 0, row["communication_busy_s"], C["busy"], "network: training collectives")
        seg(y - 0.42, row["communication_busy_s"], short, C["idle_short"], "no collective: shorter gaps")
        seg(y - 0.42, row["communication_busy_s"] + short, row["network_idle_time_s"], C["idle_long"],
            f"no collective: gaps {thr_text}")
        ax.text(t, y - 0.42, f" gaps {thr_text}: {row['network_idle_time_s']:.3f} s", va="center", fontsize=7)
        ticks += [y, y - 0.42]
        labels += [f"{label}\nGPU", "network"]
        y -= 1.15
    ax.set_yticks(ticks)
    ax.set_yticklabels(labels, fontsize=7)
    ax.set_xlabel("Time per iteration (s)", labelpad=1)
    tmax = float(r.iterations["iteration_time_s"].max())
    ax.set_xlim(0, tmax * 1.45)
    ax.set_ylim(y + 0.6, 0.45)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, framealpha=0.9)
    title = "Iteration breakdown (steady state of each phase)"
    if "checkpoint_time_s" in r and len(groups) == 2:
        title += (f"\ncheckpoint: {r['checkpoint_time_s']:.3f} s on the network, overhead "
                  f"{100 * r.get('checkpoint_overhead', 0):+.2f} %, idle left "
                  f"{r.get('network_idle_time_with_ckpt_s', float('nan')):.3f} s")
    ax.set_title(title, fontsize=8.5)


def panel_placement(ax, r):
    groups = r.placement_groups()
    if not groups:
        return note_missing(ax, "placement_groups (summary.json)")
    m = r.config.get("checkpoint.replicas")
    n = sum(len(g) for g in groups)
    cmap = plt.get_cmap("tab20")
    per_row = 16
    drawn = 0
    for gi, g in enumerate(groups):
        ring = m is not None and len(g) > int(m)
        for j, inst in enumerate(g):
            if drawn >= MAX_DRAWN_INSTANCES:
                break
            x, yy = drawn % per_row, -(drawn // per_row) * 1.6
            ax.add_patch(Rectangle((x + 0.08, yy), 0.84, 0.84, color=cmap(gi % 20), ec="black", lw=0.5))
            ax.text(x + 0.5, yy + 0.42, str(inst), ha="center", va="center", fontsize=6.5)
            if ring and j + 1 < len(g) and (drawn + 1) % per_row:
                ax.add_patch(FancyArrowPatch((x + 0.7, yy + 0.95), (x + 1.3, yy + 0.95), arrowstyle="-|>",
                                             mutation_scale=6, lw=0.6, connectionstyle="arc3,rad=-0.5"))
            drawn += 1
        if drawn >= MAX_DRAWN_INSTANCES:
            break
        # a bracket under each group
        first = drawn - len(g)
        row0, row1 = first // per_row, (drawn - 1) // per_row
        if row0 == row1:
            x0, x1, yy = first % per_row, (drawn - 1) % per_row + 1, -row0 * 1.6
            ax.plot([x0 + 0.12, x0 + 0.12, x1 - 0.12, x1 - 0.12], [yy - 0.08, yy - 0.22, yy - 0.22, yy - 0.08],
                    color="black", lw=0.7)
            ax.text((x0 + x1) / 2, yy - 0.32, f"G{gi + 1}" + (" ring" if ring else ""), ha="center", va="top",
                    fontsize=6)
    rows = (min(n, MAX_DRAWN_INSTANCES) - 1) // per_row + 1
    ax.set_xlim(-0.2, per_row + 0.2)
    ax.set_ylim(-(rows - 1) * 1.6 - 0.8, 1.9)
    ax.set_aspect("equal")
    ax.axis("off")
    strategy = r.get("placement_strategy", "?")
    asked = r.config.get("checkpoint.placement")
    k = r.config.get("failures.simultaneous")
    p = r.get("recovery_probability")
    title = f"Placement (Algorithm 1): {strategy}" + (f" (asked: {asked})" if asked and asked != strategy else "")
    title += f", m = {m}, {len(groups)} groups of {n} instances"
    if p is not None:
        title += (f"\nP(recover {k} simultaneous failures from CPU memory) = {p:.4f} "
                  f"({r.get('recovery_probability_method', '')})")
    if n > MAX_DRAWN_INSTANCES:
        title += f"; first {MAX_DRAWN_INSTANCES} instances drawn"
    ax.set_title(title, fontsize=8.5)
    ax.text(0, 1.6, "each instance's checkpoint is replicated to the CPU memory of every member of its group"
            + ("; ring: to the next m-1 members" if any(m is not None and len(g) > int(m) for g in groups) else ""),
            fontsize=6.5, va="center")


def panel_histogram(ax, r):
    spans = r.idle_spans()
    if spans is None:
        return note_missing(ax, "idle_spans_ms (summary.json or a side file) or comm_gap.txt")
    thr = threshold_s(r)
    prof = spans[spans["profiled"]]
    ckpt = spans[~spans["profiled"]]
    iters = prof["iteration"].nunique()
    v = prof["span_ms"].to_numpy()
    tiny = 1e-3  # spans under 1 us: back-to-back collectives, not drawable on a log axis
    pos = v[v >= tiny]
    if len(pos) == 0:
        return note_missing(ax, "positive idle spans (all are zero)")
    lo = 10 ** np.floor(np.log10(pos.min()))
    every = spans["span_ms"].to_numpy()
    hi = 10 ** np.ceil(np.log10(max(every.max(), (thr or 0) * 1e3 * 1.5)))
    bins = np.logspace(np.log10(lo), np.log10(hi), 50)
    ax.hist(pos, bins=bins, weights=np.full(len(pos), 1 / iters), color=C["busy"], alpha=0.75,
            label=f"profiled iterations ({iters})")
    if len(ckpt):
        c = ckpt["span_ms"].to_numpy()
        c = c[c >= tiny]
        ax.hist(c, bins=bins, weights=np.full(len(c), 1 / ckpt["iteration"].nunique()), histtype="step",
                color=C["checkpoint"], lw=1.2, label="iterations with checkpoint")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("Idle span between training collectives (ms), GPU 0's communication stream")
    ax.set_ylabel("Spans per iteration")
    ax.grid(alpha=0.3)
    # idle time each threshold would keep: sum of spans longer than x, per iteration
    xs = np.sort(pos)
    kept = (np.cumsum(xs[::-1])[::-1]) / iters / 1e3
    twin = ax.twinx()
    twin.step(xs, kept, where="post", color="black", lw=1.0, label="idle time in spans > x (right)")
    twin.set_ylabel("Idle time in spans longer than x (s / iteration)", fontsize=7.5)
    twin.set_yscale("log")
    zeros = int((v < tiny).sum() / iters)
    text = f"{zeros} spans / iteration under 1 us not shown" if zeros else ""
    if thr is not None:
        ax.axvline(thr * 1e3, color=C["checkpoint"], ls="--", lw=1.2, label=f"span threshold {thr * 1e3:g} ms")
        above = v > thr * 1e3
        text = (f"longer than the threshold: {above.sum() / iters:.3g} span(s), "
                f"{v[above].sum() / iters / 1e3:.3f} s per iteration\n" + text)
    ax.text(0.02, 0.97, text, transform=ax.transAxes, va="top", fontsize=7,
            bbox=dict(facecolor="white", alpha=0.85, lw=0))
    bottom, top = ax.get_ylim()
    ax.set_ylim(bottom, top * 30)  # headroom: the note sits above the bars
    kb, kt = twin.get_ylim()
    twin.set_ylim(kb, kt * 30)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = twin.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3,
              framealpha=0.9)
    src = " (from comm_gap.txt, 0.1 ms resolution)" if spans.attrs.get("source") == "comm_gap.txt" else ""
    ax.set_title("Idle spans of the network against the threshold" + src, fontsize=8.5)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", help="a `gemini-sim run --out DIR` directory (or a sweep point's)")
    ap.add_argument("--out", help="PNG (or PDF) to write; default DIR/run.png")
    ap.add_argument("--plan", choices=("sim", "profile"), default="sim",
                    help="Algorithm 2 panel: the plan over the simulated spans (sim_plan_spans, default) or over "
                         "the measured --idle-profile (plan_spans)")
    a = ap.parse_args()
    try:
        r = gr.load_run(a.dir)
    except (FileNotFoundError, ValueError) as e:
        print(f"run.py: {e}", file=sys.stderr)
        return 2
    out = pathlib.Path(a.out) if a.out else r.dir / "run.png"
    tl = r.timeline()
    two = tl is not None and r.iterations is not None and r.profiled_iterations() is not None \
        and r.profiled_iterations() < len(r.iterations)
    heights = [1.0, 1.25] + ([0.9, 0.9] if two else [0.9])
    height = 4.0 * sum(heights)
    fig = plt.figure(figsize=(14, height))
    grid = fig.add_gridspec(len(heights), 2, height_ratios=heights, hspace=0.6, wspace=0.3, top=1 - 0.9 / height,
                            bottom=0.35 / height)
    panel_breakdown(fig.add_subplot(grid[0, 0]), r)
    panel_placement(fig.add_subplot(grid[0, 1]), r)
    panel_histogram(fig.add_subplot(grid[1, 0]), r)
    panel_plan(fig.add_subplot(grid[1, 1]), r, a.plan)
    panel_timeline(fig.add_subplot(grid[2, :]), r, tl, "profiled")
    if two:
        panel_timeline(fig.add_subplot(grid[3, :]), r, tl, "checkpoint")
    scheme = r.get("checkpoint_scheme", r.config.get("checkpoint.scheme", "?"))
    head = (f"{r.get('model', '?')} on {r.get('instances', '?')} x {r.get('cluster', '?')} "
            f"({r.get('gpus', '?')} GPUs), checkpoint scheme {scheme}, {r.get('collective_mode', '?')} collectives: "
            f"iteration {r.get('iteration_time_s', float('nan')):.3f} s")
    fig.suptitle(head + f"\n{r.get('config_file', '')} seed {r.get('seed', '?')}", fontsize=10,
                 y=1 - 0.15 / height, va="top")
    fig.savefig(out, dpi=100, bbox_inches="tight")
    plt.close(fig)
    print(f"run.py: {out}")
    if missing_log:
        print("run.py: drawn without: " + "; ".join(missing_log), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
