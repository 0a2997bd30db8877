"""Start-up shims that let the GEMINI artifact (a DeepSpeed 0.7.3 fork, 2023) import and run under the GPU
machine's torch 2.11 / numpy 2 / Python 3.12. Put this directory first on PYTHONPATH; Python imports
`sitecustomize` at start-up (after the .pth files). Nothing here imports torch or numpy: the patches are
applied right after those modules are first imported (post-import hooks), so a process that never imports
them pays nothing. bench/reference/gemini_case.py also calls gemini_shims.apply_all() explicitly; both are
idempotent. What each shim stands in for, and why, is in gemini_shims.py.
"""
try:
    import gemini_shims

    gemini_shims.install_import_hooks()
except Exception as e:  # a broken shim must not take down every Python process started with this path
    import sys

    print(f"[sitecustomize] gemini shims not installed: {e!r}", file=sys.stderr)
