"""Rule sets: classify and score customers (the language: doc/rules.md).

``db.rules.compile(text)`` compiles a rule set against a db;
``db.rules.default()`` compiles the default CRM pack.  A compiled
:class:`Rules` evaluates and explains one customer as of a time, and
:meth:`kehu.Database.classify` runs it over every customer, storing the
labels and reporting the ones that changed.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import (TYPE_CHECKING, Any, Callable, Dict, Iterator, List,
                    Optional, Tuple, Union)

from . import _lib
from ._convert import TimeLike, now_c, time_to_c
from ._core import Handle
from ._lib import lib
from .customer import CustomerRef, customer_id

if TYPE_CHECKING:
    from .db import Database

__all__ = ["Rules", "RuleSets", "Result", "Explanation", "ExplainedRule",
           "Comparison", "LabelChange", "ClassifyRun", "default_rules_source"]


def default_rules_source() -> str:
    """The text of the default CRM rule pack (importance, loyalty,
    lifecycle, relationship, value class, prospect grade, strategy,
    RFM), to compile as it is or to copy and edit."""
    return _lib.text(lib.kehu_rules_default_source()) or ""


@dataclass(frozen=True)
class Result:
    """The labels and scores of one customer.  ``result["importance"]``
    gives a label or a score by name."""
    customer_id: int
    labels: Dict[str, str]
    scores: Dict[str, float]

    def __getitem__(self, name: str) -> Union[str, float]:
        if name in self.labels:
            return self.labels[name]
        return self.scores[name]


@dataclass(frozen=True)
class Comparison:
    """One comparison evaluated while explaining: its source text, the
    values of its sides (money in major units; NaN-free; -1 for text)
    and its outcome."""
    text: str
    left: float
    right: float
    result: bool


@dataclass(frozen=True)
class ExplainedRule:
    """One rule as tried: its label, whether it fired, its source line
    and the comparisons it evaluated."""
    label: str
    fired: bool
    line: int
    comparisons: Tuple[Comparison, ...]


@dataclass(frozen=True)
class Explanation:
    """Why a classification gave its label.  ``str(explanation)`` is the
    library's text, one line per comparison."""
    classification: str
    label: str
    text: str
    rules: Tuple[ExplainedRule, ...]

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class LabelChange:
    """A customer whose label changed in a classify run (``old_label``
    None on the first run of the rule set)."""
    customer_id: int
    classification: str
    old_label: Optional[str]
    new_label: str


@dataclass
class ClassifyRun:
    """What :meth:`kehu.Database.classify` did: how many customers it
    classified and the label changes, in the order reported.  Iterating
    yields the changes."""
    classified: int
    changes: List[LabelChange] = field(default_factory=list)

    def __iter__(self) -> Iterator[LabelChange]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)


class Rules(Handle):
    """A compiled rule set (immutable).  Freed with :meth:`close`, with
    its db, or by the garbage collector."""

    _free_fn = lib.kehu_rules_free
    _what = "rule set"

    @property
    def name(self) -> str:
        """The name from ``ruleset "NAME"``."""
        return _lib.text(lib.kehu_rules_get_name(self._ptr())) or ""

    @property
    def version(self) -> int:
        """The version number from ``version N``."""
        return int(lib.kehu_rules_get_version(self._ptr()))

    @property
    def classifications(self) -> Tuple[str, ...]:
        """The classifications' names, in the order written."""
        p = self._ptr()
        return tuple(_lib.text(lib.kehu_rules_classification_name(p, i))
                     or "" for i in
                     range(lib.kehu_rules_classification_count(p)))

    @property
    def scores(self) -> Tuple[str, ...]:
        """The scores' names, in the order written."""
        p = self._ptr()
        return tuple(_lib.text(lib.kehu_rules_score_name(p, i)) or ""
                     for i in range(lib.kehu_rules_score_count(p)))

    def _now(self, now: Optional[TimeLike]) -> int:
        if now is None:
            return now_c()
        return time_to_c(now, self._core.offset, "now")

    def evaluate(self, customer: CustomerRef,
                 now: Optional[TimeLike] = None) -> Result:
        """Evaluates one customer as of *now* (default: the host clock)."""
        core = self._core
        cid = customer_id(customer)
        res = _lib.ResultP()
        core.check(lib.kehu_rules_evaluate(ctypes.byref(res), self._ptr(),
                                           core.db(), cid, self._now(now)))
        try:
            labels = {n: _lib.text(lib.kehu_result_get_label(res, i)) or ""
                      for i, n in enumerate(self.classifications)}
            scores = {n: float(lib.kehu_result_get_score(res, i))
                      for i, n in enumerate(self.scores)}
        finally:
            lib.kehu_result_free(res)
        return Result(cid, labels, scores)

    def explain(self, customer: CustomerRef, classification: str,
                now: Optional[TimeLike] = None) -> Explanation:
        """Explains *classification* for one customer: every rule tried
        and every comparison with the values of its sides."""
        core = self._core
        ex = _lib.ExplainP()
        core.check(lib.kehu_rules_explain(
            ctypes.byref(ex), self._ptr(), core.db(), customer_id(customer),
            self._now(now), _lib.cstr(classification, "classification")))
        try:
            rules: List[ExplainedRule] = []
            for i in range(lib.kehu_explain_rule_count(ex)):
                label, fired = ctypes.c_char_p(), ctypes.c_int32()
                line, ncmp = ctypes.c_int32(), ctypes.c_size_t()
                core.check(lib.kehu_explain_rule(
                    ex, i, ctypes.byref(label), ctypes.byref(fired),
                    ctypes.byref(line), ctypes.byref(ncmp)))
                cmps = []
                for k in range(ncmp.value):
                    t, left = ctypes.c_char_p(), ctypes.c_double()
                    right, r = ctypes.c_double(), ctypes.c_int32()
                    if lib.kehu_explain_comparison(
                            ex, i, k, ctypes.byref(t), ctypes.byref(left),
                            ctypes.byref(right), ctypes.byref(r)) != 0:
                        break   # beyond the 64 recorded comparisons
                    cmps.append(Comparison(_lib.text(t.value) or "",
                                           left.value, right.value,
                                           bool(r.value)))
                rules.append(ExplainedRule(_lib.text(label.value) or "",
                                           bool(fired.value), line.value,
                                           tuple(cmps)))
            return Explanation(classification,
                               _lib.text(lib.kehu_explain_label(ex)) or "",
                               _lib.text(lib.kehu_explain_text(ex)) or "",
                               tuple(rules))
        finally:
            lib.kehu_explain_free(ex)

    def save(self) -> None:
        """Stores the rule set's text in the db under its name, so the
        next session (or another host) can :meth:`RuleSets.load` it."""
        self._core.check(lib.kehu_rules_save(self._core.db(), self._ptr()))

    def __repr__(self) -> str:
        if self.closed:
            return "<Rules (closed)>"
        return f"<Rules {self.name!r} version {self.version}>"


class RuleSets:
    """Compiling and loading rule sets: ``db.rules``."""

    def __init__(self, db: Database):
        self._db = db

    def compile(self, text: str) -> Rules:
        """Compiles rule text.  CompileError says where
        (``e.line``, ``e.column``) and why."""
        core = self._db._core
        b = _lib.cstr(text, "rule text")
        assert b is not None
        p = _lib.RulesP()
        core.check(lib.kehu_rules_compile(ctypes.byref(p), core.db(), b,
                                          len(b)))
        return Rules(self._db, p)

    def default(self) -> Rules:
        """The default CRM rule pack, compiled: when the db has current
        value models (``db.models.use(...)``), the variant
        ``kehu-default-predicted``, whose value class ranks by predicted
        CLV and whose strategy reads the predicted purchase value."""
        src = _lib.text(lib.kehu_rules_default_source_for(
            self._db._core.db())) or ""
        return self.compile(src)

    def load(self, name: str) -> Rules:
        """Loads and compiles the rule set stored under *name*."""
        core = self._db._core
        p = _lib.RulesP()
        core.check(lib.kehu_rules_load(ctypes.byref(p), core.db(),
                                       _lib.cstr(name, "name")))
        return Rules(self._db, p)


def classify(db: Database, rules: Rules, now: Optional[TimeLike],
             segment: Optional[str], batch_size: Optional[int],
             on_change: Optional[Callable[[LabelChange], Any]],
             progress: Optional[Callable[[int, int], Any]]) -> ClassifyRun:
    core = db._core
    run = ClassifyRun(0)
    o = _lib.ClassifyOptions()
    lib.kehu_classify_options_init(ctypes.byref(o),
                                   _lib.CLASSIFY_OPTIONS_VERSION)
    if batch_size is not None:
        o.batch_size = batch_size
    seg = _lib.cstr(segment, "segment")
    o.segment = seg

    def transition(cid: int, cls: bytes, old: Optional[bytes],
                   new: bytes, _ud: Any) -> int:
        ch = LabelChange(cid, cls.decode("utf-8"), _lib.text(old),
                         new.decode("utf-8"))
        if on_change is not None and on_change(ch) is False:
            return -13
        run.changes.append(ch)
        return 0

    def prog(done: int, total: int, _ud: Any) -> int:
        if progress is not None and progress(done, total) is False:
            return -13
        return 0

    tcb = _lib.transition_cb(core.guard(transition))
    pcb = _lib.progress_cb(core.guard(prog))
    o.transition = tcb
    o.progress = pcb
    n = ctypes.c_int64()
    t = now_c() if now is None else time_to_c(now, core.offset, "now")
    rc = lib.kehu_rules_classify_all(core.db(), rules._ptr(), t,
                                     ctypes.byref(o), ctypes.byref(n))
    core.check(rc)
    run.classified = n.value
    return run
