#!/usr/bin/env python3
"""ASTRA-sim 2.x inputs for the collective sequence of one gemini-sim ZeRO-3 iteration (issue 13 item 5).

Reads a gemini-sim run's timeline.json and summary.json (`gemini-sim run --config configs/p4d16.json
--set checkpoint.scheme=none --out DIR --timeline`) and writes, into OUT:

* workload/coll.<npu>.et: one Chakra execution trace per NPU (128), the iteration's all-gathers and
  reduce-scatters as COMM_COLL_NODEs in issue order, each depending on the one before (the communication
  stream runs them FIFO, back to back; no compute node: the comparison is of the collectives alone);
* network.yml: the analytical backend's 2-D topology (Switch x Switch: 8 GPUs on NVSwitch, 16 instances);
* system.json: ring all-gather / reduce-scatter in both dimensions;
* remote_memory.json: no memory expansion;
* collectives.csv: index, op, bytes (the whole array, as nccl-tests and gemini-sim count it), gemini-sim's
  duration in seconds.

Where the bytes come from: the timeline does not carry sizes, but in analytic mode every collective lasts
exactly (n - 1) alpha + bytes (n - 1) / n / C / B_bottleneck (sim/engine/collectives.cpp, analytic_time_s),
with n, C (rings = NICs per instance), alpha (ring_step_latency_s) and B (link_nic_Bps) from summary.json; the
script inverts that and checks the per-iteration totals against the summary's all-gather / reduce-scatter GB
(stdout). The network numbers are the ones gemini-sim prices p4d with (see network()).

Stdlib only: the Chakra protobuf messages (extern/graph_frontend/chakra/schema/protobuf/et_def.proto, fields
by number) are encoded by hand, length-delimited as chakra's protolib.encodeMessage writes them.
"""
import argparse
import csv
import json
import os
import sys

ALL_GATHER, REDUCE_SCATTER = 2, 7  # et_def.proto CollectiveCommType
COMM_COLL_NODE = 7                 # et_def.proto NodeType


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_varint(num, v):
    return varint(num << 3) + varint(v)


def field_bytes(num, data):
    return varint((num << 3) | 2) + varint(len(data)) + data


def attr_int64(name, v):  # AttributeProto{name = 1, int64_val = 9}
    return field_bytes(1, name.encode()) + field_varint(9, v)


def attr_bool(name, v):  # AttributeProto{name = 1, bool_val = 27}
    return field_bytes(1, name.encode()) + field_varint(27, int(v))


def node(nid, name, comm_type, comm_size, dep):
    body = field_varint(1, nid) + field_bytes(2, name.encode()) + field_varint(3, COMM_COLL_NODE)
    if dep is not None:
        body += field_bytes(5, varint(dep))  # data_deps, packed
    for a in (attr_bool("is_cpu_op", False), attr_int64("comm_type", comm_type), attr_int64("comm_size", comm_size)):
        body += field_bytes(10, a)
    return body


def delimited(msg):
    return varint(len(msg)) + msg


def collectives(timeline, summary):
    """(op, bytes, seconds) of iteration 0 on GPU 0's communication stream, sizes recovered (docstring)."""
    s = json.load(open(summary))
    n = s["config"]["instances"] * s["config"]["cluster"]["gpus_per_instance"]
    channels = s["config"]["cluster"]["nic"]["count"]
    alpha, nic_bps = s["ring_step_latency_s"], s["link_nic_Bps"]
    with open(os.path.join(os.path.dirname(summary), "iterations.csv")) as f:
        rows = list(csv.DictReader(f))
    t_end = float(rows[1]["start_s"]) * 1e6 if len(rows) > 1 else float("inf")  # iteration 0 only, in us
    ev = json.load(open(timeline))["traceEvents"]
    comm = [e for e in ev if e.get("ph") == "X" and e["pid"] == 0 and e["tid"] == 1 and e["ts"] < t_end
            and e["cat"] in ("all_gather", "reduce_scatter")]
    comm.sort(key=lambda e: e["ts"])
    out = []
    for e in comm:
        sec = e["dur"] * 1e-6
        b = (sec - (n - 1) * alpha) * nic_bps * channels * n / (n - 1)
        out.append((e["cat"], max(0, round(b / 2) * 2), sec, e["name"]))  # fp16: whole 2-byte elements
    return out, n, s


def network(s, flat):
    """The numbers gemini-sim prices p4d16 with (its summary and `gemini-sim calibration`).

    flat: gemini-sim's own ring as a 1-D topology (the congestion-aware backend takes only 1-D): 128 NPUs on
    one switch, each hop at the ring's bottleneck rate (C rings, one NIC each: C x B_nic) and alpha per step."""
    if flat:
        n = s["config"]["instances"] * s["config"]["cluster"]["gpus_per_instance"]
        bw = s["link_nic_Bps"] * s["config"]["cluster"]["nic"]["count"] / 1e9
        return ("topology: [ Switch ]\n"
                f"npus_count: [ {n} ]\n"
                f"bandwidth: [ {bw:.4f} ]  # GB/s\n"
                f"latency: [ {s['ring_step_latency_s'] * 1e9 / 2:.2f} ]  # ns per hop\n")
    gpi = s["config"]["cluster"]["gpus_per_instance"]
    nics = s["config"]["cluster"]["nic"]["count"]
    nv_GBps = s["link_nvlink_Bps"] / 1e9           # NVLink per GPU per direction, calibrated
    nic_GBps = s["link_nic_Bps"] * nics / gpi / 1e9  # one GPU's share of the instance's 4 EFA NICs
    nv_step_ns = s["ring_step_latency_s"] * 1e9     # send_recv ranks=2 alpha (max of the two fabrics)
    efa_ns = 12.9e3                                  # traces/calibration/published/efa.json latency_us
    # The analytical Switch charges 2 hops x latency per message: half the per-step alpha per hop.
    return ("topology: [ Switch, Switch ]\n"
            f"npus_count: [ {gpi}, {s['config']['instances']} ]\n"
            f"bandwidth: [ {nv_GBps:.4f}, {nic_GBps:.4f} ]  # GB/s\n"
            f"latency: [ {nv_step_ns / 2:.2f}, {efa_ns / 2:.2f} ]  # ns per hop\n")


SYSTEM = {
    "scheduling-policy": "FIFO",
    "endpoint-delay": 1,  # 1 ns: with 0 the event queue asserts (an event at the current time)
    "active-chunks-per-dimension": 1,
    "preferred-dataset-splits": 1,
    "all-reduce-implementation": ["ring", "ring"],
    "all-gather-implementation": ["ring", "ring"],
    "reduce-scatter-implementation": ["ring", "ring"],
    "all-to-all-implementation": ["ring", "ring"],
    "collective-optimization": "baseline",
    "local-mem-bw": 1555,
    "boost-mode": 0,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True, help="gemini-sim --out directory (summary.json, timeline.json)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", type=int, default=0, help="keep only the first N collectives (0: all)")
    ap.add_argument("--index", type=int, default=-1, help="keep only collective INDEX (-1: all)")
    ap.add_argument("--flat", action="store_true", help="1-D: gemini-sim's flat ring (see network())")
    ap.add_argument("--splits", type=int, default=1, help="system preferred-dataset-splits (chunks)")
    a = ap.parse_args()
    comms, n, s = collectives(os.path.join(a.run, "timeline.json"), os.path.join(a.run, "summary.json"))
    if a.only:
        comms = comms[: a.only]
    if a.index >= 0:
        comms = comms[a.index : a.index + 1]
    ag = sum(b for op, b, _, _ in comms if op == "all_gather")
    rs = sum(b for op, b, _, _ in comms if op == "reduce_scatter")
    print(f"{len(comms)} collectives: all-gathers {ag / 1e9:.1f} GB, reduce-scatters {rs / 1e9:.1f} GB, "
          f"gemini-sim busy {sum(c[2] for c in comms):.6f} s (summary: {s['collectives_per_iteration']} per iteration, "
          f"communication_busy_s {s['communication_busy_s']:.6f})")
    os.makedirs(os.path.join(a.out, "workload"), exist_ok=True)
    with open(os.path.join(a.out, "collectives.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["index", "op", "bytes", "gemini_s", "label"])
        for i, c in enumerate(comms):
            w.writerow([i, c[0], c[1], repr(c[2]), c[3]])
    # ASTRA-sim's ring all-gather takes each NPU's input (Ring.cc: final_data_size = data_size x nodes); its
    # reduce-scatter the whole array (final = data_size / nodes). gemini-sim's bytes are the whole array.
    nodes = bytearray()
    for i, (op, b, _, _) in enumerate(comms):
        ct, size = (ALL_GATHER, b // n) if op == "all_gather" else (REDUCE_SCATTER, b)
        nodes += delimited(node(i, f"{op}_{i}", ct, size, i - 1 if i else None))
    meta = delimited(field_bytes(1, b"0.0.4"))  # GlobalMetadata{version}
    for r in range(n):
        with open(os.path.join(a.out, "workload", f"coll.{r}.et"), "wb") as f:
            f.write(meta + nodes)
    with open(os.path.join(a.out, "network.yml"), "w") as f:
        f.write(network(s, a.flat))
    dims = 1 if a.flat else 2
    sysc = dict(SYSTEM, **{"preferred-dataset-splits": a.splits})
    for k in sysc:
        if k.endswith("-implementation"):
            sysc[k] = ["ring"] * dims
    with open(os.path.join(a.out, "system.json"), "w") as f:
        json.dump(sysc, f, indent=2)
    with open(os.path.join(a.out, "remote_memory.json"), "w") as f:
        json.dump({"memory-type": "NO_MEMORY_EXPANSION"}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
