#!/usr/bin/env python3
"""examples/python: libkehu from Python, end to end, through the
binding in bindings/python (pure Python over ctypes).

Loads the demo data (examples/data: customer master data and purchases
derived from CDNOW) into a db kept in a SQLite file (kehu.SQLiteStore:
the storage contract implemented in Python), classifies everyone with
the default rule pack, fits BG/NBD and Gamma-Gamma, ranks customers by
lifetime value, explains one label, and reopens the SQLite file to show
the data is there.

    PYTHONPATH=bindings/python python3 examples/python/crm.py [DATA_DIR]
"""
import csv
import datetime as dt
import os
import sys
import tempfile
from decimal import Decimal

import kehu

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..",
                                                          "data")
NOW = dt.datetime(1998, 6, 30, 12, tzinfo=dt.timezone.utc)


def load(db: kehu.Database) -> None:
    """Customers, then their interactions, in one transaction."""
    with db.transaction():
        with open(os.path.join(DATA, "demo_customers.csv")) as f:
            for row in csv.DictReader(f):
                db.customers.create(
                    row["key"], name=row["name"], kind=row["kind"],
                    relation=row["relation"],
                    tags=[t for t in row["tags"].split(";") if t],
                    attrs={"city": row["city"]})
        with open(os.path.join(DATA, "demo_interactions.csv")) as f:
            for row in csv.DictReader(f):
                c = db.customers[row["customer"]]
                if row["type"] == "purchase" and c.status != "customer":
                    c.status = "customer"
                    c.save()
                db.record(c, row["type"],
                          at=dt.date.fromisoformat(row["date"]),
                          amount=Decimal(row["amount"] or "0"),
                          cost=Decimal(row["cost"] or "0"),
                          channel=row["channel"] or None,
                          satisfaction=int(row["satisfaction"] or 0) or None)


def main() -> int:
    path = os.path.join(tempfile.mkdtemp(prefix="kehu-py-"), "crm.sqlite")
    with kehu.Database(kehu.SQLiteStore(path)) as db:
        load(db)
        print(f"libkehu {kehu.version()}: {len(list(db.customers))} "
              f"customers in {path}")

        rules = db.rules.default()
        run = db.classify(rules, NOW)
        lifecycle: dict = {}
        for c in db.customers:
            label = c.label(rules, "lifecycle")
            lifecycle[label] = lifecycle.get(label, 0) + 1
        print(f"classified {run.classified}: lifecycle "
              + ", ".join(f"{k} {v}" for k, v in sorted(lifecycle.items())))

        bgnbd = db.models.fit("bgnbd", NOW)
        spend = db.models.fit("gammagamma", NOW)
        print("BG/NBD", {k: round(v, 4) for k, v in bgnbd.params.items()})
        db.models.use(bgnbd, spend)
        ranked = sorted(((c.clv(NOW).clv, c.key) for c in db.customers
                         if c.status == "customer"), reverse=True)
        for value, key in ranked[:5]:
            print(f"  {key}  CLV {value:9.2f}")

        top = db.customers[ranked[0][1]]
        print(rules.explain(top, "lifecycle", NOW))

    with kehu.Database(kehu.SQLiteStore(path)) as again:
        n = len(list(again.customers))
        print(f"reopened {os.path.basename(path)}: {n} customers")
        os.unlink(path)
        os.rmdir(os.path.dirname(path))
        return 0 if n == 1040 else 1


if __name__ == "__main__":
    sys.exit(main())
