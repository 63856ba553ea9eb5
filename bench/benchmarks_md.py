"""Writing one benchmark's section of BENCHMARKS.md, keeping every other section.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "BENCHMARKS.md"
>>> replace_section(path, "## Maps (", "## Maps (x)\\nfirst\\n")
>>> replace_section(path, "## Report step (", "## Report step (y)\\nr\\n")
>>> replace_section(path, "## Maps (", "## Maps (x)\\nsecond\\n")
>>> print(path.read_text())
# Benchmarks
<BLANKLINE>
## Report step (y)
r
<BLANKLINE>
## Maps (x)
second
<BLANKLINE>
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["replace_section"]


def replace_section(path: str | Path, heading: str, text: str) -> None:
    """Replace the section of `path` whose heading starts with `heading` by `text` (put
    at the end), or add `text` when there is none; the file is created when missing."""
    path = Path(path)
    previous = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    start = previous.find(heading)
    if start >= 0:
        end = previous.find("\n## ", start + 1)
        previous = previous[:start] + previous[end + 1:] if end >= 0 else previous[:start]
    path.write_text(previous.rstrip("\n") + "\n\n" + text, encoding="utf-8")
