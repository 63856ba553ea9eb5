"""All-or-nothing publication of a build's outputs.

The output folder the user names (``--out out``) is a symbolic link to one complete
release in a hidden sibling folder (``.out.releases/``). A build writes a new release
beside the current one, flushes it to disk, and then swaps the link with one
``os.replace``, which is atomic: a reader, or a build killed at any moment, sees either
the previous release, untouched, or the new one, complete. Old releases are removed
only after the swap.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
import uuid
from pathlib import Path

from kg.core.errors import UsageError

__all__ = ["Release"]


def _fsync_tree(root: Path) -> None:
    for folder, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(folder))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Release:
    """A new release of the output folder, published only by :meth:`commit`.

    Use as a context manager; the staging folder it yields is removed unless committed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> release = Release(out)
    >>> with release as staging:
    ...     _ = (staging / "graph.nt").write_text("")
    ...     _ = release.commit()
    >>> (out / "graph.nt").exists(), out.is_symlink()
    (True, True)
    """

    def __init__(self, out: str | Path):
        self.out = Path(os.path.abspath(out))
        self.releases = self.out.parent / f".{self.out.name}.releases"
        self.staging: Path | None = None
        self.committed = False
        self._lock = None

    def _check_target(self) -> None:
        out = self.out
        if out.is_symlink():
            target = os.readlink(out)
            if not Path(target).parts[:1] == (self.releases.name,):
                raise UsageError(f"{out} is a link that aco-kg did not make; remove it or choose another "
                                 "output folder", argument="out")
        elif out.exists():
            if not out.is_dir() or any(out.iterdir()):
                raise UsageError(f"{out} exists and was not made by aco-kg; remove it or choose another "
                                 "output folder", argument="out")

    def __enter__(self) -> Path:
        self._check_target()
        self.releases.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.releases / ".lock", "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise UsageError(f"another build is writing {self.out}; wait for it to finish") from None
        for stale in self.releases.glob("staging-*"):  # left by a killed build
            shutil.rmtree(stale, ignore_errors=True)
        self.staging = self.releases / f"staging-{uuid.uuid4().hex}"
        self.staging.mkdir()
        return self.staging

    def commit(self) -> Path:
        """Publish the staging folder: flush it, then swap the link atomically.

        Returns
        -------
        Path
            The release folder now behind the output link.
        """
        assert self.staging is not None
        _fsync_tree(self.staging)
        final = self.releases / f"build-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        os.rename(self.staging, final)
        _fsync_dir(self.releases)
        from kg.graph import faults
        faults.checkpoint("renamed")
        link = self.out.parent / f".{self.out.name}.link-{uuid.uuid4().hex}"
        os.symlink(os.path.relpath(final, self.out.parent), link)
        if self.out.is_dir() and not self.out.is_symlink():
            self.out.rmdir()  # an empty folder the user made: nothing to lose
        os.replace(link, self.out)
        _fsync_dir(self.out.parent)
        self.committed = True
        for old in self.releases.glob("build-*"):
            if old != final:
                shutil.rmtree(old, ignore_errors=True)
        return final

    def __exit__(self, *exc) -> None:
        if not self.committed and self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
