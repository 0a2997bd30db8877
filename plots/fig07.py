#!/usr/bin/python3
"""Fig 7: iteration time of GPT-2, RoBERTa and BERT 100B on 16 p4d, no checkpoint vs GEMINI.

fig07.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig07.csv (gemini-sim figure 7). Rows with an empty
iteration_time_s (a scheme whose buffer does not fit: oom) are left out. The paper's readings are the hollow markers.
"""
import common

data, out = common.args("fig07")
rows = [r for r in common.read_rows(data / "fig07.csv") if r["iteration_time_s"]]
paper = common.paper_rows("fig07")

models = []
for r in common.read_rows(data / "fig07.csv"):
    if r["model"] not in models:
        models.append(r["model"])
schemes = ["none", "gemini"]
labels = {"none": "No checkpoint", "gemini": "GEMINI"}
width = 0.38

fig, ax = common.figure(width=5.5, height=3.8)
for k, scheme in enumerate(schemes):
    xs, ys = [], []
    for i, m in enumerate(models):
        sel = common.select(rows, model=m, scheme=scheme)
        if sel:
            xs.append(i + (k - 0.5) * width)
            ys.append(float(sel[0]["iteration_time_s"]))
    if xs:
        ax.bar(xs, ys, width, color=common.COLORS[scheme], label=labels[scheme] + " (simulated)")
    pxs, pys = [], []
    for i, m in enumerate(models):
        sel = common.select(paper, model=m, scheme=scheme)
        if sel:
            pxs.append(i + (k - 0.5) * width)
            pys.append(float(sel[0]["iteration_time_s"]))
    if pxs:
        if not any(line.get_label() == "paper" for line in ax.get_lines()):
            ax.plot([], [], label="paper", **common.PAPER_STYLE)
        ax.plot(pxs, pys, label="_nolegend_", **common.PAPER_STYLE)
ax.set_xticks(range(len(models)))
ax.set_xticklabels(models)
ax.set_ylabel("Iteration time (s)")
ax.set_ylim(0, 100)
ax.grid(axis="y", alpha=0.3)
ax.legend(fontsize=8, loc="upper left")
ax.set_title("Iteration time, 16 x p4d.24xlarge", fontsize=9)
common.save(fig, out, "fig07")
