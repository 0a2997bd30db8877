"""Shared helpers for the figure scripts: read the simulator's CSVs and the paper's reference values,
overlay the paper's points, write PNG + PDF.

A figure script is `plots/figNN.py DATA_DIR OUT_DIR`: it reads DATA_DIR/figNN*.csv (written by
`gemini-sim figure NN`), the paper's values from plots/paper/figNN*.csv, and writes OUT_DIR/figNN.png
and .pdf. Typical use:

    import common
    data, out = common.args("fig11")
    rows = common.read_rows(data / "fig11.csv")
    fig, ax = common.figure()
    ...
    common.overlay_paper(ax, common.paper_rows("fig11"), "instances", "reduction", bandwidth_gbps="100")
    common.save(fig, out, "fig11")
"""

import csv
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

PAPER_DIR = pathlib.Path(__file__).resolve().parent / "paper"

# The paper's points: black, hollow, one legend entry "paper" per axes.
PAPER_STYLE = dict(marker="o", markersize=7, markerfacecolor="none", markeredgecolor="black", linestyle="none",
                   markeredgewidth=1.2, zorder=5)

# One colour per system or series name, the same in every figure.
COLORS = {
    "none": "#555555",
    "strawman": "#1f77b4",
    "highfreq": "#2ca02c",
    "gemini": "#d62728",
    "group": "#d62728",
    "mixed": "#d62728",
    "ring": "#1f77b4",
}
LABELS = {"none": "No failure", "strawman": "Strawman", "highfreq": "HighFreq", "gemini": "GEMINI"}


def args(name):
    """DATA_DIR and OUT_DIR from the command line (as pathlib.Path); exits 2 with usage otherwise."""
    if len(sys.argv) != 3:
        print(f"usage: {sys.argv[0]} DATA_DIR OUT_DIR   (reads DATA_DIR/{name}*.csv)", file=sys.stderr)
        sys.exit(2)
    data, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    return data, out


def read_rows(path):
    """Rows of a CSV file as dicts of strings; lines starting with '#' are comments."""
    with open(path, newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def paper_rows(name):
    """The paper's reference values plots/paper/<name>.csv, or [] when there are none."""
    path = PAPER_DIR / f"{name}.csv"
    return read_rows(path) if path.exists() else []


def select(rows, **match):
    """The rows whose columns equal every given value (compared as strings)."""
    return [r for r in rows if all(r.get(k) == str(v) for k, v in match.items())]


def series(rows, x, y, **match):
    """Sorted (xs, ys) as floats from the rows that match."""
    pts = sorted((float(r[x]), float(r[y])) for r in select(rows, **match))
    return [p[0] for p in pts], [p[1] for p in pts]


def figure(ncols=1, width=5.0, height=3.6):
    """A figure with `ncols` axes side by side (a single axes when ncols == 1)."""
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False)
    return fig, (axes[0][0] if ncols == 1 else list(axes[0]))


def overlay_paper(ax, rows, x, y, color=None, **match):
    """Marks the paper's values beside ours; the legend gets one "paper" entry per axes."""
    xs, ys = series(rows, x, y, **match)
    if not xs:
        return
    if not any(line.get_label() == "paper" for line in ax.get_lines()):
        ax.plot([], [], label="paper", **PAPER_STYLE)  # the legend entry, black whatever the colours
    style = dict(PAPER_STYLE)
    if color:
        style["markeredgecolor"] = color
    ax.plot(xs, ys, label="_nolegend_", **style)


def save(fig, out_dir, name):
    """Writes OUT_DIR/name.png (150 dpi) and name.pdf."""
    fig.tight_layout()
    for ext in ("png", "pdf"):
        fig.savefig(pathlib.Path(out_dir) / f"{name}.{ext}", dpi=150)
    plt.close(fig)
    print(f"{name}: {pathlib.Path(out_dir) / name}.png, .pdf")
