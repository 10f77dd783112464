"""libkehu for Python: an embeddable CRM core, bound with ctypes.

Customers, accounts and their interactions, the metrics a CRM classifies
and values them by, a rule engine and customer value models, on a store
of your choice (in memory, a crash-safe file, or your own, e.g. SQLite).
Pure Python (standard library only) over the C library ``libkehu.so.1``,
found through ``KEHU_LIBRARY``, the installed library, or a meson build
directory next to the source.

::

    import kehu
    from datetime import datetime, timezone
    from decimal import Decimal

    with kehu.Database() as db:                     # in memory
        with db.transaction():
            c = db.customers.create("C-001", name="Zhang San")
            c.tags.add("vip")
            c.attrs["credit_limit"] = 50_000
            db.record(c, "purchase", amount=Decimal("199.00"),
                      at=datetime(2024, 1, 1, tzinfo=timezone.utc))
        rules = db.rules.default()
        print(rules.evaluate(c, now=datetime.now(timezone.utc)).labels)

Money is :class:`decimal.Decimal` (exact, from the db's minor units),
times are timezone-aware :class:`datetime.datetime` (given back in the
db's UTC offset), errors are :class:`KehuError` subclasses carrying the
code and the library's message.
"""

from . import _lib
from ._lib import LibraryNotFoundError
from .customer import (Account, Accounts, Attributes, Customer, Customers,
                       Interaction, Metrics, Tags)
from .db import Database
from .errors import (BufferTooSmallError, BusyError, CompileError,
                     ConflictError, CorruptError, ExistsError,
                     InvalidArgument, KehuError, MisuseError, NoMemoryError,
                     NotFoundError, RangeError, StorageError,
                     UnspecifiedError, UserError, error_for_code)
from .models import CLV, WEEK, Model, Models, Summary
from .rules import (ClassifyRun, Comparison, ExplainedRule, Explanation,
                    LabelChange, Result, Rules, RuleSets,
                    default_rules_source)
from .storage import FileStore, MemoryStore, SQLiteStore, Store

__all__ = [
    "Database", "Customer", "Customers", "Account", "Accounts",
    "Interaction", "Metrics", "Tags", "Attributes", "Rules", "RuleSets",
    "Result", "Explanation", "ExplainedRule", "Comparison", "LabelChange",
    "ClassifyRun", "Model", "Models", "Summary", "CLV", "WEEK", "Store",
    "SQLiteStore", "MemoryStore", "FileStore", "KehuError",
    "UnspecifiedError", "NoMemoryError", "InvalidArgument", "MisuseError",
    "NotFoundError", "ExistsError", "BufferTooSmallError", "RangeError",
    "BusyError", "StorageError", "CorruptError", "ConflictError",
    "UserError", "CompileError", "LibraryNotFoundError", "error_for_code",
    "default_rules_source", "default_rules", "version", "strerror",
    "library_path",
]

#: The path libkehu was loaded from.
library_path: str = _lib.library_path


def version() -> str:
    """The running C library's version, "MAJOR.MINOR.PATCH"."""
    return _lib.text(_lib.lib.kehu_version()) or ""


def strerror(code: int) -> str:
    """The library's static English text for a ``KEHU_E*`` code."""
    return _lib.text(_lib.lib.kehu_strerror(code)) or ""


def default_rules() -> str:
    """The default CRM rule pack's text (same as
    :func:`default_rules_source`); compile it with
    ``db.rules.compile(kehu.default_rules())`` or use
    ``db.rules.default()``."""
    return default_rules_source()


__version__ = version()
