"""Errors: every KEHU_E* code maps to its class, each class is raised by a
real failing call, the message is the db's, and a failed call changes
nothing."""

import os
import sqlite3
import tempfile
import unittest
from decimal import Decimal

import kehutest as K
from kehutest import kehu

CLASSES = {
    -1: kehu.UnspecifiedError, -2: kehu.NoMemoryError,
    -3: kehu.InvalidArgument, -4: kehu.MisuseError, -5: kehu.NotFoundError,
    -6: kehu.ExistsError, -7: kehu.BufferTooSmallError, -8: kehu.RangeError,
    -9: kehu.BusyError, -10: kehu.StorageError, -11: kehu.CorruptError,
    -12: kehu.ConflictError, -13: kehu.UserError, -15: kehu.CompileError,
}


class TestMapping(unittest.TestCase):
    def test_every_code_has_its_class(self):
        for code, cls in CLASSES.items():
            e = kehu.error_for_code(code, "msg")
            self.assertIs(type(e), cls)
            self.assertIsInstance(e, kehu.KehuError)
            self.assertEqual(e.code, code)
            self.assertEqual(e.message, "msg")
            self.assertEqual(str(e), "msg")
        unknown = kehu.error_for_code(-99)
        self.assertIs(type(unknown), kehu.KehuError)
        self.assertEqual(unknown.code, -99)
        self.assertEqual(len(set(CLASSES.values())), len(CLASSES))

    def test_builtin_bases(self):
        self.assertTrue(issubclass(kehu.InvalidArgument, ValueError))
        self.assertTrue(issubclass(kehu.NotFoundError, LookupError))
        self.assertTrue(issubclass(kehu.NoMemoryError, MemoryError))
        self.assertTrue(issubclass(kehu.RangeError, ArithmeticError))
        self.assertTrue(issubclass(kehu.StorageError, OSError))
        self.assertTrue(issubclass(kehu.CompileError, SyntaxError))


class Codes(kehu.SQLiteStore):
    """A store that fails its next put with a chosen kehu error (a store
    may return a specific code by raising its class)."""
    fail_with = None

    def put(self, key, value):
        if self.fail_with is not None:
            e, self.fail_with = self.fail_with, None
            raise e
        super().put(key, value)


class TestRaised(unittest.TestCase):
    def setUp(self):
        self.db = kehu.Database()
        self.c = self.db.customers.create("E-1", name="erring")

    def tearDown(self):
        self.db.close()

    def test_invalid_argument(self):
        with self.assertRaises(kehu.InvalidArgument) as cm:
            self.c.name = "x" * 1025
        self.assertEqual(cm.exception.code, -3)
        self.assertIn("name", str(cm.exception))
        self.assertEqual(self.c.name, "erring")     # unchanged
        with self.assertRaises(kehu.InvalidArgument):
            self.c.kind = "robot"

    def test_misuse(self):
        with self.assertRaises(kehu.MisuseError) as cm:
            self.db.rollback()
        self.assertEqual(cm.exception.code, -4)

    def test_not_found(self):
        with self.assertRaises(kehu.NotFoundError) as cm:
            self.db.customers.get(999)
        self.assertIn("999", str(cm.exception))
        with self.assertRaises(KeyError):
            self.db.customers["NOPE"]

    def test_exists(self):
        with self.assertRaises(kehu.ExistsError) as cm:
            self.db.customers.create("E-1")
        self.assertIn("E-1", str(cm.exception))
        self.assertEqual(len(self.db.customers), 1)

    def test_buffer_too_small(self):
        # the binding retries with a larger buffer; the raw call says it
        import ctypes
        rules = self.db.rules.compile(
            'ruleset "r" version 1\nclassify tier { '
            + "a_very_long_label_" * 5 + " else }")
        self.db.classify(rules, now=K.T0)
        self.assertEqual(self.c.label(rules, "tier"),
                         "a_very_long_label_" * 5)
        buf = ctypes.create_string_buffer(4)
        n = ctypes.c_size_t()
        rc = kehu._lib.lib.kehu_customer_get_label(
            self.db._core.db(), self.c.id, b"r", b"tier", buf, 4,
            ctypes.byref(n))
        with self.assertRaises(kehu.BufferTooSmallError):
            self.db._core.check(rc)
        self.assertEqual(n.value, 91)

    def test_range(self):
        big = Decimal(2 ** 62) / 100
        self.db.record(self.c, "purchase", at=K.T0, amount=big)
        with self.assertRaises(kehu.RangeError):
            self.db.record(self.c, "purchase", at=K.at(1), amount=big)
        self.assertEqual(self.c.metrics(K.at(2)).orders, 1)

    def test_busy(self):
        self.db.accounts.create(self.c, name="firm")
        with self.assertRaises(kehu.BusyError):
            self.db.customers.delete(self.c)
        self.assertIn("E-1", self.db.customers)

    def test_conflict(self):
        other = self.db.customers.get(self.c.id)
        other.name = "changed elsewhere"
        with self.assertRaises(kehu.ConflictError):
            self.c.name = "stale"
        # the handle was re-read: it shows what is stored
        self.assertEqual(self.c.name, "changed elsewhere")
        self.c.name = "now fine"
        self.assertEqual(self.db.customers.get(self.c.id).name, "now fine")

    def test_user(self):
        rules = self.db.rules.default()
        with self.assertRaises(kehu.UserError):
            self.db.classify(rules, now=K.T0, on_change=lambda ch: False)

    def test_compile(self):
        with self.assertRaises(kehu.CompileError) as cm:
            self.db.rules.compile('ruleset "x" version 1\nscore a = 1 +')
        e = cm.exception
        self.assertEqual((e.line, e.column), (2, 14))
        self.assertTrue(str(e).startswith("2:14: "))

    def test_storage_corrupt_unspecified_nomem_from_a_store(self):
        with tempfile.TemporaryDirectory() as d:
            store = Codes(os.path.join(d, "codes.sqlite"))
            with kehu.Database(store) as db:
                for cls in (kehu.StorageError, kehu.CorruptError,
                            kehu.UnspecifiedError, kehu.NoMemoryError):
                    store.fail_with = cls("injected")
                    with self.assertRaises(cls) as cm:
                        db.customers.create("X")
                    self.assertIn("injected", str(cm.exception))
                    self.assertEqual(len(db.customers), 0)
                db.customers.create("X")

    def test_corrupt_record(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "c.sqlite")
            with kehu.Database(kehu.SQLiteStore(path)) as db:
                db.customers.create("C-1", name="to be damaged")
            con = sqlite3.connect(path)
            n = con.execute("UPDATE kv SET v = x'ff00ff' WHERE k >= x'43'"
                            " AND k < x'44'").rowcount
            self.assertEqual(n, 1)
            con.commit()
            con.close()
            with self.assertRaises(kehu.CorruptError):
                kehu.Database(kehu.SQLiteStore(path))


if __name__ == "__main__":
    K.main()
