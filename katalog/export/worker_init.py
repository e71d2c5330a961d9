"""Imported only in the PDF's fork server (its `preload`, see katalog/export/assemble.py), never in the app.

multiprocessing starts each worker by running the parent's `__main__` first (guarded by `if __name__ ==
"__main__"` in a plain script). Under Streamlit `__main__` is whatever page script a session last started, which
would then run in every worker. A worker only needs katalog.export.layout and the chart code, so in the fork server,
and the workers forked from it, multiprocessing's re-running of `__main__` is turned off.
"""

from multiprocessing import spawn


def _no_main(*_args) -> None:
    """The worker does not run the parent's main module."""


spawn._fixup_main_from_path = _no_main
spawn._fixup_main_from_name = _no_main
