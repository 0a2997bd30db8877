#!/usr/bin/env python3
"""Fig 14: timeline of one failure and its recovery with GEMINI (GPT-2 100B, 16 p4d), simulated.

fig14.py DATA_DIR OUT_DIR -- reads DATA_DIR/fig14.csv (gemini-sim figure 14): variant, phase, start_s,
duration_s, a row per phase of each variant (standby machine, replacement from the cloud). Training
iterations and checkpoints are on two lanes; each recovery phase is labelled with its simulated duration
and the paper's (plots/paper/fig14.csv). A label too long for its bar goes under the lane, on a leader line.
"""
import common

COLOR = {"iteration": "#bbbbbb", "checkpoint": "#ff7f0e", "detection": "#d62728", "serialization": "#9467bd",
         "replacement": "#8c564b", "retrieval": "#2ca02c", "warmup": "#1f77b4"}
LANE = 0.42  # bar height; a variant takes 1.9 units: checkpoint lane, training lane, labels under it
STEP = 1.9


def read(data):
    """fig14.csv -> rows with columns variant, phase, start_s, duration_s."""
    return common.table(data / "fig14.csv", required=("variant", "phase", "start_s", "duration_s"))


def paper_durations(paper):
    """phase -> the paper's duration as text: '15', '< 3' (an upper bound), '240-420' (a range)."""
    out = {}
    if paper.empty:
        return out
    for phase in common.in_order(paper["phase"]):
        rows = common.select(paper, phase=phase)
        marks = dict(zip(rows["mark"], rows["duration_s"]))
        if "P" in marks:
            out[phase] = f"{marks['P']:g}"
        elif "P_upper_bound" in marks:
            out[phase] = f"< {marks['P_upper_bound']:g}"
        elif "P_lower" in marks and "P_upper" in marks:
            out[phase] = f"{marks['P_lower']:g}-{marks['P_upper']:g}"
    return out


def kind(phase):
    return next((k for k in COLOR if phase.startswith(k)), None)


def seconds(d):
    return f"{d:.0f} s" if d >= 10 else f"{d:.1f} s"


data, out = common.args("fig14")
rows = read(data)
paper = paper_durations(common.paper("fig14"))
variants = common.in_order(rows["variant"])

fig, ax = common.figure(width=9.0, height=0.9 + 1.45 * len(variants))
labels = []  # (text, bar start, bar end, lane y, variant index) for the overlap pass
end_max = 0.0
for v, variant in enumerate(variants):
    base = v * STEP
    for _, r in common.select(rows, variant=variant).iterrows():
        start, dur, phase = float(r["start_s"]), float(r["duration_s"]), str(r["phase"])
        end_max = max(end_max, start + dur)
        k = kind(phase)
        if k is None:
            if phase.startswith("resume") and dur == 0:
                ax.annotate(phase.replace("_", " "), (start, base), xytext=(4, 0), textcoords="offset points",
                            va="center", fontsize=6)
            continue
        y = base + (LANE + 0.06 if k == "checkpoint" else 0.0)
        ax.barh(y, dur, left=start, height=LANE, color=COLOR[k], edgecolor="black", linewidth=0.4,
                hatch="//" if "incomplete" in phase else None)
        if k in ("iteration", "checkpoint"):
            text = phase.replace("iteration_", "it ").replace("checkpoint_", "ck ").replace("_incomplete", "*")
        else:
            ref = paper.get(phase, paper.get(k))
            text = f"{k}\n{seconds(dur)}" + (f"\n(paper {ref})" if ref is not None else "")
        labels.append((ax.text(start + dur / 2, y, text, ha="center", va="center", fontsize=6), start, start + dur,
                       y, v))

ax.set_xlim(0, end_max * 1.18)  # room for the "resume" note after the last phase
ax.set_ylim(-0.95, (len(variants) - 1) * STEP + LANE * 2 + 0.35)
ax.set_yticks([v * STEP for v in range(len(variants))])
ax.set_yticklabels([v.replace("_", " ") for v in variants], fontsize=7)
ax.set_xlabel("Time (s) from the start of iteration 1; * = checkpoint in flight at the failure")
ax.grid(axis="x", alpha=0.3)
fig.tight_layout()

# Labels wider than their bars move under the training lane, staggered so that none overlaps another.
fig.canvas.draw()
renderer = fig.canvas.get_renderer()
placed = {}
for text, x0, x1, y, v in labels:
    (px0, _), (px1, _) = ax.transData.transform([(x0, y), (x1, y)])
    if text.get_window_extent(renderer).width <= (px1 - px0) - 2:
        continue
    if y > v * STEP:  # the checkpoint lane: above it, where nothing else is
        text.set_position((x0 + (x1 - x0) / 2, y + LANE / 2 + 0.04))
        text.set_va("bottom")
        continue
    text.set_text(text.get_text().replace("\n", " ", 1))  # one line less: "detection 15 s" over "(paper 15)"
    text.set_va("top")
    for level in range(4):
        ty = v * STEP - LANE / 2 - 0.12 - 0.3 * level
        text.set_position((x0 + (x1 - x0) / 2, ty))
        box = text.get_window_extent(renderer).expanded(1.05, 1.0)
        if not any(box.overlaps(b) for b in placed.get(v, [])):
            break
    placed.setdefault(v, []).append(text.get_window_extent(renderer))
    ax.plot([x0 + (x1 - x0) / 2] * 2, [y - LANE / 2, ty], color="black", lw=0.5)
common.save(fig, out, "fig14", tight=False)
