"""IEEE results, quietly: numpy's floating-point errors ignored for one operation, as np.errstate(all="ignore").

An overflow gives inf and 0/0 gives nan, as in PyTorch, with no warning. np.errstate builds its settings anew at
each entry (1.5 us); on numpy 2 we set the same prepared settings in numpy's context variable (0.2 us). Each array
operation of a graph enters it once, and backward() once: on the flower network of `bench/batched.py`, 7 entries an
iteration, 9 us of its ~230 (measured). On numpy 1, which keeps its settings elsewhere, quiet_on() falls back to
np.errstate.

    token = quiet_on()
    try:
        ...numpy's math...
    finally:
        quiet_off(token)
"""

from __future__ import annotations

import functools

import numpy as np

try:  # numpy 2 keeps its error state in a context variable, of settings made by _make_extobj
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj
    _QUIET = _make_extobj(all="ignore")
except (ImportError, AttributeError, TypeError, ValueError):  # numpy 1, or a numpy whose internals have moved
    _QUIET = None


if _QUIET is not None:
    # quiet_on() ignores numpy's floating-point errors until quiet_off(token) restores them. Both are C functions,
    # not Python ones calling them: no Python frame for the 14 calls of a flower network step (-1 %, measured).
    quiet_on = functools.partial(_extobj_contextvar.set, _QUIET)
    quiet_off = _extobj_contextvar.reset
else:
    def quiet_on() -> object:
        """Ignore numpy's floating-point errors until quiet_off(token)."""
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def quiet_off(token: object) -> None:
        """Restore numpy's floating-point error handling as it was before quiet_on()."""
        token.__exit__(None, None, None)


class ieee:  # noqa: N801 - used as a function, as numpy.errstate
    """`with autograd.ieee():` numpy's math with IEEE results, quietly (inf, nan, no warnings), as in the engine's own
    operations: for the numpy math of an operation of your own (record()). As np.errstate(all="ignore"), a third of
    its cost (0.3 us against 0.9: a loss computes under it at every step)."""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = quiet_on()

    def __exit__(self, *exc_info) -> None:
        quiet_off(self._token)
