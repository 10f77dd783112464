"""Customers, accounts, interactions and metrics.

A :class:`Customer` (and an :class:`Account`) is a Python view of a C
handle: a detached copy of the stored customer.  Assigning a property,
adding a tag or setting an attribute writes through at once (one save
per change); inside ``with customer.batch():`` the changes are saved
together at the end of the block.  A save that fails (a stale handle: the
customer was saved through another handle meanwhile, a key already
taken) raises, and the object is re-read from the db, so it always shows
what is stored.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as _dt
from collections.abc import MutableMapping, MutableSet
from dataclasses import dataclass, field
from decimal import Decimal
from typing import (TYPE_CHECKING, Any, Dict, Iterable, Iterator, List,
                    Mapping, Optional, Tuple, Union)

from . import _lib
from ._convert import (TimeLike, minor_to_money, now_c, time_from_c,
                       time_to_c)
from ._core import Handle
from ._lib import lib
from .errors import InvalidArgument, NotFoundError

if TYPE_CHECKING:
    from .db import Database

__all__ = ["Customer", "Customers", "Account", "Accounts", "Interaction",
           "Metrics", "Tags", "Attributes"]

KINDS = {"person": 1, "organisation": 2, "organization": 2}
RELATIONS = {"consumer": 1, "business": 2, "channel": 3, "internal": 4}
STATUSES = {"prospect": 1, "customer": 2}
ROLES = {"payer": 1, "user": 2, "decision_maker": 3, "influencer": 4}
_KIND_NAMES = {1: "person", 2: "organisation"}
_RELATION_NAMES = {v: k for k, v in RELATIONS.items()}
_STATUS_NAMES = {v: k for k, v in STATUSES.items()}
_ROLE_NAMES = {v: k for k, v in ROLES.items()}

AttrValue = Union[str, int, float, _dt.datetime]
CustomerRef = Union["Customer", int]


def _code(table: Dict[str, int], value: str, what: str) -> int:
    if isinstance(value, str) and value in table:
        return table[value]
    raise InvalidArgument(f"{what} must be one of "
                          f"{', '.join(sorted(table))}, not {value!r}")


def customer_id(ref: Any, what: str = "customer") -> int:
    """The id of a Customer (or Account), or an int id."""
    if isinstance(ref, (Customer, Account)):
        return ref.id
    if isinstance(ref, int) and not isinstance(ref, bool):
        return ref
    raise TypeError(f"{what} must be a Customer or an int id, not "
                    f"{type(ref).__name__}")


# ---- attributes (customers and interactions share the C shape) ----------

_ATTR_STRING, _ATTR_INT, _ATTR_NUMBER, _ATTR_TIME = 1, 2, 3, 4


def _set_attr(prefix: str, ptr: Any, name: str, value: AttrValue,
              offset: int) -> int:
    n = _lib.cstr(name, "attribute name")
    if isinstance(value, bool):
        raise TypeError("attribute values are str, int, float or an aware "
                        "datetime (a bool is ambiguous: use 0/1)")
    if isinstance(value, str):
        return getattr(lib, prefix + "set_attr_string")(
            ptr, n, _lib.cstr(value, "attribute value"))
    if isinstance(value, int):
        return getattr(lib, prefix + "set_attr_int")(ptr, n, value)
    if isinstance(value, float):
        return getattr(lib, prefix + "set_attr_number")(ptr, n, value)
    if isinstance(value, _dt.datetime):
        return getattr(lib, prefix + "set_attr_time")(
            ptr, n, time_to_c(value, offset, "attribute"))
    raise TypeError("attribute values are str, int, float or an aware "
                    f"datetime, not {type(value).__name__}")


def _get_attr(prefix: str, ptr: Any, name: str, type_: int,
              offset: int) -> Tuple[int, Any]:
    n = _lib.cstr(name, "attribute name")
    if type_ == _ATTR_STRING:
        s = ctypes.c_char_p()
        rc = getattr(lib, prefix + "get_attr_string")(ptr, n,
                                                      ctypes.byref(s))
        return rc, _lib.text(s.value)
    if type_ == _ATTR_NUMBER:
        d = ctypes.c_double()
        rc = getattr(lib, prefix + "get_attr_number")(ptr, n,
                                                      ctypes.byref(d))
        return rc, d.value
    i = ctypes.c_int64()
    fn = "get_attr_int" if type_ == _ATTR_INT else "get_attr_time"
    rc = getattr(lib, prefix + fn)(ptr, n, ctypes.byref(i))
    if type_ == _ATTR_TIME:
        return rc, time_from_c(i.value, offset)
    return rc, i.value


class Tags(MutableSet):
    """A customer's tags: a set-like view, in the order added.  Adding
    or discarding writes through (see :class:`Customer`)."""

    def __init__(self, customer: Customer):
        self._c = customer

    def __contains__(self, tag: object) -> bool:
        if not isinstance(tag, str):
            return False
        return bool(lib.kehu_customer_has_tag(self._c._ptr(),
                                              _lib.cstr(tag, "tag")))

    def __iter__(self) -> Iterator[str]:
        p = self._c._ptr()
        return iter([_lib.text(lib.kehu_customer_get_tag(p, i)) or ""
                     for i in range(lib.kehu_customer_tag_count(p))])

    def __len__(self) -> int:
        return int(lib.kehu_customer_tag_count(self._c._ptr()))

    def add(self, tag: str) -> None:
        """Adds *tag* (adding one that is there does nothing)."""
        self._c._change(lambda p: lib.kehu_customer_add_tag(
            p, _lib.cstr(tag, "tag")))

    def discard(self, tag: str) -> None:
        """Removes *tag* if present."""
        if tag in self:
            self._c._change(lambda p: lib.kehu_customer_remove_tag(
                p, _lib.cstr(tag, "tag")))

    def __repr__(self) -> str:
        return f"Tags({list(self)!r})"


class Attributes(MutableMapping):
    """A customer's typed attributes as a mutable mapping, in name order.

    Values are str, int, float or timezone-aware datetime (times come
    back in the db's UTC offset).  Setting and deleting write through.
    """

    def __init__(self, customer: Customer):
        self._c = customer

    def __getitem__(self, name: str) -> AttrValue:
        c = self._c
        p = c._ptr()
        t = lib.kehu_customer_get_attr_type(p, _lib.cstr(name,
                                                          "attribute name"))
        if t == 0:
            raise KeyError(name)
        rc, v = _get_attr("kehu_customer_", p, name, t, c._core.offset)
        c._core.check(rc)
        return v

    def __setitem__(self, name: str, value: AttrValue) -> None:
        self._c._change(lambda p: _set_attr("kehu_customer_", p, name,
                                            value, self._c._core.offset))

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._c._change(lambda p: lib.kehu_customer_remove_attr(
            p, _lib.cstr(name, "attribute name")))

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return lib.kehu_customer_get_attr_type(
            self._c._ptr(), _lib.cstr(name, "attribute name")) != 0

    def __iter__(self) -> Iterator[str]:
        names: List[str] = []

        def each(n: bytes, _t: int, _ud: Any) -> int:
            names.append(n.decode("utf-8"))
            return 0

        cb = _lib.attr_cb(each)
        self._c._core.check(lib.kehu_customer_foreach_attr(self._c._ptr(),
                                                           cb, None))
        return iter(names)

    def __len__(self) -> int:
        return int(lib.kehu_customer_attr_count(self._c._ptr()))

    def __repr__(self) -> str:
        return f"Attributes({dict(self)!r})"


# ---- metrics -------------------------------------------------------------

_MONEY = ("sales", "refunds", "revenue", "cost", "margin", "revenue_30d",
          "revenue_90d", "revenue_365d")
_TIMES = ("first_purchase", "last_purchase", "last_contact")
_DAYS = {"days_since_first_purchase": "first_purchase",
         "days_since_last_purchase": "last_purchase",
         "days_since_last_contact": "last_contact"}


@dataclass(frozen=True)
class Metrics:
    """A customer's or an account's aggregates as of :attr:`now`.

    Money fields are exact :class:`~decimal.Decimal` amounts in major
    units; times are aware datetimes in the db's offset (None when there
    was none); ``days_since_*`` are local days (None when there was no
    such event); ``average_order_value`` is a float in major units.
    """
    now: _dt.datetime
    first_purchase: Optional[_dt.datetime]
    last_purchase: Optional[_dt.datetime]
    last_contact: Optional[_dt.datetime]
    interactions: int
    purchases: int
    orders: int
    sales: Decimal
    refunds: Decimal
    revenue: Decimal
    cost: Decimal
    margin: Decimal
    average_order_value: float
    complaints: int
    satisfaction_count: int
    average_satisfaction: float
    last_satisfaction: int
    referrals: int
    months_active: int
    days_since_first_purchase: Optional[int]
    days_since_last_purchase: Optional[int]
    days_since_last_contact: Optional[int]
    revenue_30d: Decimal
    revenue_90d: Decimal
    revenue_365d: Decimal
    purchases_30d: int
    purchases_90d: int
    purchases_365d: int
    complaints_30d: int
    complaints_90d: int
    complaints_365d: int


def read_metrics(db: Database, owner_id: int,
                 now: Optional[TimeLike]) -> Metrics:
    core = db._core
    t = now_c() if now is None else time_to_c(now, core.offset, "now")
    m = _lib.Metrics()
    lib.kehu_metrics_init(ctypes.byref(m), _lib.METRICS_VERSION)
    core.check(lib.kehu_metrics_read(ctypes.byref(m), core.db(), owner_id,
                                     t))
    e, off = core.exponent, core.offset
    vals: Dict[str, Any] = {"now": time_from_c(t, off)}
    for n in _lib.METRIC_FIELDS:
        v = getattr(m, n)
        if n in _MONEY:
            v = minor_to_money(v, e)
        elif n in _TIMES:
            v = time_from_c(v, off)
        elif n == "average_order_value":
            v = v / 10 ** e
        vals[n] = v
    for n, ev in _DAYS.items():
        if vals[ev] is None:
            vals[n] = None
    return Metrics(**vals)


# ---- customers -----------------------------------------------------------


class Customer(Handle):
    """A customer: fields, tags, attributes, metrics and history.

    Get one from :attr:`Database.customers` (``create``, ``get``,
    ``by_key``, iteration).  Property assignments write through; use
    :meth:`batch` to save several changes at once.  Free it with
    :meth:`close` or ``with``, or let the garbage collector do it.
    """

    _free_fn = lib.kehu_customer_free
    _what = "customer handle"

    def __init__(self, db: Database, ptr: Any):
        super().__init__(db, ptr)
        self._batch = 0
        self._id = int(lib.kehu_customer_get_id(ptr))

    # -- write-through machinery
    def _change(self, setter: Any) -> None:
        core = self._core
        core.check(setter(self._ptr()))
        if self._batch == 0:
            self._save_or_reload()

    def _save_or_reload(self) -> None:
        rc = lib.kehu_customer_save(self._ptr())
        if rc < 0:
            try:
                self._core.check(rc)
            finally:
                self._reload_quietly()

    def _reload_quietly(self) -> None:
        p = _lib.CustomerP()
        if lib.kehu_customer_lookup(ctypes.byref(p), self._core.db(),
                                    self._id) == 0:
            self._replace(p)

    @contextlib.contextmanager
    def batch(self) -> Iterator["Customer"]:
        """Groups changes into one save at the end of the block.  If the
        block raises, the changes are dropped (the customer is re-read)."""
        self._batch += 1
        try:
            yield self
        except BaseException:
            self._batch -= 1
            if self._batch == 0:
                self._reload_quietly()
            raise
        self._batch -= 1
        if self._batch == 0:
            self._save_or_reload()

    def save(self) -> None:
        """Writes the handle back (needed only after changes made inside
        a :meth:`batch` that is still open; write-through does the rest).
        Raises ConflictError when the customer was saved elsewhere since
        it was read."""
        self._save_or_reload()

    def reload(self) -> None:
        """Re-reads the customer from the db (dropping unsaved changes)."""
        p = _lib.CustomerP()
        self._core.check(lib.kehu_customer_lookup(ctypes.byref(p),
                                                  self._core.db(), self._id))
        self._replace(p)

    # -- fields
    @property
    def id(self) -> int:
        """The library id (never reused)."""
        return self._id

    @property
    def db(self) -> Database:
        """The db the customer belongs to."""
        return self._db

    @property
    def key(self) -> Optional[str]:
        """The host's external key (unique per db), or None."""
        return _lib.text(lib.kehu_customer_get_key(self._ptr()))

    @key.setter
    def key(self, value: Optional[str]) -> None:
        self._change(lambda p: lib.kehu_customer_set_key(
            p, _lib.cstr(value, "key")))

    @property
    def name(self) -> str:
        """The display name ("" for none)."""
        return _lib.text(lib.kehu_customer_get_name(self._ptr())) or ""

    @name.setter
    def name(self, value: str) -> None:
        self._change(lambda p: lib.kehu_customer_set_name(
            p, _lib.cstr(value, "name")))

    @property
    def kind(self) -> str:
        """``"person"`` or ``"organisation"``."""
        return _KIND_NAMES.get(lib.kehu_customer_get_kind(self._ptr()), "")

    @kind.setter
    def kind(self, value: str) -> None:
        k = _code(KINDS, value, "kind")
        self._change(lambda p: lib.kehu_customer_set_kind(p, k))

    @property
    def relation(self) -> str:
        """``"consumer"``, ``"business"``, ``"channel"`` or
        ``"internal"``."""
        return _RELATION_NAMES.get(
            lib.kehu_customer_get_relation(self._ptr()), "")

    @relation.setter
    def relation(self, value: str) -> None:
        r = _code(RELATIONS, value, "relation")
        self._change(lambda p: lib.kehu_customer_set_relation(p, r))

    @property
    def status(self) -> str:
        """``"prospect"`` or ``"customer"``."""
        return _STATUS_NAMES.get(lib.kehu_customer_get_status(self._ptr()),
                                 "")

    @status.setter
    def status(self, value: str) -> None:
        s = _code(STATUSES, value, "status")
        self._change(lambda p: lib.kehu_customer_set_status(p, s))

    @property
    def referrer(self) -> Optional[int]:
        """The id of the customer who referred this one, or None."""
        r = int(lib.kehu_customer_get_referrer(self._ptr()))
        return r or None

    @referrer.setter
    def referrer(self, value: Optional[CustomerRef]) -> None:
        r = 0 if value is None else customer_id(value, "referrer")
        self._change(lambda p: lib.kehu_customer_set_referrer(p, r))

    @property
    def tags(self) -> Tags:
        """The tags, a set-like view (``c.tags.add("vip")``)."""
        return Tags(self)

    @tags.setter
    def tags(self, values: Iterable[str]) -> None:
        values = list(values)
        with self.batch():
            for t in list(self.tags):
                if t not in values:
                    self.tags.discard(t)
            for t in values:
                self.tags.add(t)

    @property
    def attrs(self) -> Attributes:
        """The typed attributes, a mutable mapping
        (``c.attrs["credit_limit"] = 50_000``)."""
        return Attributes(self)

    # -- reading
    def metrics(self, now: Optional[TimeLike] = None) -> Metrics:
        """The customer's metrics as of *now* (default: the host clock)."""
        return read_metrics(self._db, self._id, now)

    def history(self, start: Optional[TimeLike] = None,
                end: Optional[TimeLike] = None, *,
                attrs: Iterable[str] = ()) -> Iterator["Interaction"]:
        """The interactions with ``start <= time < end`` in time order,
        as a generator (the store is read a page at a time).

        Args:
            start, end: the range (default: all time).
            attrs: attribute names to read into each
                :attr:`Interaction.attrs` (C cannot list an
                interaction's attribute names).
        """
        return self._db._history(self._id, start, end, tuple(attrs))

    def label(self, ruleset: Any, classification: str) -> Optional[str]:
        """The label stored for *classification* by the last
        :meth:`Database.classify` of *ruleset* (a Rules or its name), or
        None when never classified."""
        return self._db._stored_label(self._id, ruleset, classification)

    def score(self, ruleset: Any, score: str) -> Optional[float]:
        """The score stored by the last classify of *ruleset*, or None."""
        return self._db._stored_score(self._id, ruleset, score)

    def clv(self, now: Optional[TimeLike] = None, **options: Any) -> Any:
        """The customer's lifetime value (see :meth:`Models.clv`)."""
        return self._db.models.clv(self, now, **options)

    def delete(self) -> None:
        """Deletes the stored customer (and its history); closes the
        handle."""
        self._db.customers.delete(self._id)
        self.close()

    def erase(self) -> None:
        """Erases the personal data (see :meth:`Customers.erase`)."""
        self._db.customers.erase(self._id)
        self._reload_quietly()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Customer):
            return other._core is self._core and other._id == self._id
        return NotImplemented

    def __hash__(self) -> int:
        return hash((id(self._core), self._id))

    def __repr__(self) -> str:
        if self.closed:
            return f"<Customer {self._id} (closed)>"
        return f"<Customer {self._id} key={self.key!r} name={self.name!r}>"


class Customers:
    """The customers of a db: ``db.customers``.

    ``len(db.customers)`` counts them, ``db.customers[id]`` or
    ``db.customers["KEY"]`` reads one, iteration yields every customer
    in id order (as a generator of handles).
    """

    def __init__(self, db: Database):
        self._db = db

    def create(self, key: Optional[str] = None, *, name: Optional[str] = None,
               kind: Optional[str] = None, relation: Optional[str] = None,
               status: Optional[str] = None,
               referrer: Optional[CustomerRef] = None,
               tags: Iterable[str] = (),
               attrs: Optional[Mapping[str, AttrValue]] = None) -> Customer:
        """Creates and stores a customer, with its fields, in one
        transaction.

        Raises ExistsError when *key* is taken, InvalidArgument for a
        value over a limit.
        """
        db = self._db
        core = db._core
        p = _lib.CustomerP()
        extra = (name is not None or kind is not None or relation is not None
                 or status is not None or referrer is not None or
                 bool(tags) or bool(attrs))
        with db._implicit_transaction(extra):
            core.check(lib.kehu_customer_create(ctypes.byref(p), core.db(),
                                                _lib.cstr(key, "key")))
            c = Customer(db, p)
            if extra:
                with c.batch():
                    if name is not None:
                        c.name = name
                    if kind is not None:
                        c.kind = kind
                    if relation is not None:
                        c.relation = relation
                    if status is not None:
                        c.status = status
                    if referrer is not None:
                        c.referrer = referrer
                    for t in tags:
                        c.tags.add(t)
                    for k, v in (attrs or {}).items():
                        c.attrs[k] = v
        return c

    def get(self, id: int) -> Customer:
        """The customer with this id (NotFoundError if none)."""
        core = self._db._core
        p = _lib.CustomerP()
        core.check(lib.kehu_customer_lookup(ctypes.byref(p), core.db(),
                                            customer_id(id)))
        return Customer(self._db, p)

    def by_key(self, key: str) -> Customer:
        """The customer with this external key (NotFoundError if none)."""
        core = self._db._core
        p = _lib.CustomerP()
        core.check(lib.kehu_customer_lookup_key(ctypes.byref(p), core.db(),
                                                _lib.cstr(key, "key")))
        return Customer(self._db, p)

    def __getitem__(self, ref: Union[int, str]) -> Customer:
        try:
            if isinstance(ref, str):
                return self.by_key(ref)
            return self.get(ref)
        except NotFoundError as e:
            raise KeyError(ref) from e

    def __contains__(self, ref: object) -> bool:
        try:
            with self[ref]:  # type: ignore[index]
                return True
        except (KeyError, TypeError, InvalidArgument):
            return False

    def delete(self, ref: CustomerRef) -> None:
        """Deletes a customer with its history.  BusyError when it pays
        for or belongs to an account."""
        core = self._db._core
        core.check(lib.kehu_customer_delete(core.db(), customer_id(ref)))

    def erase(self, ref: CustomerRef) -> None:
        """Erases personal data (name, key, tags, attributes, notes) for a
        data-protection request; amounts, dates and metrics stay."""
        core = self._db._core
        core.check(lib.kehu_customer_erase(core.db(), customer_id(ref)))

    def ids(self) -> List[int]:
        """Every live customer id, ascending."""
        core = self._db._core
        out: List[int] = []

        def each(i: int, _ud: Any) -> int:
            out.append(i)
            return 0

        cb = _lib.id_cb(each)
        core.check(lib.kehu_customer_foreach(core.db(), cb, None))
        return out

    def __iter__(self) -> Iterator[Customer]:
        for i in self.ids():
            try:
                c = self.get(i)
            except NotFoundError:   # deleted while iterating
                continue
            yield c

    def __len__(self) -> int:
        return int(lib.kehu_db_customer_count(self._db._core.db()))

    def __repr__(self) -> str:
        return f"<Customers of {self._db!r}: {len(self)}>"


# ---- accounts ------------------------------------------------------------


class Account(Handle):
    """An account: a commercial relationship with a payer and members in
    roles (``"payer"``, ``"user"``, ``"decision_maker"``,
    ``"influencer"``).  Changes write through like a Customer's."""

    _free_fn = lib.kehu_account_free
    _what = "account handle"

    def __init__(self, db: Database, ptr: Any):
        super().__init__(db, ptr)
        self._id = int(lib.kehu_account_get_id(ptr))

    def _change(self, setter: Any) -> None:
        self._core.check(setter(self._ptr()))
        rc = lib.kehu_account_save(self._ptr())
        if rc < 0:
            try:
                self._core.check(rc)
            finally:
                p = _lib.AccountP()
                if lib.kehu_account_lookup(ctypes.byref(p), self._core.db(),
                                           self._id) == 0:
                    self._replace(p)

    @property
    def id(self) -> int:
        """The library id (one sequence with customers)."""
        return self._id

    @property
    def name(self) -> str:
        """The account's name ("" for none)."""
        return _lib.text(lib.kehu_account_get_name(self._ptr())) or ""

    @name.setter
    def name(self, value: str) -> None:
        self._change(lambda p: lib.kehu_account_set_name(
            p, _lib.cstr(value, "name")))

    @property
    def payer(self) -> int:
        """The paying customer's id."""
        return int(lib.kehu_account_get_payer(self._ptr()))

    @payer.setter
    def payer(self, value: CustomerRef) -> None:
        cid = customer_id(value, "payer")
        self._change(lambda p: lib.kehu_account_set_payer(p, cid))

    @property
    def members(self) -> Dict[int, str]:
        """Members as {customer id: role}, in the order added."""
        out: Dict[int, str] = {}

        def each(cid: int, role: int, _ud: Any) -> int:
            out[cid] = _ROLE_NAMES.get(role, str(role))
            return 0

        cb = _lib.member_cb(each)
        self._core.check(lib.kehu_account_foreach_member(self._ptr(), cb,
                                                         None))
        return out

    def add_member(self, customer: CustomerRef, role: str = "user") -> None:
        """Adds a member (ExistsError if it is one already)."""
        cid, r = customer_id(customer), _code(ROLES, role, "role")
        self._change(lambda p: lib.kehu_account_add_member(p, cid, r))

    def remove_member(self, customer: CustomerRef) -> None:
        """Removes a member (BusyError for the payer)."""
        cid = customer_id(customer)
        self._change(lambda p: lib.kehu_account_remove_member(p, cid))

    def role_of(self, customer: CustomerRef) -> Optional[str]:
        """The member's role, or None when not a member."""
        r = lib.kehu_account_get_member_role(self._ptr(),
                                             customer_id(customer))
        return _ROLE_NAMES.get(r)

    def metrics(self, now: Optional[TimeLike] = None) -> Metrics:
        """The account's metrics (fed by interactions recorded with it)."""
        return read_metrics(self._db, self._id, now)

    def delete(self) -> None:
        """Deletes the stored account; closes the handle."""
        self._db.accounts.delete(self._id)
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return f"<Account {self._id} (closed)>"
        return f"<Account {self._id} name={self.name!r} payer={self.payer}>"


class Accounts:
    """The accounts of a db: ``db.accounts``."""

    def __init__(self, db: Database):
        self._db = db

    def create(self, payer: CustomerRef, *, name: Optional[str] = None,
               members: Optional[Mapping[CustomerRef, str]] = None
               ) -> Account:
        """Creates an account paid by *payer* (its first member)."""
        db, core = self._db, self._db._core
        p = _lib.AccountP()
        extra = name is not None or bool(members)
        with db._implicit_transaction(extra):
            core.check(lib.kehu_account_create(ctypes.byref(p), core.db(),
                                               customer_id(payer, "payer")))
            a = Account(db, p)
            if name is not None:
                a.name = name
            for m, role in (members or {}).items():
                a.add_member(m, role)
        return a

    def get(self, id: int) -> Account:
        """The account with this id (NotFoundError if none)."""
        core = self._db._core
        p = _lib.AccountP()
        core.check(lib.kehu_account_lookup(ctypes.byref(p), core.db(), id))
        return Account(self._db, p)

    __getitem__ = get

    def delete(self, ref: Union[Account, int]) -> None:
        """Deletes an account and its metrics."""
        core = self._db._core
        aid = ref.id if isinstance(ref, Account) else ref
        core.check(lib.kehu_account_delete(core.db(), aid))

    def ids(self) -> List[int]:
        """Every live account id, ascending."""
        core = self._db._core
        out: List[int] = []

        def each(i: int, _ud: Any) -> int:
            out.append(i)
            return 0

        cb = _lib.id_cb(each)
        core.check(lib.kehu_account_foreach(core.db(), cb, None))
        return out

    def __iter__(self) -> Iterator[Account]:
        for i in self.ids():
            yield self.get(i)

    def __len__(self) -> int:
        return int(lib.kehu_db_account_count(self._db._core.db()))


# ---- interactions ----------------------------------------------------------


@dataclass(frozen=True)
class Interaction:
    """One recorded interaction (a snapshot: interactions never change).

    ``type`` is a name such as ``"purchase"``; money is Decimal; ``time``
    an aware datetime in the db's offset; ``satisfaction`` None when not
    scored; ``attrs`` the attributes recorded (or asked for, when read
    from a history).
    """
    id: int
    customer_id: int
    type: str
    time: _dt.datetime
    amount: Decimal
    cost: Decimal
    account_id: Optional[int] = None
    channel: str = ""
    satisfaction: Optional[int] = None
    note: str = ""
    attrs: Dict[str, AttrValue] = field(default_factory=dict)
    attr_count: int = 0


def interaction_type(name: Union[str, int]) -> int:
    """The C type code of an interaction type name."""
    if isinstance(name, int) and not isinstance(name, bool):
        return name
    out = ctypes.c_int32()
    rc = lib.kehu_interaction_type_from_name(_lib.cstr(name, "type"),
                                             ctypes.byref(out))
    if rc != 0:
        names = [_lib.text(lib.kehu_interaction_type_name(i))
                 for i in range(1, 11)]
        raise InvalidArgument(f"unknown interaction type {name!r}; one of "
                              f"{', '.join(n for n in names if n)}")
    return out.value


def snapshot(db: Database, p: Any, attrs: Tuple[str, ...]) -> Interaction:
    """An Interaction from a C interaction pointer."""
    core = db._core
    e, off = core.exponent, core.offset
    vals: Dict[str, AttrValue] = {}
    for n in attrs:
        for t in (_ATTR_STRING, _ATTR_INT, _ATTR_NUMBER, _ATTR_TIME):
            rc, v = _get_attr("kehu_interaction_", p, n, t, off)
            if rc == 0:
                vals[n] = v
                break
    sat = int(lib.kehu_interaction_get_satisfaction(p))
    acc = int(lib.kehu_interaction_get_account(p))
    ts = time_from_c(int(lib.kehu_interaction_get_time(p)), off)
    assert ts is not None
    return Interaction(
        id=int(lib.kehu_interaction_get_id(p)),
        customer_id=int(lib.kehu_interaction_get_customer(p)),
        type=_lib.text(lib.kehu_interaction_type_name(
            lib.kehu_interaction_get_type(p))) or "",
        time=ts,
        amount=minor_to_money(int(lib.kehu_interaction_get_amount(p)), e),
        cost=minor_to_money(int(lib.kehu_interaction_get_cost(p)), e),
        account_id=acc or None,
        channel=_lib.text(lib.kehu_interaction_get_channel(p)) or "",
        satisfaction=sat or None,
        note=_lib.text(lib.kehu_interaction_get_note(p)) or "",
        attrs=vals,
        attr_count=int(lib.kehu_interaction_attr_count(p)))


class HistoryHandle(Handle):
    """The C history iterator behind :meth:`Customer.history`."""
    _free_fn = lib.kehu_history_free
    _what = "history iterator"


def set_interaction_attr(p: Any, name: str, value: AttrValue,
                         offset: int) -> int:
    return _set_attr("kehu_interaction_", p, name, value, offset)
