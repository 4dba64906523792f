"""Files as a careful library handles them: written whole or not at all, read only when a regular file.

    write_atomic("model.json", data)    # -> the path written: the link's target when model.json is a link
    check_writable("model.json")        # the same checks, without writing: before slow work
    file_path("model.json/")            # IsADirectoryError: what writers check before they read the extension
    read_regular("model.json", limit)   # at most limit + 1 bytes; a FIFO, device or directory is refused unopened

Every file chainrule writes goes through this one writer: nn's Module.save and viz's drawings and walkthroughs.
It lives in autograd because autograd is the one package both nn and viz may import; the engine never uses it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

_MAX_LINKS = 40  # as Linux's limit on symbolic links followed in one path
_KINDS = {stat.S_IFDIR: "a directory", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket"}
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
# O_NONBLOCK: should a FIFO replace the file between the check and the open, the open returns instead of waiting
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write data to path all at once (a temporary file beside it, fsynced, renamed over it); returns the path written.

    A symbolic link (or a chain of them) is followed and its final target written, even a missing one, so the link
    stays a link. An existing file keeps its permission bits; a new one gets the umask's (0o666 & ~umask). Anything
    else is never replaced, and is refused before any file is made: a directory (or a path ending in a slash) with
    IsADirectoryError, a device, FIFO or socket with ValueError (check_writable). On any failure, KeyboardInterrupt
    included, the old file is left as it was and the temporary file is removed.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"write_atomic() writes bytes, got {type(data).__name__}")
    target = check_writable(path)
    mode = _existing_mode(target)  # None: a new file
    folder = target.parent
    # the name's first 50 characters (at most 200 bytes): a temporary name stays within the 255 bytes a name may have
    temp = folder / f".{target.name[:50]}.{secrets.token_hex(8)}.tmp"
    try:
        # A new file is created as 0o666 and the kernel applies the umask: no process-wide umask change to read it.
        # Over an existing file the temporary starts private, and takes the old file's bits once written.
        fd = os.open(temp, _FLAGS, 0o666 if mode is None else 0o600)
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException as error:
        if not isinstance(error, FileExistsError):  # only os.open raises it, and then the file is not ours
            with contextlib.suppress(OSError):  # the error that brought us here is the one to report
                temp.unlink()
        raise
    _sync_folder(folder)
    return target


def check_writable(path: str | os.PathLike) -> Path:
    """The file write_atomic(path, ...) would write (path, or the end of its chain of links), or the error it would
    raise, without writing: for a writer to check its path before slow work (running Graphviz)."""
    target = _follow_links(file_path(path))
    _existing_mode(target)
    folder = target.parent
    if not folder.is_dir():
        via = f" (where the link {os.fspath(path)!r} points)" if target != Path(path) else ""
        raise FileNotFoundError(f"cannot write {os.fspath(target)!r}{via}: the folder {os.fspath(folder)!r} does "
                                "not exist")
    return target


def file_path(path: str | os.PathLike) -> Path:
    """path as a Path, refusing with IsADirectoryError one that ends in a slash: it names a directory, as open() reads
    it, and Path() would drop the slash (writing over the file model.json when given model.json/)."""
    text = os.fspath(path)
    if isinstance(text, str) and text.endswith(tuple(filter(None, (os.sep, os.altsep)))):
        raise IsADirectoryError(f"cannot write {text!r}: a path ending in {text[-1]!r} names a directory, not a file")
    return Path(path)


def read_regular(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of the regular file at path, but at most limit + 1 of them: more than limit means a longer file.

    Anything that is not a regular file (after symbolic links) is refused before it is opened, so a FIFO never
    blocks and /dev/zero is never read: a directory with IsADirectoryError, a device, FIFO or socket with ValueError.
    """
    _refuse_unless_regular(path, os.stat(path).st_mode, "read")
    with open(os.open(path, _READ_FLAGS), "rb") as f:
        _refuse_unless_regular(path, os.fstat(f.fileno()).st_mode, "read")  # swapped since the check?
        return f.read(limit + 1)


def _follow_links(path: Path) -> Path:
    """path, or the file its chain of symbolic links ends at (which may not exist yet)."""
    for _ in range(_MAX_LINKS):
        if not os.path.islink(path):
            return path
        path = path.parent / os.readlink(path)  # an absolute target replaces the folder
    raise OSError(f"cannot write {os.fspath(path)!r}: more than {_MAX_LINKS} symbolic links in a row (a loop?)")


def _existing_mode(path: Path) -> int | None:
    """The permission bits of the regular file at path, None if nothing is there; refuses anything else."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    _refuse_unless_regular(path, st.st_mode, "write")
    return stat.S_IMODE(st.st_mode)


def _refuse_unless_regular(path, mode: int, verb: str) -> None:
    """Nothing when mode is a regular file's; else IsADirectoryError for a directory, ValueError naming the kind."""
    if stat.S_ISREG(mode):
        return
    kind = _KINDS.get(stat.S_IFMT(mode), "an unknown kind of file")
    message = f"cannot {verb} {os.fspath(path)!r}: it is {kind}, not a regular file"
    raise IsADirectoryError(message) if stat.S_ISDIR(mode) else ValueError(message)


def _sync_folder(folder: Path) -> None:
    """fsync the folder, so that the rename itself survives a crash (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
