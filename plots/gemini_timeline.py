"""Chrome/Perfetto traces (timeline.json, failures_timeline.json) as pandas DataFrames of slices.

Part of gemini_results (which re-exports load_timeline and window); separate only to keep files short.
"""
import json

import numpy as np
import pandas as pd


def load_timeline(path):
    """A Chrome/Perfetto trace (timeline.json, failures_timeline.json) as a DataFrame of slices with columns
    pid, tid, process, track, name, cat, start_s, dur_s, end_s, sorted by start. Complete events ("X") and
    begin/end pairs ("B"/"E") are read; ts and dur are in microseconds as the trace format defines."""
    with open(path) as f:
        doc = json.load(f)
    events = doc["traceEvents"] if isinstance(doc, dict) else doc
    processes, tracks, slices, open_ = {}, {}, [], {}
    for e in events:
        ph = e.get("ph")
        if ph == "M":
            name = (e.get("args") or {}).get("name")
            if e.get("name") == "process_name":
                processes[e.get("pid")] = name
            elif e.get("name") == "thread_name":
                tracks[(e.get("pid"), e.get("tid"))] = name
        elif ph == "X":
            slices.append((e.get("pid"), e.get("tid"), e.get("name"), e.get("cat"), e["ts"], e.get("dur", 0.0)))
        elif ph == "B":
            open_.setdefault((e.get("pid"), e.get("tid")), []).append(e)
        elif ph == "E":
            stack = open_.get((e.get("pid"), e.get("tid")))
            if stack:
                b = stack.pop()
                slices.append((b.get("pid"), b.get("tid"), b.get("name"), b.get("cat"), b["ts"], e["ts"] - b["ts"]))
    df = pd.DataFrame.from_records(slices, columns=["pid", "tid", "name", "cat", "ts_us", "dur_us"])
    df["start_s"] = df.pop("ts_us").astype(float) * 1e-6
    df["dur_s"] = df.pop("dur_us").astype(float) * 1e-6
    df["end_s"] = df["start_s"] + df["dur_s"]
    df["process"] = df["pid"].map(processes)
    df["track"] = [tracks.get(k) for k in zip(df["pid"], df["tid"])]
    df = df.sort_values(["start_s", "pid", "tid"], kind="stable").reset_index(drop=True)
    df.attrs["processes"] = processes
    df.attrs["tracks"] = tracks
    return df


def window(slices, start_s=None, end_s=None):
    """The slices overlapping [start_s, end_s)."""
    if slices is None or (start_s is None and end_s is None):
        return slices
    keep = np.ones(len(slices), bool)
    if start_s is not None:
        keep &= slices["end_s"].to_numpy() > start_s
    if end_s is not None:
        keep &= slices["start_s"].to_numpy() < end_s
    return slices[keep]
