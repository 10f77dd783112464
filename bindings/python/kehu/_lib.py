"""Loading libkehu and declaring its C functions for ctypes.

Every function the package calls is declared here with ``argtypes`` and
``restype`` so that a wrong call raises :class:`TypeError` instead of
corrupting memory.  Handles are pointers to distinct opaque structs, so a
customer handle cannot be passed where a db handle is expected.

The library is looked up, in this order:

1. the path in the ``KEHU_LIBRARY`` environment variable;
2. the installed library: ``ctypes.util.find_library("kehu")``, then the
   ``libdir`` that ``pkg-config --variable=libdir kehu`` names;
3. a meson build directory next to the source tree (``build*/`` in the
   repository that holds ``bindings/python``).

When none loads, :class:`LibraryNotFoundError` lists everything tried.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import shutil
import subprocess
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double,
                    c_int, c_int32, c_int64, c_size_t, c_uint32, c_uint64,
                    c_void_p)
from typing import Any, List, Optional

__all__ = ["LibraryNotFoundError", "lib", "library_path"]


class LibraryNotFoundError(OSError):
    """libkehu could not be loaded; the message lists every place tried."""


def _candidates() -> List[str]:
    """Where to look when KEHU_LIBRARY is not set, best first."""
    found: List[str] = []
    name = ctypes.util.find_library("kehu")
    if name:
        found.append(name)
    if shutil.which("pkg-config"):
        try:
            libdir = subprocess.run(
                ["pkg-config", "--variable=libdir", "kehu"],
                capture_output=True, text=True, timeout=10,
                check=False).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            libdir = ""
        if libdir:
            found.append(os.path.join(libdir, "libkehu.so.1"))
    # bindings/python/kehu/_lib.py -> the source root, three levels up
    root = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                        "..", "..", ".."))
    for d in sorted(glob.glob(os.path.join(root, "build*"))):
        found.append(os.path.join(d, "libkehu.so.1"))
    return found


def _load() -> tuple[ctypes.CDLL, str]:
    tried: List[str] = []
    env = os.environ.get("KEHU_LIBRARY")
    if env:
        try:
            return ctypes.CDLL(env), env
        except OSError as e:
            raise LibraryNotFoundError(
                f"KEHU_LIBRARY={env!r} does not load: {e}") from None
    tried.append("KEHU_LIBRARY (not set)")
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append(f"{path} ({e})")
    if not ctypes.util.find_library("kehu"):
        tried.insert(1, "ctypes.util.find_library('kehu') (nothing)")
    raise LibraryNotFoundError(
        "libkehu not found; set KEHU_LIBRARY to the path of "
        "libkehu.so.1.  Tried: " + "; ".join(tried))


lib, library_path = _load()

# ---- opaque handle types -------------------------------------------------


class _Db(Structure):
    pass


class _Customer(Structure):
    pass


class _Account(Structure):
    pass


class _Interaction(Structure):
    pass


class _History(Structure):
    pass


class _MemoryStore(Structure):
    pass


class _FileStore(Structure):
    pass


class _Rules(Structure):
    pass


class _Result(Structure):
    pass


class _Explain(Structure):
    pass


class _Model(Structure):
    pass


DbP = POINTER(_Db)
CustomerP = POINTER(_Customer)
AccountP = POINTER(_Account)
InteractionP = POINTER(_Interaction)
HistoryP = POINTER(_History)
MemoryStoreP = POINTER(_MemoryStore)
FileStoreP = POINTER(_FileStore)
RulesP = POINTER(_Rules)
ResultP = POINTER(_Result)
ExplainP = POINTER(_Explain)
ModelP = POINTER(_Model)

# ---- constants (kehu/*.h) ------------------------------------------------

OK = 0
ITEROVER = -14
UNSET = -(2 ** 31)
DB_OPTIONS_VERSION = 1
STORAGE_VERSION = 1
METRICS_VERSION = 1
CLASSIFY_OPTIONS_VERSION = 1
FILE_STORE_OPTIONS_VERSION = 1
CLV_OPTIONS_VERSION = 1
CLV_VERSION = 1
MAX_TIME = 253402300799

# ---- callbacks and structs -----------------------------------------------

alloc_fn = CFUNCTYPE(c_void_p, c_void_p, c_void_p, c_size_t, c_size_t)
sink_cb = CFUNCTYPE(c_int, c_void_p, c_size_t, c_void_p)
visit_cb = CFUNCTYPE(c_int, c_void_p, c_size_t, c_void_p, c_size_t,
                     c_void_p)
id_cb = CFUNCTYPE(c_int, c_int64, c_void_p)
tag_cb = CFUNCTYPE(c_int, c_char_p, c_void_p)
attr_cb = CFUNCTYPE(c_int, c_char_p, c_int32, c_void_p)
member_cb = CFUNCTYPE(c_int, c_int64, c_int32, c_void_p)
progress_cb = CFUNCTYPE(c_int, c_int64, c_int64, c_void_p)
transition_cb = CFUNCTYPE(c_int, c_int64, c_char_p, c_char_p, c_char_p,
                          c_void_p)
clock_cb = CFUNCTYPE(c_int64, c_void_p)

# storage slots
slot_tx = CFUNCTYPE(c_int, c_void_p)
slot_get = CFUNCTYPE(c_int, c_void_p, c_size_t, sink_cb, c_void_p, c_void_p)
slot_put = CFUNCTYPE(c_int, c_void_p, c_size_t, c_void_p, c_size_t,
                     c_void_p)
slot_del = CFUNCTYPE(c_int, c_void_p, c_size_t, c_void_p)
slot_scan = CFUNCTYPE(c_int, c_void_p, c_size_t, c_void_p, c_size_t,
                      visit_cb, c_void_p, c_void_p)
slot_close = CFUNCTYPE(None, c_void_p)
# c_void_p, not c_char_p: the text must stay alive after the callback
slot_errmsg = CFUNCTYPE(c_void_p, c_void_p)


class Storage(Structure):
    """struct kehu_storage (kehu/sys/storage.h)."""
    _fields_ = [
        ("version", c_uint32),
        ("user_data", c_void_p),
        ("begin", slot_tx),
        ("commit", slot_tx),
        ("rollback", slot_tx),
        ("get", slot_get),
        ("put", slot_put),
        ("del_", slot_del),
        ("scan", slot_scan),
        ("close", slot_close),
        ("errmsg", slot_errmsg),
    ]


class DbOptions(Structure):
    """struct kehu_db_options (kehu/db.h)."""
    _fields_ = [
        ("version", c_uint32),
        ("alloc", alloc_fn),
        ("alloc_user_data", c_void_p),
        ("storage", POINTER(Storage)),
        ("utc_offset", c_int32),
        ("currency_exponent", c_int32),
    ]


class FileStoreOptions(Structure):
    """struct kehu_file_store_options (kehu/file_store.h)."""
    _fields_ = [
        ("version", c_uint32),
        ("alloc", alloc_fn),
        ("alloc_user_data", c_void_p),
        ("flags", c_uint32),
        ("durability", c_int32),
        ("sync_every_commits", c_uint32),
        ("sync_every_ms", c_uint32),
        ("clock_ms", clock_cb),
        ("clock_user_data", c_void_p),
        ("compact_garbage_percent", c_uint32),
        ("compact_min_bytes", c_uint64),
    ]


METRIC_FIELDS = [
    "first_purchase", "last_purchase", "last_contact", "interactions",
    "purchases", "orders", "sales", "refunds", "revenue", "cost", "margin",
    "average_order_value", "complaints", "satisfaction_count",
    "average_satisfaction", "last_satisfaction", "referrals",
    "months_active", "days_since_first_purchase",
    "days_since_last_purchase", "days_since_last_contact", "revenue_30d",
    "revenue_90d", "revenue_365d", "purchases_30d", "purchases_90d",
    "purchases_365d", "complaints_30d", "complaints_90d", "complaints_365d",
]
_DOUBLE_METRICS = {"average_order_value", "average_satisfaction"}


class Metrics(Structure):
    """struct kehu_metrics (kehu/metrics.h)."""
    _fields_ = [("version", c_uint32)] + [
        (n, c_double if n in _DOUBLE_METRICS else c_int64)
        for n in METRIC_FIELDS]


class ClassifyOptions(Structure):
    """struct kehu_classify_options (kehu/rules.h)."""
    _fields_ = [
        ("version", c_uint32),
        ("batch_size", c_int64),
        ("segment", c_char_p),
        ("progress", progress_cb),
        ("transition", transition_cb),
        ("user_data", c_void_p),
    ]


class ClvOptions(Structure):
    """struct kehu_clv_options (kehu/value.h)."""
    _fields_ = [
        ("version", c_uint32),
        ("horizon_seconds", c_int64),
        ("step_seconds", c_int64),
        ("annual_discount_rate", c_double),
        ("margin_rate", c_double),
        ("referral_value", c_int64),
        ("referral_rate", c_double),
        ("satisfied_from", c_double),
    ]


CLV_FIELDS = ["x", "t_x", "T", "p_alive", "expected_purchases",
              "discounted_purchases", "expected_spend", "margin_rate",
              "margin", "cost", "referral", "clv"]


class Clv(Structure):
    """struct kehu_clv (kehu/value.h)."""
    _fields_ = [("version", c_uint32)] + [(n, c_double) for n in CLV_FIELDS]


# ---- prototypes ----------------------------------------------------------

_I = c_int
_P = POINTER

_PROTOTYPES: list[tuple[str, Any, list[Any]]] = [
    # version, errors
    ("kehu_version", c_char_p, []),
    ("kehu_version_number", c_int32, []),
    ("kehu_strerror", c_char_p, [c_int]),
    ("kehu_errcode", c_int, [DbP]),
    ("kehu_errmsg", c_char_p, [DbP]),
    # db
    ("kehu_db_options_init", _I, [_P(DbOptions), c_uint32]),
    ("kehu_db_open", _I, [_P(DbP), _P(DbOptions)]),
    ("kehu_db_close", None, [DbP]),
    ("kehu_db_begin", _I, [DbP]),
    ("kehu_db_commit", _I, [DbP]),
    ("kehu_db_rollback", _I, [DbP]),
    ("kehu_db_in_transaction", _I, [DbP]),
    ("kehu_db_get_utc_offset", c_int32, [DbP]),
    ("kehu_db_get_currency_exponent", c_int32, [DbP]),
    ("kehu_db_customer_count", c_int64, [DbP]),
    ("kehu_db_account_count", c_int64, [DbP]),
    ("kehu_db_hot_bytes_per_customer", c_size_t, []),
    # stores
    ("kehu_storage_memory_new", _I, [_P(MemoryStoreP), alloc_fn, c_void_p]),
    ("kehu_storage_memory_get_vtable", _I, [MemoryStoreP, _P(Storage)]),
    ("kehu_storage_memory_count", c_uint64, [MemoryStoreP]),
    ("kehu_storage_memory_bytes", c_uint64, [MemoryStoreP]),
    ("kehu_storage_memory_free", None, [MemoryStoreP]),
    ("kehu_file_store_options_init", _I, [_P(FileStoreOptions), c_uint32]),
    ("kehu_storage_file_open", _I,
     [_P(FileStoreP), c_char_p, _P(FileStoreOptions)]),
    ("kehu_storage_file_get_vtable", _I, [FileStoreP, _P(Storage)]),
    ("kehu_storage_file_compact", _I, [FileStoreP]),
    ("kehu_storage_file_sync", _I, [FileStoreP]),
    ("kehu_storage_file_stat", _I, [FileStoreP, c_int32, _P(c_int64)]),
    ("kehu_storage_file_errmsg", c_char_p, [FileStoreP]),
    ("kehu_storage_file_close", None, [FileStoreP]),
    # customers
    ("kehu_customer_create", _I, [_P(CustomerP), DbP, c_char_p]),
    ("kehu_customer_lookup", _I, [_P(CustomerP), DbP, c_int64]),
    ("kehu_customer_lookup_key", _I, [_P(CustomerP), DbP, c_char_p]),
    ("kehu_customer_free", None, [CustomerP]),
    ("kehu_customer_save", _I, [CustomerP]),
    ("kehu_customer_delete", _I, [DbP, c_int64]),
    ("kehu_customer_erase", _I, [DbP, c_int64]),
    ("kehu_customer_foreach", _I, [DbP, id_cb, c_void_p]),
    ("kehu_customer_get_id", c_int64, [CustomerP]),
    ("kehu_customer_get_key", c_char_p, [CustomerP]),
    ("kehu_customer_set_key", _I, [CustomerP, c_char_p]),
    ("kehu_customer_get_name", c_char_p, [CustomerP]),
    ("kehu_customer_set_name", _I, [CustomerP, c_char_p]),
    ("kehu_customer_get_kind", c_int32, [CustomerP]),
    ("kehu_customer_set_kind", _I, [CustomerP, c_int32]),
    ("kehu_customer_get_relation", c_int32, [CustomerP]),
    ("kehu_customer_set_relation", _I, [CustomerP, c_int32]),
    ("kehu_customer_get_status", c_int32, [CustomerP]),
    ("kehu_customer_set_status", _I, [CustomerP, c_int32]),
    ("kehu_customer_get_referrer", c_int64, [CustomerP]),
    ("kehu_customer_set_referrer", _I, [CustomerP, c_int64]),
    ("kehu_customer_add_tag", _I, [CustomerP, c_char_p]),
    ("kehu_customer_remove_tag", _I, [CustomerP, c_char_p]),
    ("kehu_customer_has_tag", _I, [CustomerP, c_char_p]),
    ("kehu_customer_tag_count", c_size_t, [CustomerP]),
    ("kehu_customer_get_tag", c_char_p, [CustomerP, c_size_t]),
    ("kehu_customer_set_attr_string", _I, [CustomerP, c_char_p, c_char_p]),
    ("kehu_customer_set_attr_int", _I, [CustomerP, c_char_p, c_int64]),
    ("kehu_customer_set_attr_number", _I, [CustomerP, c_char_p, c_double]),
    ("kehu_customer_set_attr_time", _I, [CustomerP, c_char_p, c_int64]),
    ("kehu_customer_get_attr_string", _I,
     [CustomerP, c_char_p, _P(c_char_p)]),
    ("kehu_customer_get_attr_int", _I, [CustomerP, c_char_p, _P(c_int64)]),
    ("kehu_customer_get_attr_number", _I,
     [CustomerP, c_char_p, _P(c_double)]),
    ("kehu_customer_get_attr_time", _I, [CustomerP, c_char_p, _P(c_int64)]),
    ("kehu_customer_get_attr_type", c_int32, [CustomerP, c_char_p]),
    ("kehu_customer_remove_attr", _I, [CustomerP, c_char_p]),
    ("kehu_customer_attr_count", c_size_t, [CustomerP]),
    ("kehu_customer_foreach_attr", _I, [CustomerP, attr_cb, c_void_p]),
    # accounts
    ("kehu_account_create", _I, [_P(AccountP), DbP, c_int64]),
    ("kehu_account_lookup", _I, [_P(AccountP), DbP, c_int64]),
    ("kehu_account_free", None, [AccountP]),
    ("kehu_account_save", _I, [AccountP]),
    ("kehu_account_delete", _I, [DbP, c_int64]),
    ("kehu_account_foreach", _I, [DbP, id_cb, c_void_p]),
    ("kehu_account_get_id", c_int64, [AccountP]),
    ("kehu_account_get_name", c_char_p, [AccountP]),
    ("kehu_account_set_name", _I, [AccountP, c_char_p]),
    ("kehu_account_get_payer", c_int64, [AccountP]),
    ("kehu_account_set_payer", _I, [AccountP, c_int64]),
    ("kehu_account_add_member", _I, [AccountP, c_int64, c_int32]),
    ("kehu_account_remove_member", _I, [AccountP, c_int64]),
    ("kehu_account_get_member_role", c_int32, [AccountP, c_int64]),
    ("kehu_account_member_count", c_size_t, [AccountP]),
    ("kehu_account_foreach_member", _I, [AccountP, member_cb, c_void_p]),
    # interactions, history, metrics
    ("kehu_interaction_type_name", c_char_p, [c_int32]),
    ("kehu_interaction_type_from_name", _I, [c_char_p, _P(c_int32)]),
    ("kehu_interaction_new", _I,
     [_P(InteractionP), DbP, c_int64, c_int32, c_int64]),
    ("kehu_interaction_free", None, [InteractionP]),
    ("kehu_interaction_set_account", _I, [InteractionP, c_int64]),
    ("kehu_interaction_set_amount", _I, [InteractionP, c_int64]),
    ("kehu_interaction_set_cost", _I, [InteractionP, c_int64]),
    ("kehu_interaction_set_channel", _I, [InteractionP, c_char_p]),
    ("kehu_interaction_set_satisfaction", _I, [InteractionP, c_int32]),
    ("kehu_interaction_set_note", _I, [InteractionP, c_char_p]),
    ("kehu_interaction_set_attr_string", _I,
     [InteractionP, c_char_p, c_char_p]),
    ("kehu_interaction_set_attr_int", _I, [InteractionP, c_char_p, c_int64]),
    ("kehu_interaction_set_attr_number", _I,
     [InteractionP, c_char_p, c_double]),
    ("kehu_interaction_set_attr_time", _I,
     [InteractionP, c_char_p, c_int64]),
    ("kehu_interaction_record", _I, [InteractionP]),
    ("kehu_interaction_record_many", _I,
     [DbP, c_size_t, _P(c_int64), _P(c_int32), _P(c_int64), _P(c_int64),
      _P(c_int64), _P(c_size_t)]),
    ("kehu_interaction_get_id", c_int64, [InteractionP]),
    ("kehu_interaction_get_customer", c_int64, [InteractionP]),
    ("kehu_interaction_get_account", c_int64, [InteractionP]),
    ("kehu_interaction_get_type", c_int32, [InteractionP]),
    ("kehu_interaction_get_time", c_int64, [InteractionP]),
    ("kehu_interaction_get_amount", c_int64, [InteractionP]),
    ("kehu_interaction_get_cost", c_int64, [InteractionP]),
    ("kehu_interaction_get_satisfaction", c_int32, [InteractionP]),
    ("kehu_interaction_get_channel", c_char_p, [InteractionP]),
    ("kehu_interaction_get_note", c_char_p, [InteractionP]),
    ("kehu_interaction_get_attr_string", _I,
     [InteractionP, c_char_p, _P(c_char_p)]),
    ("kehu_interaction_get_attr_int", _I,
     [InteractionP, c_char_p, _P(c_int64)]),
    ("kehu_interaction_get_attr_number", _I,
     [InteractionP, c_char_p, _P(c_double)]),
    ("kehu_interaction_get_attr_time", _I,
     [InteractionP, c_char_p, _P(c_int64)]),
    ("kehu_interaction_attr_count", c_size_t, [InteractionP]),
    ("kehu_history_new", _I,
     [_P(HistoryP), DbP, c_int64, c_int64, c_int64, c_int64]),
    ("kehu_history_next", _I, [HistoryP, _P(InteractionP)]),
    ("kehu_history_free", None, [HistoryP]),
    ("kehu_metrics_init", _I, [_P(Metrics), c_uint32]),
    ("kehu_metrics_read", _I, [_P(Metrics), DbP, c_int64, c_int64]),
    # rules
    ("kehu_rules_compile", _I, [_P(RulesP), DbP, c_char_p, c_size_t]),
    ("kehu_rules_free", None, [RulesP]),
    ("kehu_rules_default_source", c_char_p, []),
    ("kehu_rules_default_source_for", c_char_p, [DbP]),
    ("kehu_rules_get_name", c_char_p, [RulesP]),
    ("kehu_rules_get_version", c_int64, [RulesP]),
    ("kehu_rules_classification_count", c_size_t, [RulesP]),
    ("kehu_rules_classification_name", c_char_p, [RulesP, c_size_t]),
    ("kehu_rules_score_count", c_size_t, [RulesP]),
    ("kehu_rules_score_name", c_char_p, [RulesP, c_size_t]),
    ("kehu_rules_evaluate", _I, [_P(ResultP), RulesP, DbP, c_int64, c_int64]),
    ("kehu_result_free", None, [ResultP]),
    ("kehu_result_get_label", c_char_p, [ResultP, c_size_t]),
    ("kehu_result_get_score", c_double, [ResultP, c_size_t]),
    ("kehu_rules_explain", _I,
     [_P(ExplainP), RulesP, DbP, c_int64, c_int64, c_char_p]),
    ("kehu_explain_free", None, [ExplainP]),
    ("kehu_explain_text", c_char_p, [ExplainP]),
    ("kehu_explain_label", c_char_p, [ExplainP]),
    ("kehu_explain_rule_count", c_size_t, [ExplainP]),
    ("kehu_explain_rule", _I,
     [ExplainP, c_size_t, _P(c_char_p), _P(c_int32), _P(c_int32),
      _P(c_size_t)]),
    ("kehu_explain_comparison", _I,
     [ExplainP, c_size_t, c_size_t, _P(c_char_p), _P(c_double),
      _P(c_double), _P(c_int32)]),
    ("kehu_rules_save", _I, [DbP, RulesP]),
    ("kehu_rules_load", _I, [_P(RulesP), DbP, c_char_p]),
    ("kehu_classify_options_init", _I, [_P(ClassifyOptions), c_uint32]),
    ("kehu_rules_classify_all", _I,
     [DbP, RulesP, c_int64, _P(ClassifyOptions), _P(c_int64)]),
    ("kehu_customer_get_label", _I,
     [DbP, c_int64, c_char_p, c_char_p, c_char_p, c_size_t, _P(c_size_t)]),
    ("kehu_customer_get_score", _I,
     [DbP, c_int64, c_char_p, c_char_p, _P(c_double)]),
    ("kehu_query", _I,
     [DbP, RulesP, c_char_p, c_int64, id_cb, c_void_p, _P(c_int64)]),
    # value
    ("kehu_value_summaries", _I,
     [DbP, c_int64, c_int64, _P(c_int64), _P(c_double), _P(c_double),
      _P(c_double), _P(c_double), c_size_t, _P(c_size_t)]),
    ("kehu_model_fit", _I, [_P(ModelP), DbP, c_int32, c_int64, c_int64]),
    ("kehu_model_free", None, [ModelP]),
    ("kehu_model_get_kind", c_int32, [ModelP]),
    ("kehu_model_get_period", c_int64, [ModelP]),
    ("kehu_model_param_count", c_size_t, [ModelP]),
    ("kehu_model_get_param", c_double, [ModelP, c_size_t]),
    ("kehu_model_param_name", c_char_p, [ModelP, c_size_t]),
    ("kehu_model_get_loglik", c_double, [ModelP]),
    ("kehu_model_get_iterations", c_int32, [ModelP]),
    ("kehu_model_get_converged", c_int32, [ModelP]),
    ("kehu_model_expected_purchases", _I,
     [ModelP, c_double, c_double, c_double, c_double, c_int32,
      _P(c_double)]),
    ("kehu_model_p_alive", _I,
     [ModelP, c_double, c_double, c_double, _P(c_double)]),
    ("kehu_model_expected_spend", _I,
     [ModelP, c_double, c_double, _P(c_double)]),
    ("kehu_model_get_spend_correlation", c_double, [ModelP]),
    ("kehu_model_get_warning", c_char_p, [ModelP, _P(c_int32)]),
    ("kehu_model_save", _I, [DbP, ModelP, c_char_p]),
    ("kehu_model_load", _I, [_P(ModelP), DbP, c_char_p]),
]

# Functions that may be absent from an older library: the package works
# without them and the methods that need them raise NotImplementedError.
_OPTIONAL_PROTOTYPES: list[tuple[str, Any, list[Any]]] = [
    ("kehu_db_set_value_models", _I, [DbP, ModelP, ModelP]),
    ("kehu_clv_options_init", _I, [_P(ClvOptions), c_uint32]),
    ("kehu_customer_clv", _I,
     [_P(Clv), DbP, c_int64, c_int64, _P(ClvOptions)]),
    ("kehu_model_clv", _I,
     [ModelP, ModelP, _P(c_double), _P(c_double), _P(c_double),
      _P(c_double), c_size_t, _P(ClvOptions), _P(c_double)]),
]


def _declare() -> None:
    for name, restype, argtypes in _PROTOTYPES:
        f = getattr(lib, name)
        f.restype = restype
        f.argtypes = argtypes
    for name, restype, argtypes in _OPTIONAL_PROTOTYPES:
        f = getattr(lib, name, None)
        if f is not None:
            f.restype = restype
            f.argtypes = argtypes


_declare()


def has(name: str) -> bool:
    """Whether the loaded library exports the optional function *name*."""
    return getattr(lib, name, None) is not None


def text(b: Optional[bytes]) -> Optional[str]:
    """Decodes a borrowed UTF-8 C string (None stays None)."""
    return None if b is None else b.decode("utf-8")


def cstr(s: Optional[str], what: str = "text") -> Optional[bytes]:
    """Encodes a Python str for a C ``const char *`` argument."""
    if s is None:
        return None
    if not isinstance(s, str):
        raise TypeError(f"{what} must be str, not {type(s).__name__}")
    if "\0" in s:
        raise ValueError(f"{what} must not contain NUL characters")
    return s.encode("utf-8")
