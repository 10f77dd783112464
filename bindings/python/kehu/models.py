"""Value models: BTYD summaries, BG/NBD, Pareto/NBD and Gamma-Gamma.

``db.models.fit("bgnbd", calibration_end=date(1997, 9, 30))`` fits a
model by maximum likelihood on the db's purchase history (periods of one
week unless *period* says otherwise).  A :class:`Model` predicts expected
purchases, P(alive) and expected spend, and is stored by name with
:meth:`Models.save`.
"""

from __future__ import annotations

import ctypes
import datetime as _dt
import math
import weakref
from dataclasses import dataclass
from decimal import Decimal
from typing import (TYPE_CHECKING, Any, Dict, List, Optional, Sequence,
                    Union)

from . import _lib
from ._convert import TimeLike, now_c, period_seconds, time_to_c
from ._lib import lib
from .customer import CustomerRef, customer_id
from .errors import InvalidArgument, MisuseError, error_for_code

if TYPE_CHECKING:
    from .db import Database

__all__ = ["Model", "Models", "Summary", "CLV", "WEEK"]

WEEK = _dt.timedelta(weeks=1)
KINDS = {"bgnbd": 1, "paretonbd": 2, "gammagamma": 3}
_KIND_NAMES = {v: k for k, v in KINDS.items()}
PeriodLike = Union[_dt.timedelta, int]


@dataclass(frozen=True)
class Summary:
    """A customer's BTYD summary: repeat purchase days *x*, recency
    *t_x* and age *T* in periods, and the mean repeat spend (major
    units, 0 when x = 0)."""
    customer_id: int
    x: float
    t_x: float
    T: float
    spend: float


@dataclass(frozen=True)
class CLV:
    """A customer's lifetime value and its terms, in major currency
    units: ``clv = margin - cost + referral``."""
    x: float
    t_x: float
    T: float
    p_alive: float
    expected_purchases: float
    discounted_purchases: float
    expected_spend: float
    margin_rate: float
    margin: float
    cost: float
    referral: float
    clv: float


def _check(rc: int, what: str) -> None:
    if rc < 0:
        raise error_for_code(rc, what)


class Model:
    """A fitted model (immutable; independent of the db it was fitted
    on).  Free it with :meth:`close` / ``with`` or leave it to the
    garbage collector."""

    def __init__(self, ptr: Any):
        self._p = ptr
        self._fin = weakref.finalize(self, lib.kehu_model_free, ptr)

    def _ptr(self) -> Any:
        if not self._fin.alive:
            raise MisuseError("the model is closed")
        return self._p

    def close(self) -> None:
        """Frees the model now."""
        self._fin()

    @property
    def closed(self) -> bool:
        return not self._fin.alive

    def __enter__(self) -> Model:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def kind(self) -> str:
        """``"bgnbd"``, ``"paretonbd"`` or ``"gammagamma"``."""
        return _KIND_NAMES.get(lib.kehu_model_get_kind(self._ptr()), "")

    @property
    def period(self) -> _dt.timedelta:
        """The time unit the model was fitted in."""
        return _dt.timedelta(seconds=lib.kehu_model_get_period(self._ptr()))

    @property
    def params(self) -> Dict[str, float]:
        """The parameters by name (r, alpha, a, b; r, alpha, s, beta; or
        p, q, gamma), in the kind's order."""
        p = self._ptr()
        return {(_lib.text(lib.kehu_model_param_name(p, i)) or str(i)):
                float(lib.kehu_model_get_param(p, i))
                for i in range(lib.kehu_model_param_count(p))}

    @property
    def loglik(self) -> float:
        """The maximised log-likelihood."""
        return float(lib.kehu_model_get_loglik(self._ptr()))

    @property
    def iterations(self) -> int:
        """Optimiser iterations."""
        return int(lib.kehu_model_get_iterations(self._ptr()))

    @property
    def converged(self) -> bool:
        """Whether the optimiser converged."""
        return bool(lib.kehu_model_get_converged(self._ptr()))

    @property
    def spend_correlation(self) -> Optional[float]:
        """Gamma-Gamma: correlation between repeat purchases and mean
        spend of the customers fitted on (None for other kinds)."""
        v = float(lib.kehu_model_get_spend_correlation(self._ptr()))
        return None if math.isnan(v) else v

    @property
    def warning(self) -> Optional[str]:
        """A warning about the fit (Gamma-Gamma's independence
        assumption broken), or None."""
        return _lib.text(lib.kehu_model_get_warning(self._ptr(), None))

    def expected_purchases(self, t: float, x: float = 0.0, t_x: float = 0.0,
                           T: float = 0.0, *, new: bool = False) -> float:
        """Expected purchases in the next *t* periods of a customer with
        history (x, t_x, T); ``new=True``: of a new customer over (0, t].
        """
        out = ctypes.c_double()
        _check(lib.kehu_model_expected_purchases(
            self._ptr(), x, t_x, T, t, 1 if new else 0, ctypes.byref(out)),
            "expected_purchases: bad kind or history")
        return out.value

    def p_alive(self, x: float, t_x: float, T: float) -> float:
        """P(alive) of a customer with history (x, t_x, T)."""
        out = ctypes.c_double()
        _check(lib.kehu_model_p_alive(self._ptr(), x, t_x, T,
                                      ctypes.byref(out)),
               "p_alive: bad kind or history")
        return out.value

    def expected_spend(self, x: float, mean_spend: float) -> float:
        """Gamma-Gamma: expected mean transaction value of a customer
        with *x* repeat purchases of mean value *mean_spend*."""
        out = ctypes.c_double()
        _check(lib.kehu_model_expected_spend(self._ptr(), x, mean_spend,
                                             ctypes.byref(out)),
               "expected_spend: bad kind or values")
        return out.value

    def __repr__(self) -> str:
        if self.closed:
            return "<Model (closed)>"
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        return f"<Model {self.kind} {ps} loglik={self.loglik:.2f}>"


def _model(m: Any, what: str) -> Any:
    if m is None:
        return None
    if not isinstance(m, Model):
        raise TypeError(f"{what} must be a Model or None")
    return m._ptr()


class Models:
    """Fitting, storing and using value models: ``db.models``."""

    def __init__(self, db: Database):
        self._db = db

    def _time(self, t: TimeLike, what: str) -> int:
        return time_to_c(t, self._db._core.offset, what)

    def summaries(self, calibration_end: TimeLike,
                  period: PeriodLike = WEEK) -> List[Summary]:
        """Every customer's summary as of *calibration_end*, in id order
        (customers with a purchase on or before it)."""
        core = self._db._core
        end, per = self._time(calibration_end, "calibration_end"), \
            period_seconds(period)
        n = ctypes.c_size_t()
        rc = lib.kehu_value_summaries(core.db(), end, per, None, None, None,
                                      None, None, 0, ctypes.byref(n))
        if rc != -7:
            core.check(rc)
        cap = n.value
        ids = (ctypes.c_int64 * cap)()
        arrs = [(ctypes.c_double * cap)() for _ in range(4)]
        core.check(lib.kehu_value_summaries(core.db(), end, per, ids,
                                            *arrs, cap, ctypes.byref(n)))
        x, tx, T, z = arrs
        return [Summary(ids[i], x[i], tx[i], T[i], z[i])
                for i in range(n.value)]

    def fit(self, kind: str, calibration_end: TimeLike,
            period: PeriodLike = WEEK) -> Model:
        """Fits a model (``"bgnbd"``, ``"paretonbd"`` or
        ``"gammagamma"``) on the summaries as of *calibration_end*.
        RangeError when the fit finds no finite parameters."""
        if kind not in KINDS:
            raise InvalidArgument(f"kind must be one of {sorted(KINDS)}, "
                                  f"not {kind!r}")
        core = self._db._core
        p = _lib.ModelP()
        core.check(lib.kehu_model_fit(
            ctypes.byref(p), core.db(), KINDS[kind],
            self._time(calibration_end, "calibration_end"),
            period_seconds(period)))
        return Model(p)

    def save(self, model: Model, name: str) -> None:
        """Stores *model* in the db under *name*."""
        core = self._db._core
        core.check(lib.kehu_model_save(core.db(), model._ptr(),
                                       _lib.cstr(name, "name")))

    def load(self, name: str) -> Model:
        """Loads the model stored under *name*."""
        core = self._db._core
        p = _lib.ModelP()
        core.check(lib.kehu_model_load(ctypes.byref(p), core.db(),
                                       _lib.cstr(name, "name")))
        return Model(p)

    # ---- customer lifetime value --------------------------------------

    @staticmethod
    def _need(name: str) -> None:
        if not _lib.has(name):
            raise NotImplementedError(
                f"the loaded libkehu ({_lib.library_path}) has no {name}")

    def use(self, purchases: Optional[Model],
            spend: Optional[Model]) -> None:
        """Makes *purchases* (BG/NBD or Pareto/NBD) and *spend*
        (Gamma-Gamma) the db's current value models, used by the rule
        language's ``p_alive``, ``clv(...)`` and by :meth:`clv`.  The db
        keeps copies; None clears a slot."""
        self._need("kehu_db_set_value_models")
        core = self._db._core
        core.check(lib.kehu_db_set_value_models(
            core.db(), _model(purchases, "purchases"),
            _model(spend, "spend")))

    @staticmethod
    def _options(horizon: Optional[PeriodLike], step: Optional[PeriodLike],
                 discount_rate: Optional[float],
                 margin_rate: Optional[float],
                 referral_value: Optional[Any], referral_rate: Optional[float],
                 satisfied_from: Optional[float], exponent: int) -> Any:
        from ._convert import money_to_minor
        o = _lib.ClvOptions()
        _check(lib.kehu_clv_options_init(ctypes.byref(o),
                                         _lib.CLV_OPTIONS_VERSION),
               "kehu_clv_options_init")
        if horizon is not None:
            o.horizon_seconds = period_seconds(horizon)
        if step is not None:
            o.step_seconds = period_seconds(step)
        if discount_rate is not None:
            o.annual_discount_rate = discount_rate
        if margin_rate is not None:
            o.margin_rate = margin_rate
        if referral_value is not None:
            o.referral_value = money_to_minor(referral_value, exponent)
        if referral_rate is not None:
            o.referral_rate = referral_rate
        if satisfied_from is not None:
            o.satisfied_from = satisfied_from
        return o

    def clv(self, customer: CustomerRef, now: Optional[TimeLike] = None, *,
            horizon: Optional[PeriodLike] = None,
            step: Optional[PeriodLike] = None,
            discount_rate: Optional[float] = None,
            margin_rate: Optional[float] = None,
            referral_value: Optional[Union[Decimal, int, str]] = None,
            referral_rate: Optional[float] = None,
            satisfied_from: Optional[float] = None) -> CLV:
        """A customer's lifetime value as of *now* with the models set by
        :meth:`use` (MisuseError when none are).  Unset options take the
        library's defaults (horizon 365 days, steps of 30 days, 10 % a
        year, the customer's own margin rate)."""
        self._need("kehu_customer_clv")
        core = self._db._core
        o = self._options(horizon, step, discount_rate, margin_rate,
                          referral_value, referral_rate, satisfied_from,
                          core.exponent)
        out = _lib.Clv()
        out.version = _lib.CLV_VERSION
        t = now_c() if now is None else self._time(now, "now")
        core.check(lib.kehu_customer_clv(ctypes.byref(out), core.db(),
                                         customer_id(customer), t,
                                         ctypes.byref(o)))
        return CLV(**{n: getattr(out, n) for n in _lib.CLV_FIELDS})

    def batch_clv(self, purchases: Model, spend: Model,
                  summaries: Sequence[Summary], *,
                  horizon: Optional[PeriodLike] = None,
                  step: Optional[PeriodLike] = None,
                  discount_rate: Optional[float] = None,
                  margin_rate: Optional[float] = None) -> List[float]:
        """The discounted expected margin (major units) of each summary:
        the batch CLV of ``kehu_model_clv`` (margin rate default 1, i.e.
        revenue)."""
        self._need("kehu_model_clv")
        o = self._options(horizon, step, discount_rate, margin_rate, None,
                          None, None, self._db._core.exponent)
        n = len(summaries)
        arr = ctypes.c_double * n
        x = arr(*[s.x for s in summaries])
        tx = arr(*[s.t_x for s in summaries])
        T = arr(*[s.T for s in summaries])
        z = arr(*[s.spend for s in summaries])
        out = arr()
        _check(lib.kehu_model_clv(_model(purchases, "purchases"),
                                  _model(spend, "spend"), x, tx, T, z, n,
                                  ctypes.byref(o), out),
               "kehu_model_clv: wrong model kinds or a bad row")
        return list(out)
