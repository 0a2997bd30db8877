"""gemini-sim's result files as pandas objects, and gemini-sim run from Python.

    import sys; sys.path.insert(0, "plots")        # or PYTHONPATH=plots
    import gemini_results as gr

    r = gr.load_run("results/p4d16")               # a directory written by `gemini-sim run --out DIR`
    r["iteration_time_s"]                          # any summary.json key, nested keys joined by '.'
    r.row                                          # the scalar keys as a one-row DataFrame (results.csv's columns)
    r.iterations                                   # iterations.csv; r.failures: failures.csv (None if absent)
    r.idle_spans()                                 # long DataFrame: iteration, position, span_ms
    r.plan_spans()                                 # Algorithm 2's per-span plan: position, span_s, budget_s, ...
    r.timeline(start_s=700, end_s=701)             # timeline.json slices: process, track, name, cat, start_s, ...

    df = gr.load_sweep("results/sweep")            # results.csv: one row per point, a column per key
    df[df["failures.rate_per_instance_day"] == 0.03]
    p = gr.load_point("results/sweep", df.iloc[0])  # that point's own directory as a Run

    r = gr.run("configs/p4d16.json", **{"checkpoint.scheme": "none"})   # or sets={"checkpoint.scheme": "none"}
    t = gr.read_table("figures/data/fig08.csv")    # any of gemini-sim's CSVs (figure data included)

Column names are the simulator's keys unchanged; they carry their units (_s, _ms, _bytes, _Bps, _gbps,
_per_hour ...). Numbers are parsed with round-trip precision, so a value the simulator printed from 0.03
compares equal to 0.03 whether it was written as "0.03" or "0.029999999999999999". Only empty cells are
missing values ("none", "null" and "NA" stay strings: "none" is a checkpoint scheme).

Robust to the output changes under way (issue 14 item 3): big per-point arrays (idle_spans_ms) may sit in
summary.json, in a side file named by summary.json, or in DIR/<key>.csv|json; summary.json may carry a
`schema_version` (kept in Run.schema_version); CSV cells may be quoted or not; numbers may be shortest
round-trip or %.17g.
"""
import json
import math
import os
import pathlib
import shutil
import subprocess
import tempfile

import numpy as np
import pandas as pd

from gemini_timeline import load_timeline, window  # noqa: F401 (part of this module's interface)

REPO = pathlib.Path(__file__).resolve().parent.parent

# Keys whose values are big per-iteration arrays: the lead is moving them out of summary.json/results.csv
# cells into side files in the run's (or point's) directory.
ARRAY_KEYS = ("idle_spans_ms",)


# ---------------------------------------------------------------------------------------------- tables


def _comment_free_lines(path):
    with open(path, newline="") as f:
        return [line for line in f if not line.startswith("#")]


def read_table(path, parse_json=False):
    """A gemini-sim CSV (results.csv, iterations.csv, figNN.csv ...) as a DataFrame.

    Lines starting with '#' are comments. Empty cells are NaN; every other string is kept as written.
    parse_json: cells of a column whose values all start with '[' or '{' become Python lists/dicts.
    """
    import io

    text = "".join(_comment_free_lines(path))
    if not text.strip():
        return pd.DataFrame()
    df = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""], float_precision="round_trip",
                     low_memory=False)
    for col in df.columns:
        if df[col].dtype == object:
            values = df[col].dropna().map(str)
            lowered = set(values.str.lower())
            if lowered and lowered <= {"true", "false"}:  # the simulator writes JSON booleans
                df[col] = df[col].map(lambda v: v if not isinstance(v, str) else v.lower() == "true")
            elif parse_json and len(values) and values.str.match(r"^\s*[\[{]").all():
                df[col] = df[col].map(lambda v: json.loads(v) if isinstance(v, str) else v)
    return df


# ---------------------------------------------------------------------------------------------- one run


def flatten(obj, prefix=""):
    """Nested dicts as one dict with dotted keys (as results.csv names them); lists stay values."""
    out = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def _scalar(v):
    return v is None or isinstance(v, (bool, int, float, str))


class Run:
    """One `gemini-sim run --out DIR`: summary.json flattened, plus the tables beside it.

    r[key] / r.get(key, default) / key in r: a flattened summary key. r.summary: the JSON as written.
    r.config: the resolved experiment config, flattened. r.row: the scalar keys as a one-row DataFrame.
    r.iterations, r.failures: DataFrames of iterations.csv / failures.csv, or None. r.files: what DIR holds.
    r.stdout: the text summary when the Run came from run().
    """

    def __init__(self, directory):
        self.dir = pathlib.Path(directory)
        path = self.dir / "summary.json"
        if not path.exists():
            raise FileNotFoundError(f"{path}: no summary.json (not a `gemini-sim run --out` directory?)")
        with open(path) as f:
            self.summary = json.load(f)
        self.schema_version = self.summary.get("schema_version")
        self.config = flatten(self.summary.get("config", {}))
        self.flat = flatten({k: v for k, v in self.summary.items() if k != "config"})
        self.row = pd.DataFrame([{k: v for k, v in self.flat.items() if _scalar(v)}])
        self.iterations = self._table("iterations.csv")
        self.failures = self._table("failures.csv")
        self.files = sorted(p.name for p in self.dir.iterdir())
        self.stdout = None
        self._timeline = None

    def _table(self, name):
        path = self.dir / name
        return read_table(path) if path.exists() else None

    def __getitem__(self, key):
        return self.flat[key]

    def get(self, key, default=None):
        value = self.flat.get(key, default)
        return default if value is None else value

    def __contains__(self, key):
        return self.flat.get(key) is not None

    def keys(self):
        return self.flat.keys()

    def __repr__(self):
        scheme = self.get("checkpoint_scheme", self.config.get("checkpoint.scheme"))
        return (f"Run({str(self.dir)!r}: {self.get('model', '?')} on {self.get('instances', '?')} x "
                f"{self.get('cluster', '?')}, scheme {scheme})")

    # -- big arrays, wherever they are stored

    def array(self, key):
        """A list-valued key (idle_spans_ms, sim_plan_spans, placement_groups ...) as a list, or None.

        Looked up in summary.json (inline, or a string / {"file": ...} naming a side file in DIR), then in
        DIR/<key>.json, DIR/<key>.csv and the same names without the unit suffix.
        """
        value = self.summary.get(key)
        if isinstance(value, list):
            return value
        names = []
        if isinstance(value, str):
            names.append(value)
        elif isinstance(value, dict):
            names += [value[k] for k in ("file", "path") if isinstance(value.get(k), str)]
        stem = key.rsplit("_", 1)[0] if key.endswith(("_ms", "_s")) else key
        names += [f"{key}.json", f"{key}.csv", f"{stem}.json", f"{stem}.csv"]
        for name in names:
            path = self.dir / name
            if path.exists():
                return _read_array_file(path, key)
        return None

    def idle_spans(self):
        """Every gap between training collectives, per simulated iteration: a DataFrame with columns
        iteration, position (the gap's index in the iteration, in time order), span_ms and profiled
        (True for the iterations the checkpoint planner profiled, before checkpoint traffic starts).
        None when the run has no simulated spans. Falls back to comm_gap.txt (0.1 ms resolution)."""
        rows = self.array("idle_spans_ms")
        source = "summary"
        if rows is None and (self.dir / "comm_gap.txt").exists():
            rows, source = read_comm_gap(self.dir / "comm_gap.txt"), "comm_gap.txt"
        if rows is None:
            return None
        frames = [pd.DataFrame({"iteration": i, "position": np.arange(len(r)), "span_ms": np.asarray(r, float)})
                  for i, r in enumerate(rows)]
        df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["iteration", "position",
                                                                                         "span_ms"])
        profiled = self.profiled_iterations()
        df["profiled"] = df["iteration"] < profiled if profiled is not None else True
        df.attrs["source"] = source
        return df

    def profiled_iterations(self):
        """How many leading simulated iterations ran without checkpoint traffic (the planner's profile)."""
        n = self.get("checkpoint_profile_iterations")  # absent without checkpoint traffic: all are profile
        return None if n is None else int(n)

    def plan_spans(self, which="sim"):
        """Algorithm 2's plan, one row per span it used: position (-1: after the last communication), span_s,
        budget_s, chunks, bytes, busy_s. which="sim": planned over the simulated spans (sim_plan_spans);
        "profile": over a measured --idle-profile (plan_spans). None if the run has no such plan."""
        rows = self.array("sim_plan_spans" if which == "sim" else "plan_spans")
        if rows is None:
            return None
        return pd.DataFrame(rows)

    def placement_groups(self, one_based=True):
        """Algorithm 1's groups as lists of instance numbers (from 1, as the text summary prints them)."""
        groups = self.array("placement_groups")  # inline, or a side file as sweep points have
        if groups is None:
            return None
        zero_based = any(0 in g for g in groups)
        shift = 1 if (one_based and zero_based) else (-1 if (not one_based and not zero_based) else 0)
        return [[int(i) + shift for i in g] for g in groups]

    def timeline(self, start_s=None, end_s=None, reload=False):
        """timeline.json's slices (see load_timeline), cut to [start_s, end_s) when given. Cached."""
        if self._timeline is None or reload:
            path = self.dir / "timeline.json"
            if not path.exists():
                return None
            self._timeline = load_timeline(path)
        return window(self._timeline, start_s, end_s)


def _read_array_file(path, key):
    if path.suffix == ".json":
        with open(path) as f:
            value = json.load(f)
        return value.get(key, next(iter(value.values()))) if isinstance(value, dict) else value
    with open(path) as f:
        first = next((line for line in f if not line.startswith("#")), "")
    cells = [c.strip().strip('"') for c in first.split(",")]
    if all(_is_number(c) or c == "" for c in cells):  # headerless: one row per iteration
        rows = []
        for line in _comment_free_lines(path):
            cells = [c.strip().strip('"') for c in line.strip().split(",") if c.strip()]
            rows.append([float(c) for c in cells])
        return rows
    df = read_table(path)  # long: iteration, position, value column
    value_col = next((c for c in df.columns if c not in ("iteration", "position")), None)
    if "iteration" not in df.columns or value_col is None:
        raise ValueError(f"{path}: expected columns iteration, position and a value column for {key}")
    scale = 1e3 if value_col.endswith("_s") and key.endswith("_ms") else 1.0
    df = df.sort_values(["iteration", "position"] if "position" in df.columns else ["iteration"])
    return [list(g[value_col].to_numpy(float) * scale) for _, g in df.groupby("iteration", sort=True)]


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def read_comm_gap(path):
    """The GEMINI artifact's comm_gap.txt (one line per iteration, gaps in ms, '-' between the all-gather
    and reduce-scatter positions) as lists of gaps in ms, one position index over both halves."""
    rows = []
    with open(path) as f:
        for line in f:
            values = [float(t) for t in line.split() if t != "-"]
            if values:
                rows.append(values)
    return rows


def load_run(directory):
    """A `gemini-sim run --out DIR` directory (or one sweep point's directory) as a Run."""
    return Run(directory)


# ---------------------------------------------------------------------------------------------- sweeps


def load_sweep(directory, parse_json=True):
    """A sweep's DIR/results.csv as a DataFrame, one row per grid point. Grid keys are columns named as
    given to --grid (dotted); the rest are the summary keys. A column point_dir holds each point's own
    directory (DIR/points/<hash>) when it exists; load_point() reads it as a Run."""
    directory = pathlib.Path(directory)
    path = directory / "results.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no results.csv (not a `gemini-sim sweep --out` directory?)")
    df = read_table(path, parse_json=parse_json)
    if parse_json:  # lists are side files, points/<hash>/<key>.json (schema 2): read them back as lists
        for col in df.columns:
            if df[col].dtype == object and df[col].map(_is_side_file).any():
                df[col] = [_read_side_file(directory, v) if _is_side_file(v) else v for v in df[col]]
    if "hash" in df.columns:
        dirs = [directory / "points" / str(h) for h in df["hash"]]
        df["point_dir"] = [str(d) if d.is_dir() else None for d in dirs]
    df.attrs["dir"] = str(directory)
    manifest = directory / "sweep.json"
    df.attrs["schema_version"] = json.loads(manifest.read_text()).get("schema_version") if manifest.exists() else 1
    return df


def _is_side_file(v):
    return isinstance(v, str) and v.startswith("points/") and v.endswith(".json") and v.count("/") == 2


def _read_side_file(directory, rel):
    with open(pathlib.Path(directory) / rel) as f:
        return json.load(f)


def load_point(directory, point):
    """One sweep point as a Run: point is a row of load_sweep()'s DataFrame, its hash, or its point_dir."""
    if isinstance(point, pd.Series):
        if point.get("point_dir"):
            return Run(point["point_dir"])
        point = point["hash"]
    path = pathlib.Path(point)
    if not path.is_dir():
        path = pathlib.Path(directory) / "points" / str(point)
    return Run(path)


# ---------------------------------------------------------------------------------------------- running


class SimulatorError(RuntimeError):
    """gemini-sim exited non-zero; .returncode and .stderr hold what it said (exit 2: bad input)."""

    def __init__(self, returncode, stderr, command):
        self.returncode, self.stderr, self.command = returncode, stderr, command
        last = stderr.strip().splitlines()[-1] if stderr.strip() else "(no message)"
        super().__init__(f"gemini-sim exited {returncode}: {last}")


def binary():
    """The gemini-sim to run: $GEMINI_SIM, else build/gemini-sim in this repository, else gemini-sim on PATH."""
    env = os.environ.get("GEMINI_SIM")
    if env:
        if not os.access(env, os.X_OK):
            raise FileNotFoundError(f"GEMINI_SIM={env}: not an executable file")
        return env
    built = REPO / "build" / "gemini-sim"
    if os.access(built, os.X_OK):
        return str(built)
    on_path = shutil.which("gemini-sim")
    if on_path:
        return on_path
    raise FileNotFoundError(f"no gemini-sim: set GEMINI_SIM, or build {built} (scripts/build)")


def format_value(value):
    """A Python value as --set writes it: booleans true/false, floats shortest round-trip, lists/dicts JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"--set needs a finite number, got {value}")
        return repr(value)
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, (np.integer, np.floating)):
        return format_value(value.item())
    return str(value)


def command(config, sets=None, out=None, args=(), **overrides):
    """The gemini-sim command line run() would execute (a list)."""
    merged = dict(sets or {})
    merged.update(overrides)
    cmd = [binary(), "run", "--config", str(config)]
    for key, value in merged.items():
        cmd += ["--set", f"{key}={format_value(value)}"]
    if out is not None:
        cmd += ["--out", str(out)]
    return cmd + [str(a) for a in args]


def run(config, sets=None, out=None, args=(), cwd=None, **overrides):
    """Runs `gemini-sim run --config CONFIG --set key=value ... --out OUT` and returns load_run(OUT).

    Overrides are dotted config keys: run(cfg, **{"checkpoint.scheme": "none"}) or
    run(cfg, sets={"checkpoint.scheme": "none", "instances": 32}); a plain keyword (instances=32) works for
    undotted keys. out: the result directory (default: a new temporary directory, left for the caller to
    delete: Run.dir). args: extra command-line arguments (e.g. ["--timeline"]). Raises SimulatorError
    when gemini-sim fails (exit 2 and its one-line message for bad input)."""
    if out is None:
        out = tempfile.mkdtemp(prefix="gemini-sim-run-")
    cmd = command(config, sets=sets, out=out, args=args, **overrides)
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SimulatorError(proc.returncode, proc.stderr, cmd)
    result = Run(out)
    result.stdout = proc.stdout
    return result
