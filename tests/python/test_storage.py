"""Stores written in Python: SQLiteStore round trips across processes,
Python exceptions in storage callbacks (rolled back, re-raised), the same
results as the C memory store, and a store built on the Store base."""

import bisect
import json
import os
import subprocess
import sys
import tempfile
import unittest

import kehutest as K
from kehutest import kehu

# Run in a fresh interpreter: write (or only read) the SQLite db at argv[2]
# and print the read-back as JSON.
CHILD = r'''
import json, sys
import kehutest as K
from kehutest import kehu
mode, path = sys.argv[1], sys.argv[2]
with kehu.Database(kehu.SQLiteStore(path), utc_offset=28800) as db:
    if mode == "write":
        ids = K.small_shop(db)
        with db.transaction():
            c = db.customers.get(ids[3])
            c.attrs.update({"rating": "AAA", "limit": 5000, "w": 0.25,
                            "since": K.T0})
            c.referrer = ids[1]
            c.relation = "business"
            db.accounts.create(ids[2], name="firm",
                               members={ids[5]: "decision_maker"})
        db.classify(db.rules.default(), now=K.at(340))
    print(json.dumps(K.dump(db, K.at(340)), sort_keys=True))
'''


def child(mode, path):
    r = subprocess.run([sys.executable, "-c", CHILD, mode, path],
                       capture_output=True, text=True, timeout=120,
                       env=os.environ)
    if r.returncode != 0:
        raise AssertionError(f"child {mode} failed:\n{r.stderr}")
    return json.loads(r.stdout)


class Faulty(kehu.SQLiteStore):
    """A SQLiteStore whose slots raise on demand."""

    def __init__(self, path):
        super().__init__(path)
        self.fail = {}        # slot name -> exception to raise (once)
        self.closes = 0

    def _maybe(self, slot):
        e = self.fail.pop(slot, None)
        if e is not None:
            raise e

    def begin(self):
        self._maybe("begin")
        super().begin()

    def commit(self):
        self._maybe("commit")
        super().commit()

    def get(self, key):
        self._maybe("get")
        return super().get(key)

    def put(self, key, value):
        self._maybe("put")
        super().put(key, value)

    def delete(self, key):
        self._maybe("delete")
        return super().delete(key)

    def scan(self, start, end):
        self._maybe("scan")
        return super().scan(start, end)

    def close(self):
        self.closes += 1
        super().close()
        self._maybe("close")


class DictStore(kehu.Store):
    """The smallest store: a sorted list of keys and a dict, with an undo
    log for rollback.  Shows the Store base is all a host needs."""

    def __init__(self):
        self.keys, self.data, self.undo = [], {}, None

    def begin(self):
        assert self.undo is None
        self.undo = []

    def commit(self):
        self.undo = None

    def rollback(self):
        for k, old in reversed(self.undo or []):
            self._set(k, old)
        self.undo = None

    def _set(self, k, v):
        i = bisect.bisect_left(self.keys, k)
        present = i < len(self.keys) and self.keys[i] == k
        if v is None:
            if present:
                del self.keys[i]
                del self.data[k]
        else:
            if not present:
                self.keys.insert(i, k)
            self.data[k] = v

    def get(self, key):
        return self.data.get(key)

    def put(self, key, value):
        self.undo.append((key, self.data.get(key)))
        self._set(key, value)

    def delete(self, key):
        if key not in self.data:
            return False
        self.undo.append((key, self.data[key]))
        self._set(key, None)
        return True

    def scan(self, start, end):
        i = bisect.bisect_left(self.keys, start)
        while i < len(self.keys) and (end is None or self.keys[i] < end):
            k = self.keys[i]
            yield k, self.data[k]
            i += 1


class TestSQLiteStore(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "shop.sqlite")

    def tearDown(self):
        self.dir.cleanup()

    def test_reopen_in_a_new_process_reads_the_same(self):
        written = child("write", self.path)
        read = child("read", self.path)
        self.assertEqual(read, written)
        self.assertEqual(len(read["customers"]), 10)
        c3 = read["customers"][3]
        self.assertEqual(c3["attrs"]["since"], "2024-01-01T08:00:00+08:00")
        self.assertEqual(c3["relation"], "business")
        self.assertEqual(read["accounts"][0]["name"], "firm")
        self.assertTrue(all(c["label"] for c in read["customers"]))
        self.assertEqual(read["utc_offset"], 28800)
        # and this process reads the same again
        with kehu.Database(kehu.SQLiteStore(self.path)) as db:
            self.assertEqual(json.loads(json.dumps(
                K.dump(db, K.at(340)), sort_keys=True)), written)

    def test_same_results_as_the_c_memory_store(self):
        now = K.at(340)
        results = []
        for store in (kehu.SQLiteStore(self.path), None, DictStore()):
            with kehu.Database(store) as db:
                ids = K.small_shop(db)
                rules = db.rules.default()
                run = db.classify(rules, now)
                results.append({
                    "classified": run.classified,
                    "changes": list(run),
                    "eval": [rules.evaluate(i, now) for i in ids],
                    "stored": [[db.customers.get(i).label(rules, cl)
                                for cl in rules.classifications]
                               for i in ids],
                    "dump": K.dump(db, now)})
        self.assertEqual(results[0], results[1])
        self.assertEqual(results[2], results[1])
        labels = {r.labels["lifecycle"] for r in results[0]["eval"]}
        self.assertGreater(len(labels), 2)

    def test_exception_in_put_rolls_back_and_reaches_the_caller(self):
        store = Faulty(self.path)
        with kehu.Database(store) as db:
            db.customers.create("KEEP", name="kept")
            keys = store.count()
            with self.assertRaises(RuntimeError) as cm:
                with db.transaction():
                    c = db.customers.create("NEW")
                    db.record(c, "purchase", at=K.T0, amount=5)
                    store.fail["put"] = RuntimeError("disk on fire")
                    db.customers.create("NEVER")
            self.assertEqual(str(cm.exception), "disk on fire")
            self.assertIn("disk on fire", cm.exception.__notes__[0])
            self.assertFalse(db.in_transaction)
            self.assertFalse(store.connection.in_transaction)
            self.assertEqual(store.count(), keys)
            self.assertEqual(len(db.customers), 1)
            self.assertNotIn("NEW", db.customers)
            # the db goes on
            db.customers.create("AFTER")
            self.assertEqual(len(db.customers), 2)

    def test_exception_in_every_slot(self):
        store = Faulty(self.path)
        with kehu.Database(store) as db:
            c = db.customers.create("S")
            db.record(c, "purchase", at=K.T0, amount=1)
            for slot in ("begin", "commit", "get", "put", "scan"):
                store.fail[slot] = KeyError(slot)
                with self.assertRaises(KeyError, msg=slot):
                    db.record(c, "purchase", at=K.at(-5), amount=1)
                self.assertEqual(store.fail, {})
                self.assertEqual(c.metrics(K.at(1)).orders, 1, slot)
            store.fail["delete"] = ValueError("no delete")
            with self.assertRaises(ValueError):
                db.customers.delete(c)
            self.assertIn("S", db.customers)
            # a store that raises a kehu error returns that code
            store.fail["put"] = kehu.BusyError("locked by host")
            with self.assertRaises(kehu.BusyError):
                c.name = "x"
            self.assertEqual(db.customers.get(c.id).name, "")

    def test_exception_while_opening(self):
        with kehu.Database(kehu.SQLiteStore(self.path)) as db:
            db.customers.create("X")
        store = Faulty(self.path)
        store.fail["scan"] = OSError("unreadable")
        with self.assertRaises(OSError) as cm:
            kehu.Database(store)
        self.assertEqual(str(cm.exception), "unreadable")
        self.assertEqual(store.closes, 1)   # close called exactly once

    def test_close_is_called_once_and_its_error_surfaces(self):
        store = Faulty(self.path)
        db = kehu.Database(store)
        store.fail["close"] = RuntimeError("close failed")
        with self.assertRaises(RuntimeError):
            db.close()
        db.close()
        self.assertEqual(store.closes, 1)
        with self.assertRaises(kehu.MisuseError):
            store.connection

    def test_options(self):
        s = kehu.SQLiteStore(self.path, table="kehu_data",
                             synchronous="NORMAL")
        with kehu.Database(s) as db:
            db.customers.create("T")
        self.assertIn("kehu_data", repr(s))
        with self.assertRaises(ValueError):
            kehu.SQLiteStore(self.path, table="kv; DROP TABLE x")
        with self.assertRaises(ValueError):
            kehu.SQLiteStore(self.path, synchronous="SOMETIMES")
        with kehu.Database(kehu.SQLiteStore(":memory:")) as db:
            db.customers.create("M")
            self.assertEqual(len(db.customers), 1)

    def test_store_base_is_abstract(self):
        s = kehu.Store()
        for name, args in (("begin", ()), ("commit", ()), ("rollback", ()),
                           ("get", (b"k",)), ("put", (b"k", b"v")),
                           ("delete", (b"k",)), ("scan", (b"", None))):
            with self.assertRaises(NotImplementedError):
                getattr(s, name)(*args)
        s.close()
        with self.assertRaises(NotImplementedError):
            kehu.Database(kehu.Store())


if __name__ == "__main__":
    K.main()
