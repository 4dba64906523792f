"""Thread-local switches: `no_grad()` records no graph; `detect_anomaly()` stops at the first nan or inf."""

import contextlib
import threading
from collections.abc import Iterator


class _Mode(threading.local):
    """Per-thread flags; class attributes are each new thread's defaults."""

    recording = True  # no_grad() turns this off
    anomaly = False  # detect_anomaly() turns this on


mode = _Mode()
# How many switches are in force, all threads together. While it is 0, no thread has to read its thread-local
# flags (about 50 ns each): an operation's hot path tests this plain global instead.
active = 0
_lock = threading.Lock()


@contextlib.contextmanager
def _switch(name: str, value: bool) -> Iterator[None]:
    global active
    with _lock:
        active += 1
    previous = getattr(mode, name)
    setattr(mode, name, value)
    try:
        yield
    finally:
        setattr(mode, name, previous)
        with _lock:
            active -= 1


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Inside this context (or a function decorated with it) operations record no graph: results are constants."""
    return _switch("recording", False)


def enable_grad() -> contextlib.AbstractContextManager[None]:
    """Record the graph again inside a `no_grad()` block."""
    return _switch("recording", True)


def is_grad_enabled() -> bool:
    """True when operations in this thread record the graph."""
    return mode.recording


def detect_anomaly() -> contextlib.AbstractContextManager[None]:
    """Raise FloatingPointError at the first operation, forward or backward, that produces nan or inf.

    The message names the operation and the labels of its inputs. Slower: use it to hunt a bad value.
    """
    return _switch("anomaly", True)
