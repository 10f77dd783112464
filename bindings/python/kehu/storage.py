"""Stores: where a db keeps its bytes.

A db is opened on one of:

- nothing (``kehu.Database()``): a private in-memory store, gone at close;
- :class:`MemoryStore`: the C in-memory store, kept past the db's close
  so another db can be opened on the same data;
- :class:`FileStore`: the C crash-safe file store
  (``kehu.Database.open(path)`` opens one for you);
- any :class:`Store` written in Python, such as :class:`SQLiteStore`,
  which keeps the data in a ``kv(k BLOB PRIMARY KEY, v BLOB)`` table of
  a SQLite file through the standard :mod:`sqlite3` module.

A Python store implements the storage contract of ``kehu/sys/storage.h``
(``doc/storage.md``): an ordered key-value store with transactions.  Keys
order by bytes (``memcmp``, a prefix first).  When a method raises, the
library rolls the transaction back, the failing call ends with
``KEHU_ESTORAGE`` in C, and the binding re-raises *the store's own
exception* to the caller.  A store may also raise a
:class:`kehu.KehuError` subclass to return that code (e.g.
:class:`kehu.CorruptError`).
"""

from __future__ import annotations

import ctypes
import re
import sqlite3
import weakref
from typing import Iterable, Iterator, Optional, Tuple

from . import _lib
from ._lib import lib
from .errors import KehuError, MisuseError, error_for_code

__all__ = ["Store", "SQLiteStore", "MemoryStore", "FileStore"]


class Store:
    """Base class of a store written in Python.

    Subclasses implement every method but :meth:`close`, which is
    optional.  All keys and values are :class:`bytes`.  The library calls
    :meth:`begin` ... :meth:`commit` (or :meth:`rollback`) around every
    mutation; transactions do not nest; :meth:`get` and :meth:`scan` see
    the open transaction's own writes and may also be called outside a
    transaction.
    """

    def begin(self) -> None:
        """Starts a transaction."""
        raise NotImplementedError

    def commit(self) -> None:
        """Makes the transaction durable and ends it; on failure nothing
        of it may stay (the library then calls :meth:`rollback`)."""
        raise NotImplementedError

    def rollback(self) -> None:
        """Discards every put and delete since :meth:`begin`."""
        raise NotImplementedError

    def get(self, key: bytes) -> Optional[bytes]:
        """The value of *key*, or None when absent."""
        raise NotImplementedError

    def put(self, key: bytes, value: bytes) -> None:
        """Inserts or replaces *key*."""
        raise NotImplementedError

    def delete(self, key: bytes) -> bool:
        """Removes *key*; returns False when it was absent."""
        raise NotImplementedError

    def scan(self, start: bytes,
             end: Optional[bytes]) -> Iterable[Tuple[bytes, bytes]]:
        """Every (key, value) with ``start <= key < end`` in key order;
        *end* None means to the last key.  The iteration may stop early
        (the library stops reading when it has what it needs)."""
        raise NotImplementedError

    def close(self) -> None:
        """Called exactly once when the db that uses the store closes
        (also after a failed open)."""


_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}\Z")


class SQLiteStore(Store):
    """A store in a SQLite file, through the standard :mod:`sqlite3`.

    The data lives in a table ``kv(k BLOB PRIMARY KEY, v BLOB NOT NULL)
    WITHOUT ROWID``: SQLite orders BLOBs with ``memcmp``, a prefix first,
    which is exactly the contract's key order.  The connection runs in
    autocommit mode and the library's transactions are SQLite's
    ``BEGIN`` / ``COMMIT`` / ``ROLLBACK``, so a committed kehu transaction
    is a committed SQLite transaction.

    Args:
        path: the database file (``":memory:"`` for a throwaway one).
        table: the table's name, so a host may keep kehu next to its own
            tables in one file.
        synchronous: a ``PRAGMA synchronous`` value (e.g. ``"NORMAL"``),
            or None to keep SQLite's default (FULL).
    """

    def __init__(self, path: str, *, table: str = "kv",
                 synchronous: Optional[str] = None):
        if not _TABLE.match(table):
            raise ValueError(f"not a plain table name: {table!r}")
        self.path = path
        self.table = table
        self._con: Optional[sqlite3.Connection] = sqlite3.connect(
            path, isolation_level=None)
        if synchronous is not None:
            if synchronous.upper() not in ("OFF", "NORMAL", "FULL",
                                           "EXTRA"):
                raise ValueError(f"bad synchronous mode {synchronous!r}")
            self._con.execute(f"PRAGMA synchronous={synchronous}")
        self._con.execute(f"CREATE TABLE IF NOT EXISTS {table}"
                          "(k BLOB PRIMARY KEY, v BLOB NOT NULL) "
                          "WITHOUT ROWID")
        t = table
        self._sql_get = f"SELECT v FROM {t} WHERE k = ?"
        self._sql_put = f"INSERT OR REPLACE INTO {t}(k, v) VALUES (?, ?)"
        self._sql_del = f"DELETE FROM {t} WHERE k = ?"
        self._sql_scan = f"SELECT k, v FROM {t} WHERE k >= ? ORDER BY k"
        self._sql_range = (f"SELECT k, v FROM {t} WHERE k >= ? AND k < ? "
                           "ORDER BY k")

    @property
    def connection(self) -> sqlite3.Connection:
        """The sqlite3 connection (raises once the store is closed)."""
        if self._con is None:
            raise MisuseError("the SQLite store is closed")
        return self._con

    def begin(self) -> None:
        self.connection.execute("BEGIN")

    def commit(self) -> None:
        self.connection.execute("COMMIT")

    def rollback(self) -> None:
        con = self.connection
        if con.in_transaction:
            con.execute("ROLLBACK")

    def get(self, key: bytes) -> Optional[bytes]:
        row = self.connection.execute(self._sql_get, (key,)).fetchone()
        return None if row is None else row[0]

    def put(self, key: bytes, value: bytes) -> None:
        self.connection.execute(self._sql_put, (key, value))

    def delete(self, key: bytes) -> bool:
        return self.connection.execute(self._sql_del, (key,)).rowcount > 0

    def scan(self, start: bytes,
             end: Optional[bytes]) -> Iterator[Tuple[bytes, bytes]]:
        if end is None:
            return self.connection.execute(self._sql_scan, (start,))
        return self.connection.execute(self._sql_range, (start, end))

    def count(self) -> int:
        """The number of keys in the table."""
        return self.connection.execute(
            f"SELECT count(*) FROM {self.table}").fetchone()[0]

    def close(self) -> None:
        if self._con is not None:
            if self._con.in_transaction:
                self._con.execute("ROLLBACK")
            self._con.close()
            self._con = None

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r}, table={self.table!r})"


class _Adapter:
    """Builds a C ``kehu_storage`` vtable whose slots call a Python store.

    An exception in a slot is caught here (a ctypes callback that raises
    would return garbage), kept as :attr:`pending` and turned into a
    storage code; the db re-raises it when the C call returns.
    """

    def __init__(self, store: Store):
        self.store = store
        self.pending: Optional[BaseException] = None
        self._msg = ctypes.create_string_buffer(b"not an error")
        self.closed = False
        s = store

        def fail(e: BaseException) -> int:
            if self.pending is None:
                self.pending = e
            text = f"{type(e).__name__}: {e}".encode("utf-8", "replace")
            self._msg = ctypes.create_string_buffer(text[:1000])
            if isinstance(e, KehuError) and e.code < 0:
                return e.code
            return -10

        def begin(_ud):
            try:
                s.begin()
                return 0
            except BaseException as e:  # noqa: B036 -- must not escape
                return fail(e)

        def commit(_ud):
            try:
                s.commit()
                return 0
            except BaseException as e:  # noqa: B036
                return fail(e)

        def rollback(_ud):
            try:
                s.rollback()
                return 0
            except BaseException as e:  # noqa: B036
                return fail(e)

        def get(key, klen, sink, ctx, _ud):
            try:
                v = s.get(ctypes.string_at(key, klen))
                if v is None:
                    return -5
                return sink(bytes(v), len(v), ctx)
            except BaseException as e:  # noqa: B036
                return fail(e)

        def put(key, klen, value, vlen, _ud):
            try:
                s.put(ctypes.string_at(key, klen),
                      ctypes.string_at(value, vlen) if vlen else b"")
                return 0
            except BaseException as e:  # noqa: B036
                return fail(e)

        def delete(key, klen, _ud):
            try:
                return 0 if s.delete(ctypes.string_at(key, klen)) else -5
            except BaseException as e:  # noqa: B036
                return fail(e)

        def scan(start, slen, end, elen, visit, ctx, _ud):
            try:
                lo = ctypes.string_at(start, slen) if slen else b""
                hi = ctypes.string_at(end, elen) if end else None
                it = s.scan(lo, hi)
                try:
                    for k, v in it:
                        rc = visit(k, len(k), v, len(v), ctx)
                        if rc != 0:
                            return rc
                finally:
                    close = getattr(it, "close", None)
                    if close is not None:
                        close()
                return 0
            except BaseException as e:  # noqa: B036
                return fail(e)

        def close(_ud):
            self.closed = True
            try:
                s.close()
            except BaseException as e:  # noqa: B036
                fail(e)

        def errmsg(_ud):
            return ctypes.addressof(self._msg)

        self._slots = (
            _lib.slot_tx(begin), _lib.slot_tx(commit), _lib.slot_tx(rollback),
            _lib.slot_get(get), _lib.slot_put(put), _lib.slot_del(delete),
            _lib.slot_scan(scan), _lib.slot_close(close),
            _lib.slot_errmsg(errmsg))
        self.vtable = _lib.Storage(_lib.STORAGE_VERSION, None, *self._slots)

    def take(self) -> Optional[BaseException]:
        e, self.pending = self.pending, None
        return e


class MemoryStore:
    """The C ordered in-memory store, owned by Python.

    Open any number of dbs on it one after the other: a db opened after
    another closed reads back everything the first committed.  It is
    freed by :meth:`close` (or the garbage collector) once no open db
    uses it.
    """

    def __init__(self) -> None:
        p = _lib.MemoryStoreP()
        rc = lib.kehu_storage_memory_new(ctypes.byref(p), _lib.alloc_fn(),
                                         None)
        if rc != 0:
            raise error_for_code(rc, "kehu_storage_memory_new failed")
        self._p = p
        self._users: weakref.WeakSet[object] = weakref.WeakSet()
        self._fin = weakref.finalize(self, lib.kehu_storage_memory_free, p)

    def _ptr(self) -> _lib.MemoryStoreP:
        if not self._fin.alive:
            raise MisuseError("the memory store is closed")
        return self._p

    def _vtable(self, user: object) -> _lib.Storage:
        v = _lib.Storage()
        rc = lib.kehu_storage_memory_get_vtable(self._ptr(), ctypes.byref(v))
        if rc != 0:
            raise error_for_code(rc, "kehu_storage_memory_get_vtable failed")
        self._users.add(user)
        return v

    @property
    def keys(self) -> int:
        """Keys held (committed and in-flight)."""
        return int(lib.kehu_storage_memory_count(self._ptr()))

    @property
    def bytes(self) -> int:
        """Bytes held from the allocator."""
        return int(lib.kehu_storage_memory_bytes(self._ptr()))

    def close(self) -> None:
        """Frees the store and its data.  Raises MisuseError while a db
        opened on it is still open."""
        if any(not getattr(u, "closed", True) for u in self._users):
            raise MisuseError("close the dbs opened on this memory store "
                              "first")
        self._fin()

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_DURABILITY = {"off": 0, "normal": 1, "full": 2}
_FILE_STATS = {
    "file_bytes": 1, "live_bytes": 2, "keys": 3, "commits": 4, "syncs": 5,
    "unsynced": 6, "torn_tails": 7, "torn_bytes": 8, "corrupt_offset": 9,
    "compactions": 10, "recovered": 11, "readonly": 12,
}


class FileStore:
    """The C crash-safe file store (``kehu/file_store.h``).

    Usually opened for you by :meth:`kehu.Database.open`.  Open it
    yourself to choose the durability, read the statistics, compact or
    export.

    Args:
        path: the file (created when missing unless *must_exist*).
        durability: ``"full"`` (fsync at every commit, the default),
            ``"normal"`` (fsync every *sync_every_commits* commits) or
            ``"off"``.
        readonly: open without writing or locking.
        salvage: open read-only past a corrupt record.
        must_exist: fail with NotFoundError when the file is missing.
    """

    def __init__(self, path: str, *, durability: str = "full",
                 readonly: bool = False, salvage: bool = False,
                 must_exist: bool = False, sync_every_commits: int = 100,
                 compact_garbage_percent: int = 50):
        if durability not in _DURABILITY:
            raise ValueError(f"durability must be one of "
                             f"{sorted(_DURABILITY)}, not {durability!r}")
        o = _lib.FileStoreOptions()
        lib.kehu_file_store_options_init(ctypes.byref(o),
                                         _lib.FILE_STORE_OPTIONS_VERSION)
        o.flags = (1 if readonly else 0) | (2 if salvage else 0) | \
            (4 if must_exist else 0)
        o.durability = _DURABILITY[durability]
        o.sync_every_commits = sync_every_commits
        o.compact_garbage_percent = compact_garbage_percent
        self.path = str(path)
        p = _lib.FileStoreP()
        rc = lib.kehu_storage_file_open(ctypes.byref(p),
                                        _lib.cstr(self.path, "path"),
                                        ctypes.byref(o))
        if rc != 0:
            msg = _lib.text(lib.kehu_storage_file_errmsg(p)) or ""
            lib.kehu_storage_file_close(p)
            raise error_for_code(rc, msg)
        self._p = p
        self._users: weakref.WeakSet[object] = weakref.WeakSet()
        self._fin = weakref.finalize(self, lib.kehu_storage_file_close, p)

    def _ptr(self) -> _lib.FileStoreP:
        if not self._fin.alive:
            raise MisuseError("the file store is closed")
        return self._p

    def _vtable(self, user: object) -> _lib.Storage:
        v = _lib.Storage()
        self._check(lib.kehu_storage_file_get_vtable(self._ptr(),
                                                     ctypes.byref(v)))
        self._users.add(user)
        return v

    def _check(self, rc: int) -> None:
        if rc < 0:
            raise error_for_code(
                rc, _lib.text(lib.kehu_storage_file_errmsg(self._p)) or "")

    def stat(self, name: str) -> int:
        """One counter: ``file_bytes``, ``live_bytes``, ``keys``,
        ``commits``, ``syncs``, ``unsynced``, ``torn_tails``,
        ``torn_bytes``, ``corrupt_offset``, ``compactions``,
        ``recovered`` or ``readonly``."""
        if name not in _FILE_STATS:
            raise ValueError(f"unknown stat {name!r}; one of "
                             f"{sorted(_FILE_STATS)}")
        out = ctypes.c_int64()
        self._check(lib.kehu_storage_file_stat(self._ptr(), _FILE_STATS[name],
                                               ctypes.byref(out)))
        return out.value

    def compact(self) -> None:
        """Rewrites the live keys into a new file (outside transactions)."""
        self._check(lib.kehu_storage_file_compact(self._ptr()))

    def sync(self) -> None:
        """Makes every commit so far durable now."""
        self._check(lib.kehu_storage_file_sync(self._ptr()))

    @property
    def closed(self) -> bool:
        return not self._fin.alive

    def close(self) -> None:
        """Closes the file (and releases its lock).  Raises MisuseError
        while a db opened on it is still open."""
        if any(not getattr(u, "closed", True) for u in self._users):
            raise MisuseError("close the dbs opened on this file store "
                              "first")
        self._fin()

    def __enter__(self) -> FileStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"FileStore({self.path!r})"
