"""The db: open, close, transactions, recording, classifying, querying.

::

    with kehu.Database.open("shop.kehu") as db:       # a file store
        with db.transaction():
            c = db.customers.create("C-001", name="Zhang San")
            c.tags.add("vip")
            db.record(c, "purchase", at=when, amount=Decimal("199.00"))
        print(c.metrics(now=when).revenue)             # Decimal('199.00')
"""

from __future__ import annotations

import array
import contextlib
import ctypes
import weakref
import datetime as _dt
from typing import (Any, Callable, Iterable, Iterator, List, Mapping,
                    Optional, Sequence, Tuple, Union)

from . import _lib
from ._convert import (MoneyLike, TimeLike, money_to_minor, now_c, tz_of,
                       time_to_c)
from ._core import Core
from ._lib import lib
from .customer import (Account, Accounts, AttrValue, Customer, CustomerRef,
                       Customers, HistoryHandle, Interaction, Metrics,
                       customer_id, interaction_type, read_metrics,
                       set_interaction_attr, snapshot)
from .errors import MisuseError
from .models import Models
from .rules import ClassifyRun, LabelChange, Rules, RuleSets, classify
from .storage import FileStore, MemoryStore, Store, _Adapter

__all__ = ["Database"]


def _close(core: Core, owned: Optional[FileStore]) -> None:
    """Closes a db once: its handles first, then the db, then a file
    store opened for it.  A finalizer: it must not refer to the
    Database object."""
    for h in list(core.children.values()):
        h.close()
    core.closed = True
    lib.kehu_db_close(core.ptr)
    if owned is not None:
        owned.close()

_LABEL_CAP = 64
_END_OF_TIME = _lib.MAX_TIME + 1


class Database:
    """A libkehu database: customers, accounts, interactions, metrics,
    rule sets and value models on one store.

    Args:
        storage: where the data lives: None (a private in-memory store,
            gone at close), a :class:`kehu.MemoryStore`, a
            :class:`kehu.FileStore` or any :class:`kehu.Store` written in
            Python (e.g. :class:`kehu.SQLiteStore`).  The db does not
            close a store it was given, except a Python store, whose
            ``close`` the library calls exactly once when the db closes.
        utc_offset: seconds east of UTC at which days and months turn
            (e.g. 28800 for Shanghai), or a :class:`datetime.timedelta`;
            None: the value the db was created with (else 0).
        currency_exponent: digits of the currency's minor unit (2: cents);
            None: the stored value (else 2).

    Attributes:
        customers: the customers (:class:`kehu.Customers`): create, get,
            by_key, delete, erase, iterate, ``len``.
        accounts: the accounts (:class:`kehu.Accounts`).
        rules: compiling and loading rule sets (:class:`kehu.RuleSets`).
        models: value models and CLV (:class:`kehu.Models`).

    The db is closed by :meth:`close`, by ``with``, or by the garbage
    collector; closing it frees every handle that belongs to it.  One db
    is used by one thread at a time.
    """

    def __init__(self, storage: Union[None, Store, MemoryStore,
                                      FileStore] = None, *,
                 utc_offset: Union[None, int, _dt.timedelta] = None,
                 currency_exponent: Optional[int] = None):
        self._setup(storage, utc_offset, currency_exponent, None)

    def _setup(self, storage: Any, utc_offset: Any,
               currency_exponent: Optional[int],
               _owned: Optional[FileStore]) -> None:
        core = self._core = Core()
        self._owned = _owned
        self._storage = storage
        o = _lib.DbOptions()
        lib.kehu_db_options_init(ctypes.byref(o), _lib.DB_OPTIONS_VERSION)
        if utc_offset is not None:
            if isinstance(utc_offset, _dt.timedelta):
                utc_offset = int(utc_offset.total_seconds())
            o.utc_offset = utc_offset
        if currency_exponent is not None:
            o.currency_exponent = currency_exponent
        if storage is None:
            vt = None
        elif isinstance(storage, (MemoryStore, FileStore)):
            vt = storage._vtable(self)
            core.keep.append(storage)
        elif isinstance(storage, Store) or all(
                hasattr(storage, m) for m in ("begin", "commit", "rollback",
                                              "get", "put", "delete",
                                              "scan")):
            core.adapter = _Adapter(storage)  # type: ignore[arg-type]
            vt = core.adapter.vtable
        else:
            raise TypeError("storage must be None, a MemoryStore, a "
                            "FileStore or a kehu.Store, not "
                            f"{type(storage).__name__}")
        if vt is not None:
            core.keep.append(vt)
            o.storage = ctypes.pointer(vt)
        p = _lib.DbP()
        rc = lib.kehu_db_open(ctypes.byref(p), ctypes.byref(o))
        core.ptr = p
        if rc != 0:
            try:
                if p:
                    core.check(rc)
                raise MemoryError("kehu_db_open: out of memory")
            finally:
                lib.kehu_db_close(p)
                core.take_pending()
                if _owned is not None:
                    _owned.close()
        core.closed = False
        self._fin = weakref.finalize(self, _close, core, _owned)
        core.exponent = int(lib.kehu_db_get_currency_exponent(p))
        core.offset = int(lib.kehu_db_get_utc_offset(p))
        self.customers = Customers(self)
        self.accounts = Accounts(self)
        self.rules = RuleSets(self)
        self.models = Models(self)

    @classmethod
    def open(cls, path: str, *, utc_offset: Union[None, int,
                                                  _dt.timedelta] = None,
             currency_exponent: Optional[int] = None,
             durability: str = "full", readonly: bool = False,
             must_exist: bool = False) -> Database:
        """Opens (or creates) a db in a crash-safe file store at *path*.

        The file is closed with the db.  *durability* is ``"full"``
        (fsync at every commit), ``"normal"`` or ``"off"``; see
        :class:`kehu.FileStore`.  BusyError when another process writes
        the file.
        """
        fs = FileStore(path, durability=durability, readonly=readonly,
                       must_exist=must_exist)
        db = cls.__new__(cls)
        db._setup(fs, utc_offset, currency_exponent, fs)
        return db

    # ---- lifetime -------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once the db was closed."""
        return self._core.closed

    def close(self) -> None:
        """Closes the db: rolls back an open transaction, frees every
        handle of the db (later use raises MisuseError), closes the store
        (a Python store's ``close`` is called; a store given as
        MemoryStore/FileStore stays open).  Closing twice does nothing.
        An exception the Python store's ``close`` raised reaches here.
        """
        self._fin()
        e = self._core.take_pending()
        if e is not None:
            raise e

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<kehu.Database (closed)>"
        return (f"<kehu.Database customers={len(self.customers)} "
                f"utc_offset={self.utc_offset} "
                f"currency_exponent={self.currency_exponent}>")

    # ---- settings -------------------------------------------------------

    @property
    def utc_offset(self) -> int:
        """Seconds east of UTC at which the db's days and months turn."""
        self._core.db()
        return self._core.offset

    @property
    def timezone(self) -> _dt.tzinfo:
        """The fixed-offset timezone of :attr:`utc_offset`; times read
        from the db come back in it."""
        return tz_of(self.utc_offset)

    @property
    def currency_exponent(self) -> int:
        """Digits of the currency's minor unit (2: amounts in cents)."""
        self._core.db()
        return self._core.exponent

    # ---- transactions ---------------------------------------------------

    def begin(self) -> None:
        """Starts a host transaction (MisuseError when one is open)."""
        core = self._core
        core.check(lib.kehu_db_begin(core.db()))

    def commit(self) -> None:
        """Commits the host transaction."""
        core = self._core
        core.check(lib.kehu_db_commit(core.db()))

    def rollback(self) -> None:
        """Rolls the host transaction back."""
        core = self._core
        core.check(lib.kehu_db_rollback(core.db()))

    @property
    def in_transaction(self) -> bool:
        """Whether a host transaction is open."""
        return bool(lib.kehu_db_in_transaction(self._core.db()))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """Every change in the block is one storage transaction: committed
        at the end, rolled back when the block raises.  If the store fails
        inside, the library has rolled back already and the store's
        exception reaches the caller."""
        self.begin()
        try:
            yield self
        except BaseException:
            if self.in_transaction:
                self.rollback()
            raise
        if self.in_transaction:
            self.commit()
        else:
            raise MisuseError("the transaction was ended inside the block")

    @contextlib.contextmanager
    def _implicit_transaction(self, wanted: bool = True) -> Iterator[None]:
        """One transaction around a multi-step change unless the caller
        has one open."""
        if not wanted or self.in_transaction:
            yield
            return
        with self.transaction():
            yield

    # ---- interactions ---------------------------------------------------

    def record(self, customer: CustomerRef, type: Union[str, int], *,
               at: TimeLike, amount: Optional[MoneyLike] = None,
               cost: Optional[MoneyLike] = None,
               account: Union[None, Account, int] = None,
               channel: Optional[str] = None,
               satisfaction: Optional[int] = None,
               note: Optional[str] = None,
               attrs: Optional[Mapping[str, AttrValue]] = None
               ) -> Interaction:
        """Records an interaction and updates the metrics of its customer
        (and account) in one transaction.

        Args:
            customer: the Customer or its id.
            type: ``"purchase"``, ``"refund"``, ``"visit"``, ``"call"``,
                ``"email"``, ``"service_request"``, ``"complaint"``,
                ``"feedback"``, ``"referral"`` or ``"marketing"``.
            at: when (an aware datetime, a date: noon local, or int
                epoch seconds).
            amount, cost: money (Decimal, int or str; never float), >= 0.
            satisfaction: 1..5 (feedback requires one).
        Returns:
            the recorded :class:`Interaction`, with its id.
        """
        core = self._core
        e, off = core.exponent, core.offset
        p = _lib.InteractionP()
        core.check(lib.kehu_interaction_new(
            ctypes.byref(p), core.db(), customer_id(customer),
            interaction_type(type), time_to_c(at, off, "at")))
        try:
            if amount is not None:
                core.check(lib.kehu_interaction_set_amount(
                    p, money_to_minor(amount, e)))
            if cost is not None:
                core.check(lib.kehu_interaction_set_cost(
                    p, money_to_minor(cost, e)))
            if account is not None:
                core.check(lib.kehu_interaction_set_account(
                    p, account.id if isinstance(account, Account)
                    else account))
            if channel is not None:
                core.check(lib.kehu_interaction_set_channel(
                    p, _lib.cstr(channel, "channel")))
            if satisfaction is not None:
                core.check(lib.kehu_interaction_set_satisfaction(
                    p, satisfaction))
            if note is not None:
                core.check(lib.kehu_interaction_set_note(
                    p, _lib.cstr(note, "note")))
            for k, v in (attrs or {}).items():
                core.check(set_interaction_attr(p, k, v, off))
            core.check(lib.kehu_interaction_record(p))
            return snapshot(self, p, tuple(attrs or ()))
        finally:
            lib.kehu_interaction_free(p)

    def record_many(self, rows: Iterable[Tuple[int, Union[str, int], int,
                                               int]]) -> int:
        """Records ``(customer_id, type, time, amount)`` rows, with int
        epoch seconds and int *minor* units, in one C call (see
        :meth:`record_columns`): all of them or, on any error, none.
        Returns the number recorded.
        """
        cids, tys, ts, amounts = array.array("q"), array.array("i"), \
            array.array("q"), array.array("q")
        types: dict = {}
        for cid, typ, t, amount in rows:
            ty = types.get(typ)
            if ty is None:
                ty = types[typ] = interaction_type(typ)
            cids.append(cid)
            tys.append(ty)
            ts.append(t)
            amounts.append(amount)
        return self.record_columns(cids, tys, ts, amounts)

    def record_columns(self, customers: Sequence[int], types: Sequence[int],
                       times: Sequence[int],
                       amounts: Optional[Sequence[int]] = None,
                       costs: Optional[Sequence[int]] = None) -> int:
        """The bulk path: one C call (``kehu_interaction_record_many``)
        for columns of equal length: customer ids, ``KEHU_IX_*`` type
        numbers, epoch seconds, and optionally amounts and costs in
        *minor* units.  ``array.array`` columns (typecode ``"q"``, and
        ``"i"`` for types) are passed without copying; other sequences
        of ints are converted.  Every row is checked first; a bad row
        (its index is in the message) or a failure records nothing.
        Returns the number recorded.
        """
        n = len(customers)
        cols = [_column(customers, ctypes.c_int64, n, "customers"),
                _column(types, ctypes.c_int32, n, "types"),
                _column(times, ctypes.c_int64, n, "times"),
                None if amounts is None else
                _column(amounts, ctypes.c_int64, n, "amounts"),
                None if costs is None else
                _column(costs, ctypes.c_int64, n, "costs")]
        done = ctypes.c_size_t(0)
        self._core.check(lib.kehu_interaction_record_many(
            self._core.db(), n, *cols, ctypes.byref(done)))
        return done.value

    def _history(self, cid: int, start: Optional[TimeLike],
                 end: Optional[TimeLike],
                 attrs: Tuple[str, ...]) -> Iterator[Interaction]:
        core = self._core
        lo = 0 if start is None else time_to_c(start, core.offset, "start")
        hi = _END_OF_TIME if end is None else time_to_c(end, core.offset,
                                                        "end")
        p = _lib.HistoryP()
        core.check(lib.kehu_history_new(ctypes.byref(p), core.db(), cid, lo,
                                        hi, 0))
        return self._history_gen(HistoryHandle(self, p), attrs)

    def _history_gen(self, h: HistoryHandle,
                     attrs: Tuple[str, ...]) -> Iterator[Interaction]:
        core = self._core
        ix = _lib.InteractionP()
        try:
            while True:
                rc = lib.kehu_history_next(h._ptr(), ctypes.byref(ix))
                if rc == _lib.ITEROVER:
                    return
                core.check(rc)
                yield snapshot(self, ix, attrs)
        finally:
            h.close()

    # ---- metrics, labels, queries -----------------------------------------

    def metrics(self, owner: Union[Customer, Account, int],
                now: Optional[TimeLike] = None) -> Metrics:
        """The metrics of a customer or account (or id) as of *now*."""
        oid = owner.id if isinstance(owner, (Customer, Account)) else owner
        return read_metrics(self, oid, now)

    def classify(self, rules: Rules, now: Optional[TimeLike] = None, *,
                 segment: Optional[str] = None,
                 batch_size: Optional[int] = None,
                 on_change: Optional[Callable[[LabelChange], Any]] = None,
                 progress: Optional[Callable[[int, int], Any]] = None
                 ) -> ClassifyRun:
        """Evaluates *rules* for every customer (or those of *segment*, an
        expression) as of *now* and stores the labels and scores, one
        transaction per batch.

        Args:
            on_change: called per customer and classification whose label
                changed since the last run of this rule set, just before
                its batch commits.  Return False to stop (the batch is
                rolled back and UserError raised); an exception it raises
                also stops and reaches the caller.
            progress: called after each batch with (done, total); False
                stops.
        Returns:
            a :class:`kehu.rules.ClassifyRun`: ``classified`` and the
            ``changes`` (iterating it yields them).
        """
        return classify(self, rules, now, segment, batch_size, on_change,
                        progress)

    def _ruleset_name(self, ruleset: Union[Rules, str]) -> bytes:
        name = ruleset.name if isinstance(ruleset, Rules) else ruleset
        b = _lib.cstr(name, "ruleset")
        assert b is not None
        return b

    def _stored_label(self, cid: int, ruleset: Union[Rules, str],
                      classification: str) -> Optional[str]:
        core = self._core
        rs = self._ruleset_name(ruleset)
        cls = _lib.cstr(classification, "classification")
        cap = _LABEL_CAP
        n = ctypes.c_size_t()
        while True:
            buf = ctypes.create_string_buffer(cap)
            rc = lib.kehu_customer_get_label(core.db(), cid, rs, cls, buf,
                                             cap, ctypes.byref(n))
            if rc == -7:
                cap = max(n.value, cap * 2)
                continue
            if rc == -5:
                return None
            core.check(rc)
            return buf.value.decode("utf-8")

    def _stored_score(self, cid: int, ruleset: Union[Rules, str],
                      score: str) -> Optional[float]:
        core = self._core
        out = ctypes.c_double()
        rc = lib.kehu_customer_get_score(core.db(), cid,
                                         self._ruleset_name(ruleset),
                                         _lib.cstr(score, "score"),
                                         ctypes.byref(out))
        if rc == -5:
            return None
        core.check(rc)
        return out.value

    def query(self, expr: str, *, rules: Optional[Rules] = None,
              now: Optional[TimeLike] = None) -> List[int]:
        """The ids of the customers for which *expr* (rule language) holds
        as of *now*; *rules* lets it name a rule set's items, e.g.
        ``importance == "vip" and lifecycle == "at_risk"``."""
        core = self._core
        out: List[int] = []

        def each(i: int, _ud: Any) -> int:
            out.append(i)
            return 0

        cb = _lib.id_cb(core.guard(each))
        t = now_c() if now is None else time_to_c(now, core.offset, "now")
        core.check(lib.kehu_query(core.db(),
                                  rules._ptr() if rules is not None else None,
                                  _lib.cstr(expr, "expression"), t, cb, None,
                                  None))
        return out

    def count(self, expr: str, *, rules: Optional[Rules] = None,
              now: Optional[TimeLike] = None) -> int:
        """How many customers *expr* selects (see :meth:`query`)."""
        core = self._core
        n = ctypes.c_int64()
        t = now_c() if now is None else time_to_c(now, core.offset, "now")
        core.check(lib.kehu_query(core.db(),
                                  rules._ptr() if rules is not None else None,
                                  _lib.cstr(expr, "expression"), t,
                                  _lib.id_cb(), None, ctypes.byref(n)))
        return n.value


def _column(values: Sequence[int], ctype: Any, n: int, what: str) -> Any:
    """A ctypes array over ``values``: shared with an ``array.array`` of
    the right item size, else a converted copy."""
    if len(values) != n:
        raise ValueError(f"record_columns: {what} has {len(values)} "
                         f"values, customers {n}")
    if isinstance(values, array.array) and \
            values.itemsize == ctypes.sizeof(ctype) and \
            values.typecode in "qlih":
        if n == 0:
            return None
        return (ctype * n).from_buffer(values)
    try:
        return (ctype * n)(*values)
    except TypeError:
        raise TypeError(f"record_columns: {what} must hold ints") from None
