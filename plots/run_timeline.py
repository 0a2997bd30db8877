"""plots/run.py's timeline excerpts: GPU 0 of the first traced instance around one idle span (timeline.json)."""
import numpy as np

import gemini_results as gr
from run_style import C, note_missing

PAD_S = 0.15  # this much before and after the idle span


def gpu0_tracks(tl):
    """GPU 0 of the first traced instance: {'compute': tid, 'communication': tid, checkpoint tracks...}."""
    processes = tl.attrs.get("processes", {})
    tracks = tl.attrs.get("tracks", {})
    pid = min(processes) if processes else int(tl["pid"].min())
    out = {}
    for (p, tid), name in sorted(tracks.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if p == pid and name and name.startswith("gpu 0 "):
            out[name[len("gpu 0 "):]] = tid
    return pid, processes.get(pid, f"pid {pid}"), out


def gaps_between(comm, start, end):
    """(gap starts, gap lengths, index of the collective before each) between the training collectives that
    start inside [start, end)."""
    c = comm[(comm["start_s"] >= start) & (comm["start_s"] < end)].sort_values("start_s")
    if len(c) < 2:
        return None
    ends = np.maximum.accumulate(c["end_s"].to_numpy())
    return ends[:-1], c["start_s"].to_numpy()[1:] - ends[:-1], np.arange(len(c) - 1)


def pick_gap(gaps, ckpt):
    """The longest gap; with checkpoint traffic, the gap holding the most of it (where the plan put chunks)."""
    g0, glen, idx = gaps
    choice, why = int(np.argmax(glen)), "longest idle span"
    if ckpt is not None and len(ckpt):
        a, b = ckpt["start_s"].to_numpy(), ckpt["end_s"].to_numpy()
        inside = np.array([np.clip(np.minimum(b, s + d) - np.maximum(a, s), 0, None).sum() for s, d in zip(g0, glen)])
        if inside.max() > 0:
            best = int(np.argmax(inside))
            if best != choice:
                choice, why = best, "idle span with the most checkpoint traffic"
    return g0[choice], float(glen[choice]), int(idx[choice]), why


def panel_timeline(ax, r, tl, which):
    if tl is None:
        return note_missing(ax, "timeline.json")
    if r.iterations is None:
        return note_missing(ax, "iterations.csv (iteration start times)")
    it = r.iterations
    n = r.profiled_iterations()
    if which == "profiled":
        idx = (n - 1) if (n is not None and n <= len(it)) else len(it) - 1
    else:
        if n is None or n >= len(it):
            return None
        idx = len(it) - 1
    row = it.iloc[idx]
    start, end = float(row["start_s"]), float(row["start_s"]) + float(row["iteration_time_s"])
    pid, pname, tracks = gpu0_tracks(tl)
    comm_tid = next((t for k, t in tracks.items() if k.startswith("communication")), None)
    if comm_tid is None:
        return note_missing(ax, "a 'gpu 0 communication' track in timeline.json")
    mine = tl[tl["pid"] == pid]
    comm = mine[(mine["tid"] == comm_tid) & (mine["cat"] != "checkpoint")]
    gaps = gaps_between(comm, start, end)
    if gaps is None:
        return note_missing(ax, f"communication slices of iteration {idx} in timeline.json")
    ckpt_tids = [t for k, t in tracks.items() if "checkpoint" in k and "send" in k] or \
        [t for k, t in tracks.items() if "checkpoint" in k]
    ckpt = gr.window(mine[mine["tid"].isin(ckpt_tids)], start, end) if which != "profiled" else None
    g0, glen, gi, why = pick_gap(gaps, ckpt)
    where = f"after collective #{gi} of the iteration in the trace"
    spans = r.array("idle_spans_ms")  # name the gap as the planner does when the summary agrees
    if spans and idx < len(spans) and len(spans[idx]):
        row_ms = np.asarray(spans[idx], float)
        for p in (gi, gi + 1, gi - 1, int(np.argmax(row_ms))):  # the trace may hold one collective more or less
            if 0 <= p < len(row_ms) and abs(row_ms[p] - glen * 1e3) <= max(0.05, 0.01 * glen * 1e3):
                where = f"gap position #{p}"
                break
    lo, hi = g0 - PAD_S, g0 + glen + PAD_S
    order = sorted(tracks.items(), key=lambda kv: (0 if kv[0].startswith("compute") else
                                                    1 if kv[0].startswith("communication") else 2, kv[1]))
    ax.axvspan(0, glen * 1e3, color=C["span"], alpha=0.7, lw=0, label=f"idle span {glen * 1e3:.1f} ms")
    seen = set()
    for y, (name, tid) in enumerate(order):
        s = gr.window(mine[mine["tid"] == tid], lo, hi)
        for cat, grp in s.groupby(s["cat"].fillna("other")):
            color = C.get(cat, C["compute"] if "compute" in name else "#9467bd")
            lab = {"all_gather": "all-gather", "reduce_scatter": "reduce-scatter"}.get(cat, cat)
            bars = [((a - g0) * 1e3, d * 1e3) for a, d in zip(grp["start_s"], grp["dur_s"])]
            ax.broken_barh(bars, (-y - 0.38, 0.76), facecolors=color, edgecolor="white", linewidth=0.2,
                           label=lab if lab not in seen else "_nolegend_")
            seen.add(lab)
    ax.set_yticks([-y for y in range(len(order))])
    ax.set_yticklabels([n.replace("checkpoint ", "ckpt ") for n, _ in order], fontsize=6.5)
    ax.set_xlim(-PAD_S * 1e3, (glen + PAD_S) * 1e3)
    ax.set_ylim(-len(order) + 0.4, 1.5)  # an empty lane on top for the legend
    ax.set_xlabel(f"Time from the span's start (ms); the span starts {g0 - start:.3f} s into iteration {idx}")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=6.5, loc="upper right", ncol=5, framealpha=0.9)
    kind = "with checkpoint" if which != "profiled" else "no checkpoint" if n is None else "profiled, no checkpoint"
    ax.set_title(f"Timeline, {pname} GPU 0, iteration {idx} ({kind}): {why} between training "
                 f"collectives ({where})", fontsize=8.5)
