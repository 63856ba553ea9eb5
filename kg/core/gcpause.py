"""Pausing Python's cyclic garbage collector while a build makes millions of small objects.

Reading a large CSV file makes one list per record, and mapping makes one string per
triple. The cyclic collector runs every few hundred new container objects and, as
they pile up, scans all of them again and again: at the clinician size (690,000 rows,
8 million triples) that was a third of the reading time. These objects form no reference
cycles (reference counting frees them), so the collector has nothing to find there;
:func:`gc_paused` switches it off for such a stage and back on afterwards.

Examples
--------
>>> import gc
>>> with gc_paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused():
    """Switch the cyclic garbage collector off for the block (reference counting goes on)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
