"""Compatibility shims for running the GEMINI artifact (DeepSpeed 0.7.3 fork, github zhuangwang93/Gemini_SOSP23
at 9b551dd^) under torch 2.11, numpy 2 and Python 3.12. Each one restores a name that the 2023 code imports
and that a newer library removed, with the same meaning; none changes what the artifact computes.
(shared/artifact-notes.md section 5 lists them.)

* torch._six (removed in torch 2.0): the fork imports `inf` from it (deepspeed/runtime/utils.py,
  zero/stage3.py, zero/stage_1_and_2.py). torch._six.inf was math.inf; string_classes was (str, bytes).
* torch.distributed._all_gather_base / _reduce_scatter_base (private names, removed after their public
  successors all_gather_into_tensor / reduce_scatter_tensor landed): deepspeed/comm/torch.py calls them, and
  deepspeed/comm/utils.py probes for them with hasattr (without them the fork falls back to a path that
  "pass"es, i.e. silently does nothing). Same arguments (output, input, [op], group, async_op).
* numpy.BUFSIZE and the numpy aliases float/int/bool/object/complex/str (removed in numpy 1.24 / 2.0):
  deepspeed/autotuning/scheduler.py does `from numpy import BUFSIZE` (8192, numpy's old constant) at import.
* distutils (removed from the standard library in Python 3.12): op_builder/builder.py imports
  distutils.ccompiler; setuptools provides it (its own `_distutils_hack` normally does this through a .pth
  file; this only makes sure).
hjson is a separate stand-in module (hjson.py beside this file); pydantic 1.10 is Debian's python3-pydantic,
carried (bench/reference/README.md).
"""
import importlib.abc
import importlib.machinery
import importlib.util
import math
import sys

NUMPY_BUFSIZE = 8192  # numpy's numpy.BUFSIZE before it was removed (numpy/core/include/numpy/ndarraytypes.h NPY_BUFSIZE)
_NUMPY_ALIASES = {"float": float, "int": int, "bool": bool, "object": object, "complex": complex, "str": str}

applied = set()  # names of the shims applied in this process (the harness records them)


def apply_numpy(np):
    if not hasattr(np, "BUFSIZE"):
        np.BUFSIZE = NUMPY_BUFSIZE
        applied.add("numpy.BUFSIZE")
    for name, value in _NUMPY_ALIASES.items():
        try:
            getattr(np, name)
        except AttributeError:
            setattr(np, name, value)
            applied.add(f"numpy.{name}")


def apply_torch_distributed(dist):
    c10d = getattr(dist, "distributed_c10d", None)
    pairs = (("_all_gather_base", "all_gather_into_tensor"), ("_reduce_scatter_base", "reduce_scatter_tensor"))
    for old, new in pairs:
        for mod in (dist, c10d):
            if mod is None or hasattr(mod, old) or not hasattr(mod, new):
                continue
            setattr(mod, old, getattr(mod, new))
            applied.add(f"{mod.__name__}.{old}")


def _fill_six(module):
    import collections.abc

    module.inf = math.inf
    module.nan = math.nan
    module.string_classes = (str, bytes)
    module.int_classes = int
    module.container_abcs = collections.abc
    applied.add("torch._six")


class _SixFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Provides torch._six only when no real one exists (it sits at the end of sys.meta_path)."""

    def find_spec(self, name, path=None, target=None):
        if name == "torch._six":
            return importlib.machinery.ModuleSpec(name, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        _fill_six(module)


class _PostImportHooks(importlib.abc.MetaPathFinder):
    """Runs a patch function right after a module's own code has executed (numpy, torch.distributed)."""

    def __init__(self, hooks):
        self.hooks = hooks
        self.busy = set()

    def find_spec(self, name, path=None, target=None):
        hook = self.hooks.get(name)
        if hook is None or name in self.busy:
            return None
        self.busy.add(name)
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        finally:
            self.busy.discard(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        original = spec.loader.exec_module

        def exec_then_patch(module, _original=original, _hook=hook):
            _original(module)
            try:
                _hook(module)
            except Exception as e:  # report, never break the import itself
                print(f"[gemini_shims] post-import patch of {module.__name__} failed: {e!r}", file=sys.stderr)

        spec.loader.exec_module = exec_then_patch
        return spec


_installed = False


def install_import_hooks():
    global _installed
    if _installed:
        return
    _installed = True
    hooks = {"numpy": apply_numpy, "torch.distributed": apply_torch_distributed}
    # Modules imported before this ran (none, from sitecustomize) are patched now.
    for name, fn in hooks.items():
        if name in sys.modules:
            fn(sys.modules[name])
    sys.meta_path.insert(0, _PostImportHooks(hooks))
    sys.meta_path.append(_SixFinder())
    ensure_distutils()


def ensure_distutils():
    try:
        if importlib.util.find_spec("distutils") is not None:
            return
    except (ImportError, ValueError):
        pass
    try:
        import setuptools  # noqa: F401  (installs setuptools' distutils under the name distutils)

        applied.add("distutils<-setuptools")
    except ImportError:
        pass


def apply_all():
    """Explicit, idempotent: for a process that imported torch / numpy before the hooks were installed."""
    install_import_hooks()
    if "numpy" in sys.modules:
        apply_numpy(sys.modules["numpy"])
    if "torch.distributed" in sys.modules:
        apply_torch_distributed(sys.modules["torch.distributed"])
    if "torch._six" not in sys.modules:
        try:
            importlib.import_module("torch._six")
        except ImportError:
            pass
    return sorted(applied)
