"""Exceptions: one class per ``KEHU_E*`` code, all under :class:`KehuError`.

Every failing call raises the class of its code with the db's message
(``kehu_errmsg``).  The C library guarantees that a failed call changed
nothing; the binding keeps that promise (a failed save leaves the Python
object as it was stored).  Where it helps, a class also derives from the
built-in exception a Python programmer would catch: ``InvalidArgument``
is a :class:`ValueError`, ``NotFoundError`` a :class:`LookupError`, and so
on.
"""

from __future__ import annotations

import re
from typing import Dict, Optional, Type

__all__ = [
    "KehuError", "UnspecifiedError", "NoMemoryError", "InvalidArgument",
    "MisuseError", "NotFoundError", "ExistsError", "BufferTooSmallError",
    "RangeError", "BusyError", "StorageError", "CorruptError",
    "ConflictError", "UserError", "CompileError", "error_for_code",
]


class KehuError(Exception):
    """A libkehu call failed.

    Attributes:
        code: the negative ``KEHU_E*`` code.
        message: the db's message (``kehu_errmsg``), naming the argument,
            id or key at fault.
    """

    code: int = -1

    def __init__(self, message: str = "", code: Optional[int] = None):
        if code is not None:
            self.code = code
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message or f"kehu error {self.code}"


class UnspecifiedError(KehuError):
    """KEHU_ERROR (-1): an unspecified failure."""
    code = -1


class NoMemoryError(KehuError, MemoryError):
    """KEHU_ENOMEM (-2): the allocator failed; nothing changed."""
    code = -2


class InvalidArgument(KehuError, ValueError):
    """KEHU_EINVAL (-3): a bad argument (range, UTF-8, limit, kind)."""
    code = -3


class MisuseError(KehuError):
    """KEHU_EMISUSE (-4): a call out of order, or on a closed handle."""
    code = -4


class NotFoundError(KehuError, LookupError):
    """KEHU_ENOTFOUND (-5): no such id, key, tag or attribute."""
    code = -5


class ExistsError(KehuError):
    """KEHU_EEXIST (-6): the external key (or member) exists already."""
    code = -6


class BufferTooSmallError(KehuError):
    """KEHU_EBUFS (-7): a caller buffer was too small (the binding
    retries with a larger one, so this is rarely seen)."""
    code = -7


class RangeError(KehuError, ArithmeticError):
    """KEHU_ERANGE (-8): a sum would overflow int64; nothing changed."""
    code = -8


class BusyError(KehuError):
    """KEHU_EBUSY (-9): still referenced (e.g. an account's payer), or a
    file store another process writes."""
    code = -9


class StorageError(KehuError, OSError):
    """KEHU_ESTORAGE (-10): the store failed; the transaction was rolled
    back."""
    code = -10


class CorruptError(KehuError):
    """KEHU_ECORRUPT (-11): a stored record could not be decoded."""
    code = -11


class ConflictError(KehuError):
    """KEHU_ECONFLICT (-12): the object was saved through another handle
    since this one was read; look it up again and redo the change."""
    code = -12


class UserError(KehuError):
    """KEHU_EUSER (-13): a host callback stopped the call."""
    code = -13


class CompileError(KehuError, SyntaxError):
    """KEHU_ECOMPILE (-15): rule text that does not compile.

    Attributes:
        line, column: where (1-based), when the message names them.
    """
    code = -15

    def __init__(self, message: str = "", code: Optional[int] = None):
        KehuError.__init__(self, message, code)
        m = re.match(r"(\d+):(\d+): ", message)
        self.line: Optional[int] = int(m.group(1)) if m else None
        self.column: Optional[int] = int(m.group(2)) if m else None
        self.msg = message
        self.filename = "<rules>"
        self.lineno = self.line
        self.offset = self.column

    def __str__(self) -> str:
        return self.message


_BY_CODE: Dict[int, Type[KehuError]] = {
    cls.code: cls for cls in (
        UnspecifiedError, NoMemoryError, InvalidArgument, MisuseError,
        NotFoundError, ExistsError, BufferTooSmallError, RangeError,
        BusyError, StorageError, CorruptError, ConflictError, UserError,
        CompileError)
}


def error_for_code(code: int, message: str = "") -> KehuError:
    """The exception for a ``KEHU_E*`` code (a plain :class:`KehuError`
    for a code this binding does not know)."""
    cls = _BY_CODE.get(code)
    if cls is None:
        return KehuError(message or f"kehu error {code}", code)
    return cls(message)
