#!/usr/bin/python3
"""Fig 13: generality on 16 p3dn: (a) iteration time without checkpoints and with GEMINI, (b) network idle
time without checkpoints and GEMINI's checkpoint time, for GPT-2 10B/20B/40B, RoBERTa 40B and BERT 40B.

fig13.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig13.csv (gemini-sim figure 13). The paper gives no numbers
for this figure (shared/gemini-paper.md: a generality check), so there are no paper markers.
"""
import common

data, out = common.args("fig13")
rows = common.read_rows(data / "fig13.csv")
models = []
for r in rows:
    if r["model"] not in models:
        models.append(r["model"])
width = 0.38


def value(model, scheme, key):
    sel = common.select(rows, model=model, scheme=scheme)
    return float(sel[0][key]) if sel and sel[0][key] else None


fig, (a, b) = common.figure(ncols=2, width=5.2, height=3.8)
for k, (scheme, label) in enumerate([("none", "No checkpoint"), ("gemini", "GEMINI")]):
    xs = [i + (k - 0.5) * width for i in range(len(models))]
    ys = [value(m, scheme, "iteration_time_s") for m in models]
    a.bar([x for x, y in zip(xs, ys) if y is not None], [y for y in ys if y is not None], width,
          color=common.COLORS[scheme], label=label + " (simulated)")
idle = [value(m, "none", "idle_time_no_ckpt_s") for m in models]
ckpt = [value(m, "gemini", "gemini_ckpt_time_s") for m in models]
b.bar([i - width / 2 for i in range(len(models))], [v or 0 for v in idle], width, color="#999999",
      label="Net. idle time w/o ckpt")
b.bar([i + width / 2 for i in range(len(models))], [v or 0 for v in ckpt], width, color=common.COLORS["gemini"],
      hatch="//", label="GEMINI ckpt time")
for ax, ylabel, title in [(a, "Iteration time (s)", "(a) iteration time"), (b, "Time (s)", "(b) network idle time")]:
    ax.set_xticks(range(len(models)))
    ax.set_xticklabels(models, rotation=20, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(title + ", 16 x p3dn.24xlarge (simulated)", fontsize=9)
common.save(fig, out, "fig13")
