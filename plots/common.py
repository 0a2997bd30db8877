"""Shared helpers for the figure scripts: read the simulator's CSVs (through gemini_results) and the paper's
reference values, overlay the paper's points, write PNG + PDF.

A figure script is `python3 plots/figNN.py DATA_DIR OUT_DIR`: it reads DATA_DIR/figNN*.csv (written by
`gemini-sim figure NN`) in one small function `read(data)`, the paper's values from plots/paper/figNN*.csv,
and writes OUT_DIR/figNN.png and .pdf. Columns are found by name, never by position. Typical use:

    import common
    data, out = common.args("fig11")
    rows = common.table(data / "fig11.csv")
    fig, ax = common.figure()
    ...
    common.overlay_paper(ax, common.paper("fig11"), "instances", "reduction", bandwidth_gbps=100)
    common.save(fig, out, "fig11")
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import deps  # noqa: E402

deps.need()

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import gemini_results  # noqa: E402

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
    if not data.is_dir():
        print(f"{sys.argv[0]}: DATA_DIR {data} is not a directory", file=sys.stderr)
        sys.exit(2)
    out.mkdir(parents=True, exist_ok=True)
    return data, out


def table(path, required=()):
    """A figure CSV as a DataFrame (gemini_results.read_table); exits 2 naming the file and the column when
    a required column is missing, so a format change fails with one clear line."""
    path = pathlib.Path(path)
    if not path.exists():
        print(f"{sys.argv[0]}: {path}: no such file (run gemini-sim figure first)", file=sys.stderr)
        sys.exit(2)
    df = gemini_results.read_table(path)
    lacking = [c for c in required if c not in df.columns]
    if lacking:
        print(f"{sys.argv[0]}: {path}: missing column(s) {', '.join(lacking)} (has {', '.join(df.columns)})",
              file=sys.stderr)
        sys.exit(2)
    return df


def paper(name):
    """The paper's reference values plots/paper/<name>.csv, or an empty DataFrame when there are none."""
    path = PAPER_DIR / f"{name}.csv"
    return gemini_results.read_table(path) if path.exists() else pd.DataFrame()


def _equal(column, value):
    if pd.api.types.is_numeric_dtype(column) and not isinstance(value, str):
        return column == value
    if pd.api.types.is_numeric_dtype(column):
        try:
            return column == float(value)
        except ValueError:
            return pd.Series(False, index=column.index)
    return column.astype(str) == str(value)


def select(df, **match):
    """The rows whose columns equal every given value (numbers compared as numbers, else as strings)."""
    if df is None or df.empty:
        return pd.DataFrame(columns=df.columns if df is not None else [])
    keep = pd.Series(True, index=df.index)
    for key, value in match.items():
        if key not in df.columns:
            return df.iloc[0:0]
        keep &= _equal(df[key], value)
    return df[keep]


def series(df, x, y, **match):
    """Sorted (xs, ys) as float arrays from the rows that match, rows with an empty y left out."""
    rows = select(df, **match)
    if rows.empty or x not in rows.columns or y not in rows.columns:
        return np.array([]), np.array([])
    rows = rows[[x, y]].dropna().astype(float).sort_values(x)
    return rows[x].to_numpy(), rows[y].to_numpy()


def value(df, column, **match):
    """One cell as a float (the first matching row), or None when there is no such row or it is empty."""
    rows = select(df, **match)
    if rows.empty or column not in rows.columns or pd.isna(rows.iloc[0][column]):
        return None
    return float(rows.iloc[0][column])


def in_order(column):
    """The distinct values of a column in the order they first appear."""
    return list(dict.fromkeys(column.tolist()))


def figure(ncols=1, width=5.0, height=3.6):
    """A figure with `ncols` axes side by side (a single axes when ncols == 1)."""
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False)
    return fig, (axes[0][0] if ncols == 1 else list(axes[0]))


def paper_legend_entry(ax, label="paper", **style):
    """One legend entry for the paper's markers per axes, whatever colours the markers have."""
    if not any(line.get_label() == label for line in ax.get_lines()):
        ax.plot([], [], label=label, **{**PAPER_STYLE, **style})


def overlay_paper(ax, rows, x, y, color=None, **match):
    """Marks the paper's values beside ours; the legend gets one "paper" entry per axes."""
    xs, ys = series(rows, x, y, **match)
    if not len(xs):
        return
    paper_legend_entry(ax)
    style = dict(PAPER_STYLE)
    if color:
        style["markeredgecolor"] = color
    ax.plot(xs, ys, label="_nolegend_", **style)


def save(fig, out_dir, name, tight=True):
    """Writes OUT_DIR/name.png (150 dpi) and name.pdf."""
    if tight:
        fig.tight_layout()
    for ext in ("png", "pdf"):
        fig.savefig(pathlib.Path(out_dir) / f"{name}.{ext}", dpi=150, bbox_inches="tight")
    plt.close(fig)
    print(f"{name}: {pathlib.Path(out_dir) / name}.png, .pdf")
