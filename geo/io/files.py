"""Writing files safely: atomic replace, an advisory lock, and what killed writers leave.

The store, its rejected-rows side file, the user gazetteers and command
outputs are all written here: the new content goes to a temporary file in
the same folder, is flushed to disk and replaces the old file in one rename,
so a crash leaves either the old file or the new one, never half of each.
A read-only file is refused rather than replaced, and the temporary files of
writers that were killed are removed by the next write.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "locked",
    "refuse_read_only",
    "remove_stale_temporaries",
]


@contextlib.contextmanager
def locked(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive advisory lock for ``path`` (on ``path + '.lock'``)."""
    lock_path = Path(f"{os.fspath(path)}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _file_mode(path: Path) -> int:
    """Permission bits for a rewrite of ``path``: its own, else the umask's default."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    # os.umask can only be read by setting it, which races with other threads
    # (the app writes from Streamlit's); Linux reports it in /proc instead.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def atomic_write_text(path: str | os.PathLike[str], text: str, backup: bool = True) -> None:
    """Replace ``path`` with ``text`` (UTF-8) atomically, keeping the old file as ``.bak``.

    Raises
    ------
    PermissionError
        When ``path`` is read-only: someone marked it so, and a rename would
        replace it regardless of its permissions.
    """
    atomic_write_bytes(path, text.encode("utf-8"), backup=backup)


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes | Iterable[bytes], backup: bool = True
) -> None:
    """Replace ``path`` with ``data`` atomically, keeping the old file as ``.bak``.

    ``data`` may be given in pieces (an iterable of bytes): an append then
    streams the old file and the new rows without holding both in memory.

    Raises
    ------
    PermissionError
        When ``path`` is read-only (see :func:`atomic_write_text`).
    """
    p = Path(path)
    refuse_read_only(p)
    p.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(p)
    pieces = [data] if isinstance(data, bytes | bytearray) else data
    # The pid in the name tells a later writer whether this one is still alive.
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.{os.getpid()}.", suffix=".tmp", dir=p.parent)
    try:
        # mkstemp creates the file owner-only (0600); without this an app or a
        # colleague reading the store as another user loses access after one write.
        os.fchmod(fd, _file_mode(p))
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        if backup and p.exists():
            _keep_backup(p, p.with_name(p.name + ".bak"))
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(p.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _keep_backup(src: Path, dst: Path) -> None:
    """Make ``dst`` the current ``src``: a hard link where the file system allows, else a copy.

    The rename that follows gives ``src`` a new file and leaves the old one
    to ``dst`` alone, so a link keeps the previous version without copying
    it (a 220 MB store took 1.3 s to copy and flush).
    """
    link = dst.with_name(f".{dst.name}.{os.getpid()}.link")
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(link)
        os.link(src, link)
        os.replace(link, dst)
    except OSError:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(link)
        _copy_durably(src, dst)


def _copy_durably(src: Path, dst: Path) -> None:
    with open(src, "rb") as source, open(dst, "wb") as target:
        target.write(source.read())
        target.flush()
        os.fsync(target.fileno())


def refuse_read_only(path: Path) -> None:
    """Raise PermissionError when ``path`` exists without any write permission bit.

    The bits are read rather than tried: root may write anything, and an
    atomic rename ignores the old file's permissions altogether.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionError(
            errno.EACCES,
            "the file is read-only; it is not replaced (make it writable to change it)",
            str(path),
        )


# A temporary file older than this is a leftover whatever its name says: a
# recycled pid must not keep it forever.
_STALE_AFTER_S = 24 * 3600
# Temporaries written before names carried a pid have only the age to go by.
_STALE_UNNAMED_AFTER_S = 600


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete temporary copies of ``path`` that a killed writer left behind.

    A temporary named with a pid belongs to a dead writer when that process
    is gone; one without a pid (older writers) once it is ten minutes old.
    The temporaries of live writers, this process's included, are kept.
    """
    own = re.compile(re.escape(f".{path.name}.") + r"(?:(\d+)\.)?[^.]+\.tmp")
    removed = []
    now = time.time()
    for candidate in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        found = own.fullmatch(candidate.name)
        if found is None:
            continue
        with contextlib.suppress(FileNotFoundError):
            age = now - candidate.stat().st_mtime
            pid = int(found.group(1)) if found.group(1) else None
            if _is_stale(pid, age):
                candidate.unlink()
                removed.append(candidate)
    return removed


def glob_escape(name: str) -> str:
    """``name`` with glob wildcards bracketed so they match themselves."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _is_stale(pid: int | None, age: float) -> bool:
    if age > _STALE_AFTER_S:
        return True
    if pid is None:
        return age > _STALE_UNNAMED_AFTER_S
    if pid == os.getpid():
        return False  # another thread of this process may be writing it now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, owned by someone else
    return False
