"""What the panels of plots/run.py share: colours and how a panel says that the run lacks its data."""

C = {
    "compute": "#7f7f7f",
    "exposed": "#ff7f0e",
    "busy": "#1f77b4",
    "idle_short": "#c7d9e8",
    "idle_long": "#ffd24d",
    "checkpoint": "#d62728",
    "all_gather": "#1f77b4",
    "reduce_scatter": "#2ca02c",
    "span": "#ffe9a8",
}
missing_log = []  # what the panels lacked, printed on stderr at the end


def note_missing(ax, what):
    """Marks a panel as lacking data and remembers what for the stderr summary."""
    missing_log.append(what)
    ax.text(0.5, 0.5, "not in this run's outputs:\n" + what, ha="center", va="center", fontsize=8,
            transform=ax.transAxes, color="#a00000")
    ax.set_xticks([])
    ax.set_yticks([])


def legend_once(ax, **kw):
    handles = {}
    for handle, label in zip(*ax.get_legend_handles_labels()):
        handles.setdefault(label, handle)
    ax.legend(handles.values(), handles.keys(), fontsize=6.5, framealpha=0.9, **kw)
