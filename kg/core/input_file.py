"""Reading a file that a user names: a regular file, at most a documented size, never blocking.

A data folder can hold anything under a CSV file's name: a FIFO, whose ``open()`` waits
for a writer that never comes; a link to ``/dev/zero``, which never ends; a directory.
:func:`read_input_file` looks at what the path is with :func:`os.stat` before opening it
(following symbolic links, and saying where a link leads), refuses anything but a regular
file, opens it without blocking, checks the open descriptor again (the path may have
changed in between), and reads at most :data:`MAX_INPUT_BYTES` bytes.

Examples
--------
>>> import os, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.csv").write_text("x\\n1\\n")
>>> read_input_file(folder / "a.csv")
b'x\\n1\\n'
>>> os.mkfifo(folder / "pipe.csv")
>>> read_input_file(folder / "pipe.csv")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kg.core.input_file.InputFileError: .../pipe.csv: not a regular file but a FIFO (named pipe)...
>>> (folder / "zero.csv").symlink_to("/dev/zero")
>>> read_input_file(folder / "zero.csv")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kg.core.input_file.InputFileError: .../zero.csv: not a regular file: a link to /dev/zero, a character device...
>>> read_input_file(folder / "a.csv", max_bytes=3)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kg.core.input_file.InputFileError: .../a.csv: the file has 4 bytes, over the limit of 3 bytes...
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kg.core.errors import AcoKgError

__all__ = ["MAX_INPUT_BYTES", "InputFileError", "read_input_file"]

#: The largest input file aco-kg reads: 512 MiB. The largest file it is measured on is
#: ``clinicians.csv`` of ``aco-kg synth --size clinician`` (850,198 rows, about 100 MB;
#: BENCHMARKS.md), and a build holds several times a file's size in memory while it
#: checks it. A larger input is refused before it is read.
MAX_INPUT_BYTES = 512 * 1024 * 1024

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class InputFileError(AcoKgError):
    """An input file that cannot be read: missing, not a regular file, too large, unreadable.

    Attributes
    ----------
    path : str
        The file as the user named it.
    reason : str
        Why it cannot be read, in words (without the file name).
    missing : bool
        True when nothing exists at `path` (a caller may treat that case apart).
    """

    def __init__(self, path: str | Path, reason: str, *, missing: bool = False):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason
        self.missing = missing


def _kind(mode: int) -> str:
    return next((words for test, words in _KINDS if test(mode)), "not a regular file")


def _refuse_unless_regular(path: Path, mode: int, size: int, max_bytes: int) -> None:
    if not stat.S_ISREG(mode):
        target = ""
        if path.is_symlink():
            target = f": a link to {os.path.realpath(path)}, {_kind(mode)}"
            raise InputFileError(path, f"not a regular file{target} (aco-kg reads regular files only)")
        raise InputFileError(path, f"not a regular file but {_kind(mode)} (aco-kg reads regular "
                                   "files only)")
    if size > max_bytes:
        raise InputFileError(path, f"the file has {size:,} bytes, over the limit of {max_bytes:,} "
                                   "bytes that aco-kg reads (MAX_INPUT_BYTES)")


def read_input_file(path: str | Path, *, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """Return the bytes of the regular file at `path`, refusing anything else.

    Parameters
    ----------
    path : str or Path
        The file; a symbolic link is followed, and what it leads to must be a regular file.
    max_bytes : int
        The most bytes to read (default :data:`MAX_INPUT_BYTES`).

    Returns
    -------
    bytes

    Raises
    ------
    InputFileError
        If nothing is at `path` (``missing`` is then True), if it is a directory, FIFO,
        device or socket (or a link to one), if it holds more than `max_bytes` bytes, or
        if it cannot be read (permissions, I/O error).
    """
    path = Path(path)
    try:
        info = os.stat(path)  # follows links; never opens, so a FIFO cannot block here
    except FileNotFoundError:
        broken = " (a link to a missing file)" if path.is_symlink() else ""
        raise InputFileError(path, f"file is missing{broken}", missing=True) from None
    except OSError as exc:
        raise InputFileError(path, f"cannot read the file: {exc.strerror}") from None
    _refuse_unless_regular(path, info.st_mode, info.st_size, max_bytes)
    try:
        # O_NONBLOCK: should the path have become a FIFO since the stat, open() returns at
        # once instead of waiting for a writer, and the fstat below refuses it
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputFileError(path, f"cannot read the file: {exc.strerror}") from None
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        opened = os.fstat(descriptor)
        _refuse_unless_regular(path, opened.st_mode, opened.st_size, max_bytes)
        try:
            data = _read_capped(handle, max_bytes)  # a size of 0 may hide more (/proc)
        except OSError as exc:
            raise InputFileError(path, f"cannot read the file: {exc.strerror}") from None
    if len(data) > max_bytes:  # the file grew while it was read
        raise InputFileError(path, f"the file has over {max_bytes:,} bytes, the limit that aco-kg "
                                   "reads (MAX_INPUT_BYTES)")
    return data


def _read_capped(handle, max_bytes: int) -> bytes:
    """Read to the end or to `max_bytes` + 1 bytes, whichever comes first."""
    chunks, total = [], 0
    while total <= max_bytes:
        chunk = handle.read(min(1 << 20, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)
