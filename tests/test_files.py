"""The one atomic writer (autograd.files.write_atomic) and the writers built on it, Module.save, viz.render and
viz.walkthrough: through symbolic links to their target, never over anything but a regular file, keeping an
existing file's mode, a new file under the umask, and nothing lost or left behind when a write fails."""

import errno
import os
import socket
import stat
from contextlib import contextmanager

import pytest

import nn
import viz
from autograd.files import write_atomic
from conftest import course_graph


def save_model(path):
    nn.LogisticRegression(2).save(path)


def render(path):
    viz.render(course_graph()[-1], path)


def walkthrough(path):
    viz.walkthrough(course_graph()[-1], path)


# Each writer, and the extension its file name needs.
WRITERS = {"write_atomic": (lambda path: write_atomic(path, b"new"), ".bin"), "Module.save": (save_model, ".json"),
           "viz.render": (render, ".dot"), "viz.walkthrough": (walkthrough, ".html")}


@pytest.fixture(params=WRITERS)
def writer(request):
    return WRITERS[request.param]


def written(path) -> bool:
    """Whether path now holds what one of the writers writes (not the test's "old")."""
    data = open(path, "rb").read()
    return data == b"new" or data.startswith((b"{", b"digraph", b"<!DOCTYPE html>"))


@contextmanager
def umask(mask):
    old = os.umask(mask)  # a test's own, restored at once; nothing else runs in this process meanwhile
    try:
        yield
    finally:
        os.umask(old)


def test_a_link_is_written_through_to_its_target_and_stays_a_link(tmp_path, writer):
    write, ext = writer
    target, link = tmp_path / f"target{ext}", tmp_path / f"link{ext}"
    target.write_bytes(b"old")
    link.symlink_to(target.name)
    write(link)
    assert link.is_symlink() and os.readlink(link) == target.name
    assert written(target)
    assert sorted(os.listdir(tmp_path)) == [f"link{ext}", f"target{ext}"]


def test_a_chain_of_links_is_followed_to_the_end(tmp_path, writer):
    write, ext = writer
    (tmp_path / "sub").mkdir()
    target = tmp_path / "sub" / f"target{ext}"
    target.write_bytes(b"old")
    (tmp_path / f"middle{ext}").symlink_to(target)  # absolute
    (tmp_path / "sub" / f"near{ext}").symlink_to(f"../middle{ext}")  # relative to its own folder
    (tmp_path / f"first{ext}").symlink_to(f"sub/near{ext}")
    write(tmp_path / f"first{ext}")
    assert written(target)
    assert all((tmp_path / name).is_symlink() for name in (f"first{ext}", f"middle{ext}", f"sub/near{ext}"))
    assert sorted(os.listdir(tmp_path / "sub")) == [f"near{ext}", f"target{ext}"]


def test_write_atomic_returns_the_path_it_wrote(tmp_path):
    (tmp_path / "target").write_bytes(b"old")
    (tmp_path / "link").symlink_to("target")
    assert write_atomic(tmp_path / "link", b"new") == tmp_path / "target"
    assert write_atomic(str(tmp_path / "plain"), b"new") == tmp_path / "plain"
    with pytest.raises(TypeError, match="writes bytes, got str"):
        write_atomic(tmp_path / "plain", "text")


def test_a_dangling_link_gets_its_target_made(tmp_path, writer):
    write, ext = writer
    link = tmp_path / f"link{ext}"
    link.symlink_to(f"new{ext}")
    write(link)
    assert link.is_symlink() and written(tmp_path / f"new{ext}")


def test_a_link_into_a_missing_folder_or_a_loop_is_refused(tmp_path, writer):
    write, ext = writer
    (tmp_path / f"nowhere{ext}").symlink_to(f"missing/new{ext}")
    with pytest.raises(FileNotFoundError, match=r"missing/new.* \(where the link .*nowhere.* points\).*does not exist"):
        write(tmp_path / f"nowhere{ext}")
    (tmp_path / f"a{ext}").symlink_to(f"b{ext}")
    (tmp_path / f"b{ext}").symlink_to(f"a{ext}")
    with pytest.raises(OSError, match="symbolic links in a row"):
        write(tmp_path / f"a{ext}")
    assert sorted(os.listdir(tmp_path)) == [f"a{ext}", f"b{ext}", f"nowhere{ext}"]


def test_a_fifo_is_refused_without_being_opened(tmp_path, writer):
    write, ext = writer
    fifo = tmp_path / f"pipe{ext}"
    os.mkfifo(fifo)  # opening it for writing would block: the writer must not
    for path in (fifo, tmp_path / f"link{ext}"):
        if path != fifo:
            path.symlink_to(fifo.name)
        with pytest.raises(ValueError, match=r"pipe.*: it is a FIFO \(named pipe\), not a regular file"):
            write(path)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(os.listdir(tmp_path)) == [f"link{ext}", f"pipe{ext}"]


def test_a_socket_is_refused(tmp_path, writer):
    write, ext = writer
    path = tmp_path / f"s{ext}"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        with pytest.raises(ValueError, match="it is a socket"):
            write(path)
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    assert os.listdir(tmp_path) == [f"s{ext}"]


def test_a_directory_is_refused(tmp_path, writer):
    write, ext = writer
    (tmp_path / f"folder{ext}").mkdir()
    (tmp_path / f"folder{ext}" / "inside").write_bytes(b"kept")
    with pytest.raises(IsADirectoryError, match="it is a directory"):
        write(tmp_path / f"folder{ext}")
    assert (tmp_path / f"folder{ext}" / "inside").read_bytes() == b"kept"
    assert os.listdir(tmp_path) == [f"folder{ext}"]


def test_a_name_as_long_as_the_system_allows_is_written(tmp_path, writer):
    write, ext = writer
    path = tmp_path / ("n" * (255 - len(ext)) + ext)  # the longest name Linux takes; the temporary's is shorter
    path.write_bytes(b"old")
    write(path)
    assert written(path) and os.listdir(tmp_path) == [path.name]


@pytest.mark.parametrize("there", ["a file", "nothing"])
def test_a_path_ending_in_a_slash_is_refused_as_open_refuses_it(tmp_path, writer, there):
    write, ext = writer
    if there == "a file":
        (tmp_path / f"model{ext}").write_bytes(b"old")
    with pytest.raises(IsADirectoryError, match="ending in '/' names a directory"):
        write(f"{tmp_path / f'model{ext}'}/")  # not the file model{ext}, which Path() would make of it
    assert os.listdir(tmp_path) == ([f"model{ext}"] if there == "a file" else [])
    if there == "a file":
        assert (tmp_path / f"model{ext}").read_bytes() == b"old"


def test_a_cost_curve_path_ending_in_a_slash_is_refused(tmp_path):
    (tmp_path / "curve.png").write_bytes(b"old")
    history = nn.History(cost=[0.7, 0.5])
    with pytest.raises(IsADirectoryError, match="names a directory"):
        history.plot(f"{tmp_path / 'curve.png'}/")
    assert (tmp_path / "curve.png").read_bytes() == b"old" and os.listdir(tmp_path) == ["curve.png"]


@pytest.mark.parametrize("how", ["the device", "a link to it"])
def test_dev_null_is_refused_before_anything_is_written(tmp_path, monkeypatch, how):
    # /dev/null itself is only ever checked: any file made or renamed here fails the test before it can happen
    def forbidden(*args, **kwargs):
        raise AssertionError("the writer went on to write: it must refuse a character device first")

    path = "/dev/null"
    if how == "a link to it":
        path = tmp_path / "null.json"
        path.symlink_to("/dev/null")
    monkeypatch.setattr(os, "open", forbidden)
    monkeypatch.setattr(os, "replace", forbidden)
    for write in (lambda p: write_atomic(p, b"new"), save_model):
        with pytest.raises(ValueError, match="/dev/null': it is a character device"):
            write(path)
    monkeypatch.undo()
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755, 0o444])
def test_an_existing_file_keeps_its_permission_bits(tmp_path, writer, mode):
    write, ext = writer
    target, link = tmp_path / f"secret{ext}", tmp_path / f"link{ext}"
    target.write_bytes(b"old")
    target.chmod(mode)
    link.symlink_to(target.name)
    with umask(0o022):
        for path in (target, link):
            write(path)
            assert stat.S_IMODE(os.lstat(target).st_mode) == mode and written(target)


@pytest.mark.parametrize("mask, mode", [(0o027, 0o640), (0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_umasks_mode(tmp_path, writer, mask, mode):
    write, ext = writer
    with umask(mask):
        write(tmp_path / f"new{ext}")
        (tmp_path / f"link{ext}").symlink_to(f"via_link{ext}")
        write(tmp_path / f"link{ext}")
    assert stat.S_IMODE(os.stat(tmp_path / f"new{ext}").st_mode) == mode
    assert stat.S_IMODE(os.stat(tmp_path / f"via_link{ext}").st_mode) == mode


@pytest.mark.parametrize("where, error", [("fsync", OSError(errno.ENOSPC, "No space left on device")),
                                          ("fsync", KeyboardInterrupt()), ("replace", KeyboardInterrupt()),
                                          ("chmod", PermissionError(errno.EPERM, "Operation not permitted"))])
def test_a_failure_mid_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path, monkeypatch, writer, where,
                                                                            error):
    write, ext = writer
    path = tmp_path / f"model{ext}"
    path.write_bytes(b"old")
    path.chmod(0o600)  # so that chmod runs too

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(os, where, fail)
    with pytest.raises(type(error)):
        write(path)
    monkeypatch.undo()
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == [f"model{ext}"]
