#!/usr/bin/env python3
"""plots/gemini_results.py, plots/run.py and the figure scripts, on result files written here and on ones the
built simulator writes.

Tables, Runs, Scripts: hermetic, no gemini-sim needed (run() is exercised with a stand-in binary that
records its arguments); they cover the output formats the simulator writes now and the ones issue 14 moves
to (quoted CSV, shortest round-trip numbers, per-point arrays in side files, schema_version, figure CSVs in
long format). BuiltBinary and the real-run picture need $GEMINI_SIM (ctest sets it to the built binary):
load_run / load_sweep read a run with --timeline and a two-point sweep of configs/bert5b-p3dn4.json.
Exits 77 (skipped, with a line naming what to install) when matplotlib, pandas or numpy are missing.
Run: [GEMINI_SIM=build/gemini-sim] python3 tests/plots/test_plots.py [-v] [Class ...]
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
PLOTS = REPO / "plots"
sys.path.insert(0, str(PLOTS))
import deps  # noqa: E402

deps.need(exit_code=77)

import gemini_results as gr  # noqa: E402
import pandas as pd  # noqa: E402

SPANS = [[0.0, 0.5, 12.0, 150.0, 3.0], [0.0, 0.5, 12.0, 150.0, 3.0], [0.0, 0.4, 11.0, 400.0, 2.0]]


def write(path, text):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def summary(**extra):
    """A small summary.json in the simulator's shape: 2 profiled iterations, then 1 with checkpoint."""
    s = {
        "model": "GPT-2 tiny", "cluster": "p4d.24xlarge", "instances": 4, "gpus": 32, "seed": 1,
        "config_file": "configs/tiny.json", "collective_mode": "analytic", "checkpoint_scheme": "gemini",
        "iteration_time_s": 1.0, "compute_time_s": 0.6, "exposed_communication_s": 0.4,
        "checkpoint_profile_iterations": 2, "checkpoint_time_s": 0.35, "checkpoint_overhead": 0.25,
        "network_idle_time_with_ckpt_s": 0.05, "failures_per_day": 0.029999999999999999,
        "checkpoints_per_hour": {"gemini": {"cpu_memory": 3600.0, "storage": 0.33}},
        "placement_groups": [[0, 1], [2, 3]], "placement_strategy": "group", "recovery_probability": 0.6667,
        "recovery_probability_method": "closed_form", "idle_spans_ms": SPANS, "plan_span_threshold_s": 0.1,
        "plan_buffer_bytes": 4000, "plan_sub_buffers": 4, "plan_scheme": "gemini", "plan_checkpoint_bytes": 10000,
        "sim_plan_spans": [{"position": 3, "span_s": 0.15, "budget_s": 0.12, "chunks": 6, "bytes": 6000,
                            "busy_s": 0.12},
                           {"position": -1, "span_s": 0.0, "budget_s": 0.0, "chunks": 4, "bytes": 4000,
                            "busy_s": 0.08}],
        "sim_plan_chunks": 10, "sim_plan_fits": False, "sim_plan_leftover_bytes": 4000,
        "sim_profile_spans_used": 1, "sim_profile_spans_total": 5,
        "config": {"checkpoint": {"replicas": 2, "span_threshold_ms": 100, "scheme": "gemini"},
                   "failures": {"simultaneous": 2}},
    }
    s.update(extra)
    return s


def iterations_csv(path):
    write(path, """
        iteration,start_s,iteration_time_s,compute_time_s,exposed_communication_s,communication_busy_s,network_idle_total_s,network_idle_time_s,idle_spans,long_idle_spans,longest_idle_span_s
        0,0.000000,0.8,0.6,0.2,0.5,0.3,0.15,5,1,0.15
        1,0.8,0.8,0.6,0.2,0.5,0.3,0.15,5,1,0.15
        2,1.6,1.0,0.6,0.4,0.5,0.5,0.4,5,1,0.4
    """)


def timeline(path):
    """GPU 0's tracks of one instance: collectives with a 150 ms gap in iteration 1, checkpoint sends in it."""
    ev = [{"name": "process_name", "ph": "M", "pid": 0, "tid": 0, "args": {"name": "instance 0"}}]
    for tid, name in ((0, "gpu 0 compute"), (1, "gpu 0 communication"), (16, "gpu 0 checkpoint send (NIC)")):
        ev.append({"name": "thread_name", "ph": "M", "pid": 0, "tid": tid, "args": {"name": name}})
    for it, start in enumerate((0.0, 0.8, 1.6)):
        t = start * 1e6
        for k, (gap_us, dur_us) in enumerate(((0, 100e3), (12e3, 100e3), (150e3 if it < 2 else 400e3, 100e3))):
            t += gap_us
            ev.append({"name": f"ag {k}", "cat": "all_gather", "ph": "X", "ts": t, "dur": dur_us, "pid": 0, "tid": 1})
            t += dur_us
        ev.append({"name": "fwd", "cat": "compute", "ph": "B", "ts": start * 1e6, "pid": 0, "tid": 0})
        ev.append({"name": "fwd", "cat": "compute", "ph": "E", "ts": start * 1e6 + 5e5, "pid": 0, "tid": 0})
    ev.append({"name": "send", "cat": "checkpoint", "ph": "X", "ts": 1.6e6 + 2.2e5, "dur": 3e5, "pid": 0, "tid": 16})
    pathlib.Path(path).write_text(json.dumps({"displayTimeUnit": "ms", "traceEvents": ev}))


class Tables(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp())

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_numbers_round_trip_and_strings_stay(self):
        path = write(self.tmp / "t.csv", """
            # a comment line
            "scheme","rate","fits","note","spans"
            "none",0.029999999999999999,true,,"[1,2]"
            "gemini",0.03,false,"a, b","[3]"
        """)
        df = gr.read_table(path, parse_json=True)
        self.assertEqual(list(df["scheme"]), ["none", "gemini"])  # "none" is a scheme, not a missing value
        self.assertEqual(list(df["rate"] == 0.03), [True, True])  # %.17g and shortest round-trip alike
        self.assertEqual(list(df["fits"]), [True, False])
        self.assertTrue(df["note"].isna()[0])
        self.assertEqual(df["note"][1], "a, b")
        self.assertEqual(df["spans"][0], [1, 2])

    def test_sweep_and_points(self):
        write(self.tmp / "sweep/results.csv", """
            point,hash,failures.rate_per_instance_day,status,error,iteration_time_s,idle_spans_ms
            0,aaa,0.014999999999999999,ok,,35.5,"[[1.0,2.0]]"
            1,bbb,0.03,ok,,35.5,
        """)
        (self.tmp / "sweep/points/aaa").mkdir(parents=True)
        (self.tmp / "sweep/points/aaa/summary.json").write_text(json.dumps(summary()))
        df = gr.load_sweep(self.tmp / "sweep")
        self.assertEqual(len(df[df["failures.rate_per_instance_day"] == 0.015]), 1)
        self.assertEqual(df["idle_spans_ms"][0], [[1.0, 2.0]])
        self.assertIsNone(df["point_dir"][1])
        p = gr.load_point(self.tmp / "sweep", df.iloc[0])
        self.assertEqual(p["model"], "GPT-2 tiny")
        with self.assertRaises(FileNotFoundError):
            gr.load_sweep(self.tmp)


class Runs(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp())

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_dir(self, name="run", **extra):
        d = self.tmp / name
        d.mkdir()
        (d / "summary.json").write_text(json.dumps(summary(**extra)))
        iterations_csv(d / "iterations.csv")
        return d

    def test_flattened_summary(self):
        r = gr.load_run(self.run_dir())
        self.assertEqual(r["checkpoints_per_hour.gemini.cpu_memory"], 3600.0)
        self.assertEqual(r.config["checkpoint.replicas"], 2)
        self.assertEqual(r.row["failures_per_day"][0], 0.03)
        self.assertNotIn("idle_spans_ms", r.row.columns)  # arrays stay out of the one-row frame
        self.assertIsNone(r.schema_version)
        self.assertEqual(len(r.iterations), 3)
        self.assertEqual(r.placement_groups(), [[1, 2], [3, 4]])
        self.assertEqual(r.placement_groups(one_based=False), [[0, 1], [2, 3]])

    def test_idle_spans_inline_and_in_side_files(self):
        inline = gr.load_run(self.run_dir("inline")).idle_spans()
        self.assertEqual(len(inline), 15)
        self.assertEqual(list(inline.groupby("iteration")["profiled"].first()), [True, True, False])
        long = ["iteration,position,span_ms"] + [f"{i},{p},{v!r}" for i, row in enumerate(SPANS)
                                                 for p, v in enumerate(row)]
        forms = {
            "named_long": ("idle_spans_ms.csv", "\n".join(long) + "\n", "idle_spans_ms.csv"),
            "named_seconds": ("spans.csv", "iteration,position,span_s\n" + "\n".join(
                f"{i},{p},{v / 1e3!r}" for i, row in enumerate(SPANS) for p, v in enumerate(row)) + "\n",
                {"file": "spans.csv"}),
            "found_wide": ("idle_spans_ms.csv", "\n".join(",".join(map(repr, row)) for row in SPANS) + "\n", None),
            "found_json": ("idle_spans.json", json.dumps(SPANS), None),
        }
        for name, (file, text, ref) in forms.items():
            extra = {"schema_version": 2, "idle_spans_ms": ref}
            d = self.run_dir(name, **extra)
            (d / file).write_text(text)
            got = gr.load_run(d).idle_spans()
            self.assertEqual(got["span_ms"].round(9).tolist(), inline["span_ms"].tolist(), name)
            self.assertEqual(gr.load_run(d).schema_version, 2)

    def test_lists_in_side_files(self):
        inline = gr.load_run(self.run_dir("inline"))
        d = self.run_dir("side", placement_groups="points/abc/placement_groups.json", sim_plan_spans=None)
        (d / "placement_groups.json").write_text(json.dumps(summary()["placement_groups"]))
        (d / "sim_plan_spans.json").write_text(json.dumps(summary()["sim_plan_spans"]))
        side = gr.load_run(d)
        self.assertEqual(side.placement_groups(), inline.placement_groups())
        self.assertEqual(side.plan_spans().to_dict("records"), inline.plan_spans().to_dict("records"))
        self.assertIsNone(side.plan_spans("profile"))

    def test_comm_gap_fallback(self):
        d = self.run_dir(idle_spans_ms=None)
        (d / "comm_gap.txt").write_text("0.0 0.5 - 12.0 150.0 3.0\n0.0 0.5 - 12.0 150.0 3.0\n")
        spans = gr.load_run(d).idle_spans()
        self.assertEqual(spans.attrs["source"], "comm_gap.txt")
        self.assertEqual(spans["span_ms"].tolist()[:5], [0.0, 0.5, 12.0, 150.0, 3.0])

    def test_timeline(self):
        d = self.run_dir()
        timeline(d / "timeline.json")
        tl = gr.load_run(d).timeline()
        self.assertEqual(set(tl["track"]), {"gpu 0 compute", "gpu 0 communication", "gpu 0 checkpoint send (NIC)"})
        fwd = tl[tl["name"] == "fwd"]
        self.assertEqual(len(fwd), 3)  # B/E pairs become slices
        self.assertAlmostEqual(fwd["dur_s"].iloc[0], 0.5)
        self.assertEqual(len(gr.load_run(d).timeline(1.6, 3.0)), 3 + 1 + 1)

    def test_run_passes_sets_and_reports_errors(self):
        fake = self.tmp / "fake-sim"
        fake.write_text(textwrap.dedent(f"""\
            #!{sys.executable}
            import json, pathlib, sys
            a = sys.argv[1:]
            if "--set" in a and "bad=1" in a:
                print("gemini-sim: cfg.json (--set): bad: no such key", file=sys.stderr); sys.exit(2)
            out = pathlib.Path(a[a.index("--out") + 1]); out.mkdir(parents=True, exist_ok=True)
            sets = [a[i + 1] for i, x in enumerate(a) if x == "--set"]
            (out / "summary.json").write_text(json.dumps({{"argv": a, "sets": sets}}))
            print("text summary")
        """))
        fake.chmod(0o755)
        old = os.environ.get("GEMINI_SIM")
        os.environ["GEMINI_SIM"] = str(fake)
        try:
            r = gr.run("cfg.json", sets={"instances": 32, "failures.rate_per_instance_day": 0.03},
                       out=self.tmp / "out", **{"checkpoint.scheme": "none", "run.standby": True})
            self.assertEqual(r["argv"][:3], ["run", "--config", "cfg.json"])
            self.assertEqual(r["sets"], ["instances=32", "failures.rate_per_instance_day=0.03",
                                         "checkpoint.scheme=none", "run.standby=true"])
            self.assertEqual(r.stdout, "text summary\n")
            with self.assertRaises(gr.SimulatorError) as e:
                gr.run("cfg.json", out=self.tmp / "out", bad=1)
            self.assertEqual(e.exception.returncode, 2)
            self.assertIn("bad: no such key", str(e.exception))
        finally:
            if old is None:
                os.environ.pop("GEMINI_SIM")
            else:
                os.environ["GEMINI_SIM"] = old



REAL_CONFIG = REPO / "configs/bert5b-p3dn4.json"  # 4 instances: about a second per run


@unittest.skipUnless(os.environ.get("GEMINI_SIM"), "set GEMINI_SIM to the built gemini-sim (ctest does)")
class BuiltBinary(unittest.TestCase):
    """load_run / load_sweep on directories the built gemini-sim wrote: a run with --timeline (through
    gr.run) and a two-point sweep. Checks that what the loaders return agrees with itself across files
    (summary.json, iterations.csv, the side files, results.csv), so a format change on either side fails."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = pathlib.Path(tempfile.mkdtemp())
        cls.result = gr.run(REAL_CONFIG, out=cls.tmp / "run", args=["--timeline"], cwd=REPO)
        sweep = [gr.binary(), "sweep", "--config", str(REAL_CONFIG), "--grid", "checkpoint.scheme=none,gemini",
                 "--out", str(cls.tmp / "sweep"), "-j", "1"]
        p = subprocess.run(sweep, cwd=REPO, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(sweep)} exited {p.returncode}: {p.stderr}")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_run_tables_agree(self):
        r = gr.load_run(self.result.dir)
        self.assertGreater(r["iteration_time_s"], 0)
        self.assertEqual(r.config["checkpoint.scheme"], "gemini")
        it = r.iterations
        self.assertEqual(len(it), r["simulated_iterations"])
        self.assertAlmostEqual(float(it["iteration_time_s"].iloc[-1]), r["iteration_time_s"], places=5)
        spans = r.idle_spans()
        per_iter = spans.groupby("iteration")["span_ms"]
        self.assertEqual(list(per_iter.size()), list(it["idle_spans"]))  # one span per gap, every iteration
        for got, want in zip(per_iter.sum() / 1e3, it["network_idle_total_s"]):
            self.assertAlmostEqual(got, want, places=5)
        self.assertEqual(int(spans["profiled"].groupby(spans["iteration"]).first().sum()), r.profiled_iterations())
        groups = r.placement_groups()
        self.assertEqual(sorted(i for g in groups for i in g), list(range(1, r["instances"] + 1)))
        plan = r.plan_spans()
        self.assertEqual(int(plan["chunks"].sum()), r["sim_plan_chunks"])
        self.assertTrue({"position", "span_s", "budget_s", "bytes", "busy_s"} <= set(plan.columns))
        for col in ("iteration_time_s", "checkpoint_bytes_per_gpu", "checkpoint_time_s"):  # units in the names
            self.assertTrue(pd.api.types.is_float_dtype(r.row[col]) or pd.api.types.is_integer_dtype(r.row[col]), col)

    def test_timeline(self):
        tl = self.result.timeline()
        self.assertGreater(len(tl), 1000)
        self.assertIn("gpu 0 communication", set(tl["track"]))
        self.assertTrue((tl["dur_s"] >= 0).all())
        it = self.result.iterations
        last = float(it["start_s"].iloc[-1] + it["iteration_time_s"].iloc[-1])
        self.assertLessEqual(tl["end_s"].max(), last + 1e-6)  # nothing traced after the last iteration
        part = self.result.timeline(float(it["start_s"].iloc[-1]), last)
        self.assertTrue(0 < len(part) < len(tl))

    def test_sweep_matches_its_points(self):
        df = gr.load_sweep(self.tmp / "sweep")
        self.assertEqual(list(df["checkpoint.scheme"]), ["none", "gemini"])  # "none" stays a string
        self.assertGreaterEqual(df.attrs["schema_version"], 1)
        for _, row in df.iterrows():
            p = gr.load_point(self.tmp / "sweep", row)
            self.assertEqual(p.config["checkpoint.scheme"], row["checkpoint.scheme"])
            self.assertEqual(row["iteration_time_s"], p["iteration_time_s"])  # exact: round-trip numbers
            self.assertEqual(row["idle_spans_ms"], p.array("idle_spans_ms"))  # side file read back as lists
        gemini = df[df["checkpoint.scheme"] == "gemini"].iloc[0]
        self.assertEqual(gemini["iteration_time_s"], self.result["iteration_time_s"])  # deterministic: same config


class Scripts(unittest.TestCase):
    """The scripts run as `python3 plots/X.py` and write their pictures; what they lack they say."""

    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp())

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def script(self, *args):
        return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, cwd=REPO)

    def run_dir(self, with_timeline):
        d = self.tmp / "run"
        d.mkdir()
        (d / "summary.json").write_text(json.dumps(summary()))
        iterations_csv(d / "iterations.csv")
        if with_timeline:
            timeline(d / "timeline.json")
        return d

    @unittest.skipIf(os.environ.get("GEMINI_SIM"), "test_run_picture_of_a_real_run draws every panel")
    def test_run_picture(self):
        p = self.script(PLOTS / "run.py", self.run_dir(True), "--out", self.tmp / "run.png")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertGreater((self.tmp / "run.png").stat().st_size, 10000)
        self.assertEqual(p.stderr, "")

    def test_run_picture_says_what_is_missing(self):
        d = self.run_dir(False)
        p = self.script(PLOTS / "run.py", d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("drawn without: timeline.json", p.stderr)
        self.assertTrue((d / "run.png").exists())
        self.assertEqual(self.script(PLOTS / "run.py", self.tmp / "nothing").returncode, 2)

    @unittest.skipUnless(os.environ.get("GEMINI_SIM"), "set GEMINI_SIM to the built gemini-sim (ctest does)")
    def test_run_picture_of_a_real_run(self):
        r = gr.run(REAL_CONFIG, out=self.tmp / "real", args=["--timeline"], cwd=REPO)
        p = self.script(PLOTS / "run.py", r.dir, "--out", self.tmp / "real.png")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")  # every panel found its data in what the simulator wrote
        self.assertGreater((self.tmp / "real.png").stat().st_size, 50000)

    def test_fig08_wide_and_long(self):
        wide = write(self.tmp / "wide/fig08.csv", """
            model,idle_time_no_ckpt_s,gemini_ckpt_time_s,idle_time_with_gemini_s
            GPT-2 100B,0.118774,1.773473,0.000000
        """).parent
        long = write(self.tmp / "long/fig08.csv", """
            "model","scheme","network_idle_time_s","checkpoint_time_s","network_idle_time_with_ckpt_s"
            "GPT-2 100B","none",0.118774,,
            "GPT-2 100B","gemini",1.773473,1.773473,0
        """).parent
        for data in (wide, long):
            p = self.script(PLOTS / "fig08.py", data, self.tmp / "out")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue((self.tmp / "out/fig08.png").exists())
        write(self.tmp / "bad/fig08.csv", "scheme,x\nnone,1\n")
        p = self.script(PLOTS / "fig08.py", self.tmp / "bad", self.tmp / "out")
        self.assertEqual(p.returncode, 2)
        self.assertIn("missing column(s) model", p.stderr)


if __name__ == "__main__":
    unittest.main()
