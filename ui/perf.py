"""Keep Streamlit's collection after every run cheap.

Streamlit runs a full `gc.collect(2)` after each script run (`runner.postScriptGC`). With pandas, Altair's
schema, pydantic models and the catalogue in memory, that walk over every long-lived object cost most of
the server's CPU per click (≈100 ms of ≈120 ms). Those objects never become garbage, so after the first
run they are moved out of the collector's sight with `gc.freeze()`; what each rerun creates is still
collected as before. The freeze happens once per server process.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_long_lived() -> None:
    """After the first run: collect once, then freeze what is left (modules, caches, the catalogue)."""
    global _frozen
    if _frozen:
        return
    gc.collect()
    gc.freeze()
    _frozen = True
