#!/usr/bin/python3
"""Fig 14: timeline of one failure and its recovery with GEMINI (GPT-2 100B, 16 p4d), simulated.

fig14.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig14.csv (gemini-sim figure 14). One row per variant
(standby machine, replacement from the cloud); the paper's phase durations are printed beside ours.
"""
import common

data, out = common.args("fig14")
rows = common.read_rows(data / "fig14.csv")
paper = {r["phase"]: float(r["duration_s"]) for r in common.paper_rows("fig14") if r["mark"] == "P"}
COLOR = {"iteration": "#bbbbbb", "checkpoint": "#ff7f0e", "detection": "#d62728", "serialization": "#9467bd",
         "replacement": "#8c564b", "retrieval": "#2ca02c", "warmup": "#1f77b4"}


def kind(phase):
    for k in COLOR:
        if phase.startswith(k):
            return k
    return None


variants = list(dict.fromkeys(r["variant"] for r in rows))
fig, ax = common.figure(width=9.0, height=1.0 + 1.1 * len(variants))
for v, variant in enumerate(variants):
    for r in common.select(rows, variant=variant):
        k = kind(r["phase"])
        if k is None:
            continue
        y = v + (0.22 if k == "checkpoint" else -0.12)
        start, dur = float(r["start_s"]), float(r["duration_s"])
        ax.barh(y, dur, left=start, height=0.3, color=COLOR[k], edgecolor="black", linewidth=0.4,
                hatch="//" if "incomplete" in r["phase"] else None)
        label = r["phase"].replace("iteration_", "it ").replace("checkpoint_", "ck ").replace("_incomplete", "*")
        if k not in ("iteration", "checkpoint"):
            ref = paper.get(r["phase"], paper.get(k))
            label = f"{k}\n{dur:.0f}s" + (f" (paper {ref:.0f})" if ref is not None else "")
        ax.text(start + dur / 2, y, label, ha="center", va="center", fontsize=5.5)
ax.set_yticks(range(len(variants)))
ax.set_yticklabels(variants, fontsize=7)
ax.set_xlabel("Time (s) from the start of iteration 1; * = checkpoint in flight at the failure")
ax.set_ylim(-0.6, len(variants) - 0.4)
common.save(fig, out, "fig14")
