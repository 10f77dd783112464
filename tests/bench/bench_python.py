"""bench_python: interactions recorded per second through the Python
binding, with the Pythonic call (db.record: Decimal money, aware
datetimes) and the bulk path (db.record_many: tuples of ints), on the
in-memory store and on kehu.SQLiteStore.  Prints figures; asserts
nothing (run with `meson test -C build --benchmark python`).

    bench_python.py [N]      (default 100000 interactions per run)
"""

import array
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bindings", "python"))

import kehu  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
CUSTOMERS = 1000
T0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


def setup(db):
    with db.transaction():
        return [db.customers.create().id for _ in range(CUSTOMERS)]


def loop(db, ids):
    amount = Decimal("19.90")
    t = time.perf_counter()
    with db.transaction():
        for i in range(N):
            db.record(ids[i % CUSTOMERS], "purchase",
                      at=T0 + dt.timedelta(minutes=i), amount=amount)
    return time.perf_counter() - t


def bulk(db, ids):
    t0 = int(T0.timestamp()) + 86400 * 365
    rows = [(ids[i % CUSTOMERS], "purchase", t0 + 60 * i, 1990)
            for i in range(N)]
    t = time.perf_counter()
    db.record_many(rows)
    return time.perf_counter() - t


def columns(db, ids):
    """The bulk path proper: columns already in arrays, one C call."""
    t0 = int(T0.timestamp()) + 86400 * 730
    cids = array.array("q", (ids[i % CUSTOMERS] for i in range(N)))
    types = array.array("i", [1] * N)
    times = array.array("q", (t0 + 60 * i for i in range(N)))
    amounts = array.array("q", [1990] * N)
    t = time.perf_counter()
    db.record_columns(cids, types, times, amounts)
    return time.perf_counter() - t


def main():
    print(f"# libkehu {kehu.version()} from {kehu.library_path}, "
          f"{N} interactions per run, {CUSTOMERS} customers")
    with tempfile.TemporaryDirectory() as d:
        for name, make in (("memory", lambda: None),
                           ("sqlite", lambda: kehu.SQLiteStore(
                               os.path.join(d, "b.sqlite"),
                               synchronous="OFF"))):
            with kehu.Database(make()) as db:
                ids = setup(db)
                a = loop(db, ids)
                b = bulk(db, ids)
                c = columns(db, ids)
                print(f"{name:7s} record loop  {N / a:10.0f} interactions/s")
                print(f"{name:7s} record_many  {N / b:10.0f} interactions/s"
                      " (tuples)")
                print(f"{name:7s} record_columns {N / c:8.0f} interactions/s"
                      " (arrays, one C call; target >= 500,000)")


if __name__ == "__main__":
    main()
