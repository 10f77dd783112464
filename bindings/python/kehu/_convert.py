"""Money and time between Python and the C library's integers.

Money in C is int64 minor units of the db's currency (10^-exponent);
in Python it is an exact :class:`decimal.Decimal`.  Times in C are int64
seconds since the Unix epoch; in Python they are timezone-aware
:class:`datetime.datetime` objects, given back in the db's UTC offset.
"""

from __future__ import annotations

import datetime as _dt
import decimal
from decimal import Decimal
from typing import Optional, Union

from ._lib import MAX_TIME

MoneyLike = Union[Decimal, int, str]
TimeLike = Union[_dt.datetime, _dt.date, int]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_INT64 = (-(2 ** 63), 2 ** 63 - 1)


def money_to_minor(value: MoneyLike, exponent: int) -> int:
    """Exact minor units of *value*; refuses anything that would round.

    Floats are refused (``TypeError``): 0.1 is not exact in binary, so a
    float amount would be a silent rounding.  Pass a Decimal, an int
    (major units) or a numeric string.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("money must be a Decimal, an int or a str, not "
                        f"{type(value).__name__} (floats are not exact)")
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, Decimal):
        d = value
    elif isinstance(value, str):
        try:
            d = Decimal(value)
        except decimal.InvalidOperation:
            raise ValueError(f"not an amount: {value!r}") from None
    else:
        raise TypeError("money must be a Decimal, an int or a str, not "
                        f"{type(value).__name__}")
    if not d.is_finite():
        raise ValueError(f"amount must be finite, not {d}")
    scaled = d.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than {exponent} decimal "
                         "places for this db's currency")
    minor = int(scaled)
    if not _INT64[0] <= minor <= _INT64[1]:
        raise OverflowError(f"amount {value} does not fit in int64 minor "
                            "units")
    return minor


def minor_to_money(minor: int, exponent: int) -> Decimal:
    """The Decimal of *minor* units: exact, with *exponent* places."""
    return Decimal(minor).scaleb(-exponent)


def tz_of(offset: int) -> _dt.tzinfo:
    """The fixed-offset timezone of a db's UTC offset (seconds)."""
    if offset == 0:
        return _dt.timezone.utc
    return _dt.timezone(_dt.timedelta(seconds=offset))


def time_to_c(value: TimeLike, offset: int, what: str = "time") -> int:
    """Seconds since the epoch of an aware datetime, a date or an int.

    A :class:`datetime.date` means noon of that local day in the db's UTC
    offset (any time of the day names the day; noon is far from both
    ends).  A naive datetime is refused: which zone it meant is a guess.
    Sub-second parts are truncated (the library counts whole seconds).
    """
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a datetime, a date or an int")
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{what} must be timezone-aware (a naive "
                             "datetime does not say which zone it is in)")
        delta = value - _EPOCH
        return delta.days * 86400 + delta.seconds
    if isinstance(value, _dt.date):
        local = _dt.datetime(value.year, value.month, value.day, 12,
                             tzinfo=tz_of(offset))
        return time_to_c(local, offset, what)
    if isinstance(value, int):
        return value
    raise TypeError(f"{what} must be a datetime, a date or an int, not "
                    f"{type(value).__name__}")


def time_from_c(seconds: int, offset: int) -> Optional[_dt.datetime]:
    """An aware datetime in the db's offset; None for the C "none" (-1)."""
    if seconds < 0:
        return None
    return _EPOCH.astimezone(tz_of(offset)) + _dt.timedelta(seconds=seconds)


def now_c() -> int:
    """The host clock, read by the binding when a caller gives no time
    (the C library never reads the clock)."""
    return min(int(_dt.datetime.now(_dt.timezone.utc).timestamp()),
               MAX_TIME)


def period_seconds(value: Union[int, _dt.timedelta]) -> int:
    """Seconds of a period given as a timedelta or an int."""
    if isinstance(value, _dt.timedelta):
        s = value.total_seconds()
        if s != int(s):
            raise ValueError("a period must be whole seconds")
        return int(s)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError("a period must be a timedelta or int seconds")
