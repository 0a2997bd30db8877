"""plots/run.py's Algorithm 2 panel: the checkpoint's chunks laid over the idle spans the plan used."""
import numpy as np

from run_style import C, legend_once, note_missing

MAX_PLAN_ROWS = 12  # more spans than this: one bar per span along the iteration instead of a row each


def panel_plan(ax, r, prefer="sim"):
    other = "profile" if prefer == "sim" else "sim"
    which, plan = prefer, r.plan_spans(prefer)
    if plan is None:
        which, plan = other, r.plan_spans(other)
    if plan is None:
        if r.get("checkpoint_scheme", r.config.get("checkpoint.scheme")) == "none" or "plan_note" in r:
            ax.text(0.5, 0.5, r.get("plan_note", "checkpoint.scheme is none: nothing planned"), ha="center",
                    va="center", fontsize=8, transform=ax.transAxes)
            ax.axis("off")
            return
        return note_missing(ax, "sim_plan_spans or plan_spans (summary.json)")
    prefix = "sim_" if which == "sim" else ""
    chunk = None
    if "plan_buffer_bytes" in r and "plan_sub_buffers" in r:
        chunk = float(r["plan_buffer_bytes"]) / float(r["plan_sub_buffers"])  # R / p
    if len(plan) <= MAX_PLAN_ROWS:
        plan_spans_detail(ax, plan, chunk)
    else:
        plan_spans_overview(ax, plan, r.get(prefix + "profile_spans_total"), float(r.get("plan_checkpoint_bytes", 0)))
    fits = r.get(prefix + "plan_fits")
    title = (f"Algorithm 2 ({r.get('plan_scheme', '')}): {r.get(prefix + 'plan_chunks', plan['chunks'].sum())} chunks"
             + (f" of {chunk / 1e6:.1f} MB (R/p)" if chunk else "")
             + f" over {r.get(prefix + 'profile_spans_used', len(plan))} of "
             + f"{r.get(prefix + 'profile_spans_total', '?')} gap positions"
             + (" (measured profile)" if which == "profile" else ""))
    if fits is False:
        title += (f"\ndoes not fit: {r.get(prefix + 'plan_leftover_bytes', 0) / 1e9:.3f} GB left over, update delayed "
                  f"{r.get(prefix + 'plan_update_delay_s', 0) * 1e3:.1f} ms")
    elif fits is True:
        title += "\nfits in the spans"
    if r.plan_spans(other) is not None:
        title += f" (also a {'measured' if other == 'profile' else 'simulated'}-profile plan: --plan {other})"
    ax.set_title(title, fontsize=8.5)


def chunk_edges(nbytes, n, chunk, busy):
    """Chunk boundaries in time: Algorithm 2 cuts R/p-byte chunks while the budget allows, then one smaller
    chunk; the summary gives each span's totals, so the times follow the bytes."""
    sizes = [chunk] * (n - 1) + [nbytes - chunk * (n - 1)] if chunk and chunk * (n - 1) < nbytes else [nbytes / n] * n
    return np.concatenate([[0.0], np.cumsum(sizes)]) / nbytes * busy


def plan_spans_detail(ax, plan, chunk):
    """A row per span: the span, its budget, and its chunks in order (red past the span's end)."""
    xmax = float(max(plan["busy_s"].max(), plan["span_s"].max())) * 1e3
    px_per_ms = ax.get_window_extent().width / (xmax * 1.6) if xmax > 0 else 0.0
    labels = []
    for i, (_, s) in enumerate(plan.iterrows()):
        y = -i
        span, budget, busy = float(s["span_s"]) * 1e3, float(s["budget_s"]) * 1e3, float(s["busy_s"]) * 1e3
        last = int(s["position"]) < 0
        if not last:
            ax.barh(y, span, height=0.7, color=C["span"], edgecolor="#b08800", lw=0.6,
                    label="idle span (profiled minimum)")
            ax.plot([budget, budget], [y - 0.38, y + 0.38], color="black", lw=1.0, label="budget mu x span")
        nbytes, n = float(s["bytes"]), int(s["chunks"])
        if n > 0 and nbytes > 0:
            inside = min(busy, span) if not last else 0.0
            if inside:
                ax.barh(y, inside, height=0.34, color=C["busy"], label="chunks within the span")
            if busy > inside:
                ax.barh(y, busy - inside, left=inside, height=0.34, color=C["checkpoint"],
                        label="chunks past the span (delay the update)")
            if busy / n * px_per_ms >= 3:  # chunk boundaries only where a chunk is a few pixels wide
                ax.vlines(chunk_edges(nbytes, n, chunk, busy)[1:-1], y - 0.17, y + 0.17, color="white", lw=0.3)
            ax.text(max(busy, span), y, f"  {n} chunks, {nbytes / 1e9:.3g} GB, busy {busy:.1f} ms", va="center",
                    fontsize=6.5)
        labels.append("after the last\ncommunication" if last else f"gap #{int(s['position'])}\n{span:.1f} ms")
    ax.set_yticks([-i for i in range(len(plan))])
    ax.set_yticklabels(labels, fontsize=6.5)
    ax.set_xlim(0, xmax * 1.6 if xmax > 0 else 1)
    ax.set_ylim(-len(plan) + 0.4, 0.6 + 0.3 * max(0, 3 - len(plan)))
    ax.set_xlabel("Time from the span's start (ms)")
    ax.grid(axis="x", alpha=0.3)
    legend_once(ax, loc="lower right")


def plan_spans_overview(ax, plan, positions, checkpoint_bytes):
    """Too many spans for a row each: the spans along the iteration (gap position), each with the time its
    chunks keep the network busy, and the share of the checkpoint placed so far."""
    pos = plan["position"].to_numpy(int)
    end = int(positions) if positions else int(pos.max()) + 1
    x = np.where(pos < 0, end, pos)  # the leftover goes after the last communication
    span, busy = plan["span_s"].to_numpy(float) * 1e3, plan["busy_s"].to_numpy(float) * 1e3
    width = max(1.0, end / 400)
    ax.bar(x[pos >= 0], span[pos >= 0], width, color=C["span"], edgecolor="#b08800", lw=0.3,
           label="idle span (profiled minimum)")
    within = np.minimum(busy, np.where(pos >= 0, span, 0))
    ax.bar(x, within, width * 0.6, color=C["busy"], label="busy with chunks, within the span")
    over = busy - within
    if (over > 0).any():
        ax.bar(x, over, width * 0.6, bottom=within, color=C["checkpoint"], label="busy with chunks, past the span")
    ax.set_xlabel("Gap position in the iteration (time order)")
    ax.set_ylabel("ms")
    ax.set_xlim(-end * 0.02, end * 1.04)
    ax.grid(axis="y", alpha=0.3)
    twin = ax.twinx()
    placed = np.cumsum(plan["bytes"].to_numpy(float))
    total = checkpoint_bytes if checkpoint_bytes > 0 else placed[-1]
    order = np.argsort(x, kind="stable")
    twin.step(x[order], 100 * placed[order] / total, where="post", color="black", lw=1.0,
              label="checkpoint placed so far (right)")
    twin.set_ylim(0, 105)
    twin.set_ylabel("% of the checkpoint placed", fontsize=7.5)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = twin.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2,
              framealpha=0.9)
    used = int((plan["chunks"] > 0).sum())
    ax.text(0.99, 0.8, f"{len(plan)} spans kept, {used} with chunks", transform=ax.transAxes, ha="right",
            va="top", fontsize=7, bbox=dict(facecolor="white", alpha=0.85, lw=0))
