"""Host-side timers around named Python functions (the ZeRO-3 coordinator's hooks, the synchronisations).

Each wrapped function records, per call: inclusive wall time, exclusive time (inclusive minus the time of
wrapped functions it called, syncs included) and, for the blocking calls (kind "sync"), the time the host
waited. Wrappers are installed for a few steps only and removed again (uninstall), so the uninstrumented
steps that give the step times pay nothing; the instrumented steps' own step time is recorded too, so the
timers' perturbation can be read off.

Usage: t = HostTimers(); t.wrap(owner, "attr", "label", kind="hook"|"sync"); t.install(); ...; t.uninstall();
t.snapshot() -> {label: {calls, incl_us, excl_us, kind}}, and per-parent sync attribution.
"""
import functools
import inspect
import time


class HostTimers:
    def __init__(self):
        self.targets = []  # (owner, attr, label, kind, original raw attribute, defined on owner itself)
        self.stack = []  # [label, child_ns]
        self.stats = {}
        self.sync_by_parent = {}
        self.installed = False

    def wrap(self, owner, attr, label, kind="hook"):
        """Registers owner.attr (a class attribute or a module function). Missing targets are reported, not fatal."""
        try:
            raw = inspect.getattr_static(owner, attr)
        except AttributeError:
            return False
        own = attr in vars(owner)  # else inherited (torch.Tensor.item): uninstall deletes the shadowing attribute
        self.targets.append((owner, attr, label, kind, raw, own))
        return True

    def _make(self, fn, label, kind):
        stats, stack, by_parent = self.stats, self.stack, self.sync_by_parent
        clock = time.perf_counter_ns

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            frame = [label, 0]
            stack.append(frame)
            t0 = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                dt = clock() - t0
                stack.pop()
                s = stats.get(label)
                if s is None:
                    s = stats[label] = [0, 0, 0, kind]
                s[0] += 1
                s[1] += dt
                s[2] += dt - frame[1]
                if stack:
                    stack[-1][1] += dt
                    if kind == "sync":
                        key = (label, stack[-1][0])
                        p = by_parent.get(key)
                        if p is None:
                            p = by_parent[key] = [0, 0]
                        p[0] += 1
                        p[1] += dt
                elif kind == "sync":
                    key = (label, "(top level)")
                    p = by_parent.setdefault(key, [0, 0])
                    p[0] += 1
                    p[1] += dt

        return wrapper

    def install(self):
        if self.installed:
            return
        for owner, attr, label, kind, raw, _own in self.targets:
            if isinstance(raw, staticmethod):
                setattr(owner, attr, staticmethod(self._make(raw.__func__, label, kind)))
            elif isinstance(raw, classmethod):
                setattr(owner, attr, classmethod(self._make(raw.__func__, label, kind)))
            else:
                setattr(owner, attr, self._make(raw, label, kind))
        self.installed = True

    def uninstall(self):
        if not self.installed:
            return
        for owner, attr, label, kind, raw, own in reversed(self.targets):
            if own:
                setattr(owner, attr, raw)
            else:
                delattr(owner, attr)
        self.installed = False

    def reset(self):
        self.stats.clear()
        self.sync_by_parent.clear()

    def snapshot(self, steps=1):
        """Per-step averages over `steps` steps, in microseconds."""
        n = max(steps, 1)
        out = {}
        for label, (calls, incl, excl, kind) in sorted(self.stats.items()):
            out[label] = {
                "kind": kind,
                "calls_per_step": round(calls / n, 2),
                "incl_us_per_step": round(incl / n / 1e3, 1),
                "excl_us_per_step": round(excl / n / 1e3, 1),
                "excl_us_per_call": round(excl / max(calls, 1) / 1e3, 2),
                "incl_us_per_call": round(incl / max(calls, 1) / 1e3, 2),
            }
        syncs = [
            {"sync": s, "inside": p, "calls_per_step": round(c / n, 2), "wait_us_per_step": round(t / n / 1e3, 1)}
            for (s, p), (c, t) in sorted(self.sync_by_parent.items(), key=lambda kv: -kv[1][1])
        ]
        return {"functions": out, "syncs_by_caller": syncs, "missing": []}
