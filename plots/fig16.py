#!/usr/bin/env python3
"""Fig 16: ablation of traffic interleaving, GPT-2 40B on 16 p3dn: the iteration time of each scheme as an
overhead over no checkpoint, in percent (the paper gives only these relative numbers).

fig16.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig16.csv (gemini-sim figure 16): scheme, iteration_time_s,
status, a row per scheme, "none" the baseline. A scheme with no iteration time (status oom) has no bar and
is labelled with its status; the paper's values are the hollow markers (its naive interleave: OOM).
"""
import common

LABELS = {"none": "Baseline", "blocking": "Blocking", "naive": "Naive\ninterleave",
          "no_pipeline": "Interleave\nw/o pipeline", "gemini": "GEMINI"}


def read(data):
    """fig16.csv -> rows with columns scheme, iteration_time_s, status (status may be absent: then 'ok')."""
    rows = common.table(data / "fig16.csv", required=("scheme", "iteration_time_s"))
    if "status" not in rows.columns:
        rows["status"] = "ok"
    rows["status"] = rows["status"].fillna("")
    return rows


data, out = common.args("fig16")
rows = read(data)
paper = common.paper("fig16")
base = common.value(rows, "iteration_time_s", scheme="none")
if base is None:
    print(f"fig16.py: {data / 'fig16.csv'}: no iteration_time_s for scheme none (the baseline)")
    raise SystemExit(2)

fig, ax = common.figure(width=5.8, height=3.9)
tops = [0.0]
for i, r in enumerate(rows.itertuples()):
    status = str(r.status)
    if r.iteration_time_s == r.iteration_time_s:  # not NaN
        t = float(r.iteration_time_s)
        pct = 100 * (t / base - 1)
        ax.bar(i, pct, 0.6, color=common.COLORS.get(r.scheme, "#ff7f0e"),
               label="simulated" if r.scheme != "none" else "_nolegend_")
        text = (f"{pct:+.1f} %\n" if r.scheme != "none" else "") + f"{t:.1f} s" + \
            (f"\n{status}" if status not in ("ok", "") else "")
        top = max(pct, 0)
    else:
        text, top = status.upper() or "no result", 0.0
    p_row = common.select(paper, scheme=r.scheme)
    p_pct = common.value(paper, "overhead_percent", scheme=r.scheme)
    if p_pct is not None:
        common.paper_legend_entry(ax)
        ax.plot([i], [p_pct], label="_nolegend_", **common.PAPER_STYLE)
    # our label sits above the bar, and above the paper's marker when that is within a label's height
    near = p_pct is not None and -0.5 <= p_pct - top <= 1.5
    ax.annotate(text, (i, max(top, p_pct) if near else top), xytext=(0, 7 if near else 2), textcoords="offset points",
                ha="center", va="bottom", fontsize=7)
    if p_pct is None and not p_row.empty and str(p_row.iloc[0].get("status", "")):
        ax.annotate("paper: " + str(p_row.iloc[0]["status"]).upper(), (i, top), xytext=(0, 34),
                    textcoords="offset points", ha="center", va="bottom", fontsize=7, fontweight="bold")
    tops += [top] + ([p_pct] if p_pct is not None else [])
unique = {}
for handle, label in zip(*ax.get_legend_handles_labels()):
    unique.setdefault(label, handle)  # "simulated": the first scheme's bar, not GEMINI's red
ax.axhline(0, color="black", linewidth=0.8)
ax.set_ylim(-0.6, max(tops) * 1.3 + 1)
ax.set_xticks(range(len(rows)))
ax.set_xticklabels([LABELS.get(s, s) for s in rows["scheme"]], fontsize=8)
ax.set_ylabel("Iteration time over baseline (%)")
ax.grid(axis="y", alpha=0.3)
ax.legend(unique.values(), unique.keys(), fontsize=8, loc="upper right")
ax.set_title(f"Interleaving ablation, GPT-2 40B, 16 x p3dn.24xlarge (baseline {base:.1f} s)", fontsize=9)
common.save(fig, out, "fig16")
