"""Shared fixtures of the Python binding's tests (tests/python).

Run by `meson test --suite python`, which sets KEHU_LIBRARY to the
library just built and PYTHONPATH to bindings/python and this folder.
"""

import datetime as dt
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
if os.path.join(SRC, "bindings", "python") not in sys.path:
    sys.path.insert(0, os.path.join(SRC, "bindings", "python"))

import kehu  # noqa: E402

UTC = dt.timezone.utc
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2024, 1, 1, tzinfo=UTC)
DAY = dt.timedelta(days=1)
DATA = os.environ.get("KEHU_SHARED_DATA",
                      os.path.join(SRC, "..", "shared", "data"))


def at(days: float) -> dt.datetime:
    """T0 plus *days*."""
    return T0 + dt.timedelta(days=days)


def small_shop(db: "kehu.Database") -> list:
    """Ten customers with a spread of purchases, refunds, complaints and
    feedback, so the default pack gives different labels.  Returns the
    customer ids."""
    ids = []
    with db.transaction():
        for i in range(10):
            c = db.customers.create(f"S-{i:03d}", name=f"Shop {i}",
                                    kind="person" if i % 3 else
                                    "organisation")
            if i % 4 == 0:
                c.tags.add("vip")
            ids.append(c.id)
            for k in range(i * 2):
                db.record(c, "purchase", at=at(300 - k * (37 - i) % 300),
                          amount=f"{(i + 1) * 123 + k}.{k % 100:02d}",
                          cost="5.00")
            if i % 3 == 1:
                db.record(c, "refund", at=at(310), amount="10.00")
            if i % 5 == 2:
                db.record(c, "complaint", at=at(320), satisfaction=1)
            if i % 2:
                db.record(c, "feedback", at=at(330), satisfaction=4 + i % 2)
            c.close()
    return ids


def main() -> None:
    unittest.main(verbosity=2)


def dump(db: "kehu.Database", now: dt.datetime) -> dict:
    """Everything a db holds, as JSON-able data, for read-back checks."""
    def val(v):
        if isinstance(v, dt.datetime):
            return v.isoformat()
        return v if isinstance(v, (int, float, str, type(None))) else str(v)

    out = {"utc_offset": db.utc_offset,
           "currency_exponent": db.currency_exponent,
           "customers": [], "accounts": []}
    for c in db.customers:
        m = c.metrics(now)
        out["customers"].append({
            "id": c.id, "key": c.key, "name": c.name, "kind": c.kind,
            "relation": c.relation, "status": c.status,
            "referrer": c.referrer, "tags": list(c.tags),
            "attrs": {k: val(v) for k, v in c.attrs.items()},
            "metrics": {k: val(v) for k, v in vars(m).items()},
            "history": [{k: val(v) for k, v in vars(h).items()
                         if k != "attrs"} for h in c.history()],
            "label": c.label("kehu-default", "importance"),
        })
        c.close()
    for a in db.accounts:
        out["accounts"].append({"id": a.id, "name": a.name,
                                "payer": a.payer,
                                "members": {str(k): v for k, v in
                                            a.members.items()}})
        a.close()
    return out
