"""Fault injection for the crash tests: kill the process at a named stage of a build.

Set ``ACO_KG_KILL_AT=STAGE`` in the environment and the build sends itself SIGKILL
when it reaches that stage, as a power cut or an out-of-memory kill would. The tests use
it to show that a killed build leaves the previous output byte-identical. Without the
variable, :func:`checkpoint` does nothing.
"""

from __future__ import annotations

import os
import signal

__all__ = ["STAGES", "checkpoint"]

#: The stages at which a build can be killed, in the order a build reaches them.
STAGES = ("read", "mapped", "validated", "written", "stored", "renamed")


def checkpoint(stage: str) -> None:
    """Kill this process now if ``ACO_KG_KILL_AT`` names `stage`."""
    if os.environ.get("ACO_KG_KILL_AT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)
