"""Folders the tool owns: written complete beside their target, swapped into place atomically.

The tool replaces a folder only when it wrote it (its marker file says so, and of which kind:
a plan, a several-province run, a scenario) or when the folder is empty. Anything else — a
file, a folder of someone's notes, an input folder, a folder that holds the inputs, the home
folder — is refused with a message saying why, before any work is done and again at the swap.

How a folder is replaced (`publish`):
1. the new contents are written into a hidden staging folder beside the target
   (`.NAME.new-XXXXXXXX`), each file flushed to disk;
2. under an exclusive lock on the parent folder, one atomic exchange (Linux `renameat2`
   with RENAME_EXCHANGE) puts the new folder at the target's name and the old one at the
   staging name; then the old plan becomes `NAME.previous` (again by an exchange, so an older
   `.previous` is only deleted once the new one is in place).
At every instant the target's name holds either the complete old folder or the complete new
one: a crash, a kill, a full disk or a concurrent run can leave a hidden staging folder behind
(removed by the next run once its writer is gone), never a half-written or missing target.
Where the exchange is not available (another OS or file system) the fallback is two renames:
a crash between them leaves no target but the complete old folder at `NAME.previous`.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import secrets
import shutil
import signal
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.problems import msg

MARKER = ".commune-staffing"
PREVIOUS = ".previous"
STAGING = ".new-"
# Folders written before markers existed: only these files, metrics.json among them.
LEGACY_PLAN_FILES = frozenset({"plan.csv", "communes.csv", "metrics.json"})
_NOTE = (
    "This folder was written by commune-staffing ({kind}). The next run replaces it as a "
    "whole{kept}: keep your own files elsewhere.\n"
)


class OutputRefused(Exception):
    """The tool will not write to this place; the message (a models.Msg, shown in the active
    language) says why and what to do."""


@dataclass(frozen=True)
class Target:
    """Where a run will publish a folder, checked: `kind` is what the marker will say."""

    path: Path
    kind: str
    keep_previous: bool = True

    @property
    def previous(self) -> Path:
        return self.path.with_name(self.path.name + PREVIOUS)


def marker_kind(folder: Path) -> str | None:
    """The kind written in a folder's marker, "legacy-plan" for a plan folder written before
    markers, None for a folder the tool did not write."""
    m = folder / MARKER
    if m.is_file():
        try:
            data = json.loads(m.read_text("utf-8").split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        kind = data.get("kind") if isinstance(data, dict) else None
        return kind if isinstance(kind, str) else None
    try:
        names = {p.name for p in folder.iterdir()}
    except OSError:
        return None
    if names and names <= LEGACY_PLAN_FILES and "metrics.json" in names:
        return "legacy-plan"
    return None


def marker_text(kind: str, name: str, keep_previous: bool = True) -> str:
    head = json.dumps({"written_by": "commune-staffing", "kind": kind})
    kept = f" (the one before is kept as {name}{PREVIOUS})" if keep_previous else ""
    return head + "\n" + _NOTE.format(kind=kind, kept=kept)


def _is_scenario_folder(p: Path) -> bool:
    return (p / "scenario.yaml").is_file() or (
        p.is_dir() and any((d / "scenario.yaml").is_file() for d in _subdirs(p))
    )


def _subdirs(p: Path) -> list[Path]:
    try:
        return [d for d in p.iterdir() if d.is_dir() and not d.is_symlink()]
    except OSError:
        return []


def _inside(a: Path, b: Path) -> bool:
    """a is b or inside b (both resolved)."""
    return a == b or b in a.parents


def check_target(
    out: Path, kind: str, inputs: tuple[Path, ...] = (), keep_previous: bool = True
) -> Target:
    """A checked publishing target, or OutputRefused saying why not."""
    out = Path(out)
    if out.is_symlink():
        raise OutputRefused(
            msg("{path} is a symbolic link; give the folder it points to, or a new one", path=out)
        )
    real = out.resolve()
    home = Path.home().resolve()
    if real == Path(real.anchor) or real == home or _inside(home, real):
        if real == home:
            raise OutputRefused(
                msg(
                    "{path} is the home folder; give a folder of its own, e.g. plans/NAME", path=out
                )
            )
        raise OutputRefused(
            msg(
                "{path} is a folder that holds the home folder; give a folder of its own, "
                "e.g. plans/NAME",
                path=out,
            )
        )
    if _inside(Path.cwd().resolve(), real):
        raise OutputRefused(
            msg(
                "{path} holds the current folder; give an output folder beside it or inside it",
                path=out,
            )
        )
    for i in inputs:
        ri = Path(i).resolve()
        if _inside(ri, real):
            raise OutputRefused(
                msg(
                    "{path} holds the input {input}; the output must be a folder of its own "
                    "(e.g. plans/NAME), not an input folder or one of its parents",
                    path=out,
                    input=i,
                )
            )
    if out.exists() and not out.is_dir():
        raise OutputRefused(
            msg(
                "{path} is an existing file, not a folder; the output must be a folder "
                "(give a new name, e.g. plans/NAME)",
                path=out,
            )
        )
    _check_owned(out, kind)
    t = Target(out, kind, keep_previous)
    if keep_previous and (t.previous.exists() or t.previous.is_symlink()):
        if t.previous.is_symlink() or not t.previous.is_dir():
            raise OutputRefused(
                msg(
                    "{path} is not a folder this tool wrote; the previous plan is kept under "
                    "that name: move it away first",
                    path=t.previous,
                )
            )
        _check_owned(t.previous, kind)
    return t


def _check_owned(out: Path, kind: str) -> None:
    if not out.is_dir():
        return
    if _is_scenario_folder(out) and marker_kind(out) != kind:
        raise OutputRefused(
            msg("{path} is a scenario folder (an input); write the output elsewhere", path=out)
        )
    try:
        names = sorted(p.name for p in out.iterdir())
    except OSError as e:
        raise OutputRefused(
            msg("{path} cannot be read ({why})", path=out, why=e.strerror)
        ) from None
    if not names:
        return
    found = marker_kind(out)
    if found == kind or (found == "legacy-plan" and kind == "plan"):
        return
    if found is None:
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise OutputRefused(
            msg(
                "{path} already holds files this tool did not write ({files}); it replaces only "
                "folders it wrote itself or empty ones: give a new folder, or move those files "
                "away",
                path=out,
                files=shown,
            )
        )
    raise OutputRefused(
        msg(
            "{path} holds a {found} written by this tool, not a {kind}; give another folder",
            path=out,
            found=found,
            kind=kind,
        )
    )


# --- the atomic exchange -------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2() -> Any:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.renameat2
    except (OSError, AttributeError):
        return None


_EXCHANGE = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically; False when the system cannot."""
    if _EXCHANGE is None:
        return False
    r = _EXCHANGE(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if r == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


@contextlib.contextmanager
def _locked(folder: Path, shared: bool = False) -> Iterator[None]:
    """An advisory lock on a folder (flock on its descriptor; no file is created)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: no lock
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _try_lock(folder: Path) -> int | None:
    """A non-blocking exclusive lock on a folder: its descriptor, or None when held."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        return None
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


@contextlib.contextmanager
def _no_interrupts() -> Iterator[None]:
    """Hold SIGINT and SIGTERM during the swap (they are delivered right after it)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Staging:
    """A hidden folder beside the target, locked by its writer while it is being filled."""

    def __init__(self, target: Target) -> None:
        self.target = target
        parent = target.path.parent
        parent.mkdir(parents=True, exist_ok=True)
        with _locked(parent):  # so that no other run takes it for a stale one before it is locked
            _remove_stale(target.path)
            while True:
                p = parent / f".{target.path.name}{STAGING}{secrets.token_hex(4)}"
                try:
                    os.mkdir(p)  # 0o777 less the umask: readable by the group, like any folder
                    break
                except FileExistsError:  # pragma: no cover - 32 random bits
                    continue
            self.path = p
            self._fd = _try_lock(p)

    def write(self, name: str, text: str | bytes) -> None:
        """One file of the staged folder (text: UTF-8 with "\\n" line ends; bytes as they are)."""
        f = self.path / name
        f.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8") if isinstance(text, str) else text
        with open(f, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self._unlock()

    def _unlock(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def publish(self) -> Path:
        """Put the staged folder at the target's name, atomically; the old one becomes
        NAME.previous (or is removed when the target keeps no previous folder)."""
        t = self.target
        self.write(MARKER, marker_text(t.kind, t.path.name, t.keep_previous))
        _fsync(self.path)
        with _locked(t.path.parent), _no_interrupts():
            # checked again under the lock: another run may have put something there
            check_target(t.path, t.kind, keep_previous=t.keep_previous)
            old_was_empty = t.path.is_dir() and not any(t.path.iterdir())
            if not t.path.exists():
                os.rename(self.path, t.path)
            elif exchange(self.path, t.path):
                pass  # self.path now holds the old folder
            else:  # the fallback: two renames, the old folder kept as .previous between them
                self._two_renames()
                self._unlock()
                return t.path
            if self.path.exists():
                self._retire_old(old_was_empty)
            _fsync(t.path.parent)
        self._unlock()
        return t.path

    def _retire_old(self, old_was_empty: bool) -> None:
        t = self.target
        if old_was_empty or not t.keep_previous:
            shutil.rmtree(self.path, ignore_errors=True)
        elif t.previous.exists() and exchange(self.path, t.previous):
            shutil.rmtree(self.path, ignore_errors=True)  # the one before the previous
        else:
            if t.previous.exists():
                shutil.rmtree(t.previous)
            os.rename(self.path, t.previous)

    def _two_renames(self) -> None:
        t = self.target
        if t.previous.exists():
            shutil.rmtree(t.previous)
        os.rename(t.path, t.previous)
        os.rename(self.path, t.path)
        if not t.keep_previous:
            shutil.rmtree(t.previous, ignore_errors=True)


def _remove_stale(target: Path) -> None:
    """Staging folders of runs that are gone (their lock is free) are removed."""
    prefix = f".{target.name}{STAGING}"
    try:
        entries = [p for p in target.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return
    for p in entries:
        if p.is_symlink() or not p.is_dir():
            continue
        fd = _try_lock(p)
        if fd is None:
            continue  # a live writer holds it
        try:
            shutil.rmtree(p, ignore_errors=True)
        finally:
            os.close(fd)


def publish(target: Target, files: Mapping[str, str | bytes]) -> Path:
    """Write {relative file name: text} as the folder `target`, atomically."""
    st = Staging(target)
    try:
        for name, text in files.items():
            st.write(name, text)
        return st.publish()
    except BaseException:
        st.discard()
        raise


def write_file(path: Path, data: bytes, suffix: str) -> Path:
    """One file written atomically: complete beside it under a hidden name, fsynced, renamed
    over the target. Refuses a folder, a symbolic link and a name without `suffix` (a file of
    another kind is never overwritten)."""
    path = Path(path)
    if path.suffix.lower() != suffix:
        raise OutputRefused(msg("{path} does not end in {suffix}", path=path, suffix=suffix))
    if path.is_symlink():
        raise OutputRefused(msg("{path} is a symbolic link", path=path))
    if path.is_dir():
        raise OutputRefused(msg("{path} is a folder", path=path))
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputRefused(msg("the folder {path} does not exist", path=parent))
    tmp = parent / f".{path.name}{STAGING}{secrets.token_hex(4)}"
    try:
        with _no_interrupts():
            with open(tmp, "xb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            _fsync(parent)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
