#!/usr/bin/python3
"""Fig 16: ablation of traffic interleaving, GPT-2 40B on 16 p3dn: the iteration time of each scheme as an
overhead over no checkpoint, in percent (the paper gives only these relative numbers).

fig16.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig16.csv (gemini-sim figure 16). A scheme whose status is oom
has no bar and is labelled OOM; the paper's values are the hollow markers (its naive interleave: OOM).
"""
import common

data, out = common.args("fig16")
rows = common.read_rows(data / "fig16.csv")
paper = common.paper_rows("fig16")
labels = {"none": "Baseline", "blocking": "Blocking", "naive": "Naive\ninterleave",
          "no_pipeline": "Interleave\nw/o pipeline", "gemini": "GEMINI"}
base = float(common.select(rows, scheme="none")[0]["iteration_time_s"])

fig, ax = common.figure(width=5.8, height=3.8)
for i, r in enumerate(rows):
    if r["iteration_time_s"]:
        t = float(r["iteration_time_s"])
        pct = 100 * (t / base - 1)
        ax.bar(i, pct, 0.6, color=common.COLORS.get(r["scheme"], "#ff7f0e"),
               label="simulated" if i == 0 else "_nolegend_")
        ax.annotate(f"{t:.1f} s\n{r['status']}", (i, max(pct, 0)), ha="center", va="bottom", fontsize=7)
    else:
        ax.annotate(r["status"].upper(), (i, 0.3), ha="center", va="bottom", fontsize=8, color="black")
    sel = common.select(paper, scheme=r["scheme"])
    if sel:
        if not any(line.get_label() == "paper" for line in ax.get_lines()):
            ax.plot([], [], label="paper", **common.PAPER_STYLE)
        if sel[0]["overhead_percent"]:
            ax.plot([i], [float(sel[0]["overhead_percent"])], label="_nolegend_", **common.PAPER_STYLE)
        else:
            ax.annotate("paper: " + sel[0]["status"].upper(), (i, 1.5), ha="center", fontsize=7)
ax.axhline(0, color="black", linewidth=0.8)
ax.set_xticks(range(len(rows)))
ax.set_xticklabels([labels.get(r["scheme"], r["scheme"]) for r in rows], fontsize=8)
ax.set_ylabel("Iteration time over baseline (%)")
ax.grid(axis="y", alpha=0.3)
ax.legend(fontsize=8, loc="upper right")
ax.set_title(f"Interleaving ablation, GPT-2 40B, 16 x p3dn.24xlarge (baseline {base:.1f} s)", fontsize=9)
common.save(fig, out, "fig16")
