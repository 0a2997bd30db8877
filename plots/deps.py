"""Makes `python3 plots/X.py` work whichever python3 comes first on PATH.

The plot scripts need matplotlib, pandas and numpy (plots/requirements.txt). On Debian they come from
apt (scripts/install-deps) and live in /usr/bin/python3's dist-packages; a python3 from pyenv, conda or a
venv earlier on PATH does not see them. A script calls `deps.need()` before importing them: when this
interpreter lacks a module and the system interpreter has them all, the script is re-run under the system
interpreter (same arguments); otherwise it stops with one line saying what to install. A library user
(`import gemini_results`) gets a plain ImportError instead: re-running an interactive session is not ours.
"""
import importlib.util
import os
import sys

MODULES = ("matplotlib", "pandas", "numpy")
SYSTEM_PYTHON = "/usr/bin/python3"
_GUARD = "GEMINI_PLOTS_REEXEC"  # set in the re-run, so a broken system interpreter cannot loop


def missing(modules=MODULES):
    return [m for m in modules if importlib.util.find_spec(m) is None]


def _system_has(modules):
    import subprocess

    probe = "import importlib.util,sys; sys.exit(any(importlib.util.find_spec(m) is None for m in sys.argv[1:]))"
    try:
        return subprocess.run([SYSTEM_PYTHON, "-c", probe, *modules], capture_output=True).returncode == 0
    except OSError:
        return False


def need(modules=MODULES, exit_code=1):
    """Returns when every module imports here; else re-runs the script under /usr/bin/python3 or exits with
    exit_code (a test passes 77: skipped)."""
    lacking = missing(modules)
    if not lacking:
        return
    here = os.path.realpath(sys.executable or "")
    if (os.environ.get(_GUARD) is None and os.access(SYSTEM_PYTHON, os.X_OK)
            and os.path.realpath(SYSTEM_PYTHON) != here and _system_has(modules)):
        os.environ[_GUARD] = "1"
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, *sys.argv])
    print(f"{os.path.basename(sys.argv[0])}: {sys.executable} lacks Python package(s) {', '.join(lacking)}; "
          "see plots/requirements.txt (Debian: scripts/install-deps)", file=sys.stderr)
    sys.exit(exit_code)
