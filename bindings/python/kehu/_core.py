"""The db's shared state and the base of every handle that belongs to it.

A db's C handles (customers, accounts, histories, rule sets) must not
outlive it.  Every handle registers with its db's core; closing the db
frees them first, so later use raises :class:`MisuseError` instead of
touching freed memory.  Dropped handles are freed by the garbage
collector through :func:`weakref.finalize`; the finalizer keeps the core
alive, so a Python store's callbacks exist as long as C may call them.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any, Callable, List, Optional

from . import _lib
from ._lib import lib
from .errors import MisuseError, error_for_code


class Core:
    """A db pointer plus what must live as long as it does."""

    def __init__(self) -> None:
        self.ptr: Any = None
        self.adapter: Any = None      # storage._Adapter for Python stores
        self.keep: List[Any] = []     # vtables, stores, callbacks
        # by a serial number, not by the handle: two handles on one
        # customer compare equal but are two C handles to free
        self.children: weakref.WeakValueDictionary[int, Handle] = \
            weakref.WeakValueDictionary()
        self.serial = itertools.count()
        self.closed = True
        self.exponent = 2
        self.offset = 0
        # an exception raised by a Python callback during the current call
        self.pending: Optional[BaseException] = None

    def db(self) -> Any:
        if self.closed:
            raise MisuseError("the database is closed")
        return self.ptr

    def errmsg(self) -> str:
        return _lib.text(lib.kehu_errmsg(self.ptr)) or ""

    def take_pending(self) -> Optional[BaseException]:
        e, self.pending = self.pending, None
        if self.adapter is not None:
            a = self.adapter.take()
            if e is None:
                e = a
        return e

    def check(self, rc: int) -> int:
        """Raises the callback's exception or the code's class on failure;
        returns *rc* otherwise."""
        if self.pending is not None or (self.adapter is not None and
                                        self.adapter.pending is not None):
            e = self.take_pending()
            if e is not None:
                if rc < 0 and hasattr(e, "add_note"):   # 3.11+
                    e.add_note(f"libkehu: {self.errmsg()}")
                raise e
        if rc < 0:
            raise error_for_code(rc, self.errmsg())
        return rc

    def guard(self, fn: Callable[..., Any]) -> Callable[..., int]:
        """Wraps a Python callback for C: an exception is kept in
        :attr:`pending` and becomes KEHU_EUSER; otherwise the callback's
        int (None: 0) is returned."""
        def call(*args: Any) -> int:
            try:
                r = fn(*args)
                return 0 if r is None else int(r)
            except BaseException as e:  # noqa: B036 -- re-raised later
                if self.pending is None:
                    self.pending = e
                return -13
        return call


def _free(free_fn: Callable[[Any], None], ptr: Any, core: Core) -> None:
    # core is an argument only to keep it (and the store's callbacks)
    # alive until this handle is freed
    free_fn(ptr)


class Handle:
    """A C handle owned by Python: freed by :meth:`close`, by ``with``,
    by the db's close, or by the garbage collector."""

    _free_fn: Callable[[Any], None]
    _what = "handle"

    def __init__(self, db: Any, ptr: Any):
        self._db = db
        self._core: Core = db._core
        self._p = ptr
        self._fin = weakref.finalize(self, _free, type(self)._free_fn, ptr,
                                     self._core)
        self._core.children[next(self._core.serial)] = self

    def _ptr(self) -> Any:
        if not self._fin.alive:
            raise MisuseError(f"the {self._what} is closed (or its "
                              "database was closed)")
        return self._p

    def _replace(self, ptr: Any) -> None:
        """Swaps in a new C handle (after a reload), freeing the old."""
        self._fin()
        self._p = ptr
        self._fin = weakref.finalize(self, _free, type(self)._free_fn, ptr,
                                     self._core)

    @property
    def closed(self) -> bool:
        """True once the handle was freed."""
        return not self._fin.alive

    def close(self) -> None:
        """Frees the C handle now (the stored object is untouched)."""
        self._fin()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
