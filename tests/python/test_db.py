"""The db from Python: loading the library, open/close, options,
transactions, file and memory stores, lifetimes, documentation."""

import ctypes
import datetime as dt
import os
import pydoc
import subprocess
import sys
import tempfile
import unittest
from decimal import Decimal

import kehutest as K
from kehutest import kehu


class TestLibrary(unittest.TestCase):
    def test_version_and_path(self):
        self.assertRegex(kehu.version(), r"^\d+\.\d+\.\d+$")
        self.assertEqual(kehu.__version__, kehu.version())
        self.assertEqual(os.path.realpath(kehu.library_path),
                         os.path.realpath(os.environ.get(
                             "KEHU_LIBRARY", kehu.library_path)))
        self.assertEqual(kehu.strerror(-5), kehu.strerror(-5))
        self.assertIn("not", kehu.strerror(-5).lower())

    def test_bad_library_path_names_what_was_tried(self):
        env = dict(os.environ, KEHU_LIBRARY="/nonexistent/libkehu.so.1")
        r = subprocess.run([sys.executable, "-c", "import kehu"], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("LibraryNotFoundError", r.stderr)
        self.assertIn("/nonexistent/libkehu.so.1", r.stderr)

    def test_fallback_lists_candidates(self):
        # without KEHU_LIBRARY and with no library anywhere it looks, the
        # error names every place tried
        code = ("import ctypes, ctypes.util\n"
                "ctypes.util.find_library = lambda n: None\n"
                "real = ctypes.CDLL\n"
                "def refuse(p, *a, **k):\n"
                "    if 'kehu' in str(p): raise OSError('refused')\n"
                "    return real(p, *a, **k)\n"
                "ctypes.CDLL = refuse\n"
                "import kehu\n")
        env = {k: v for k, v in os.environ.items() if k != "KEHU_LIBRARY"}
        r = subprocess.run([sys.executable, "-c", code], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("KEHU_LIBRARY (not set)", r.stderr)
        self.assertIn("find_library", r.stderr)

    def test_wrong_argument_types_raise_type_error(self):
        lib = kehu._lib.lib
        with self.assertRaises(ctypes.ArgumentError):
            lib.kehu_db_begin(kehu._lib.CustomerP())
        with self.assertRaises(ctypes.ArgumentError):
            lib.kehu_customer_set_name(kehu._lib.CustomerP(), 42)
        with kehu.Database() as db:
            with self.assertRaises(TypeError):
                db.customers.create(key=42)
            with self.assertRaises(TypeError):
                db.customers.get(1.5)

    def test_help_reads_well(self):
        text = pydoc.render_doc(kehu.Database, renderer=pydoc.plaintext)
        for word in ("class Database", "transaction(", "record(",
                     "classify(", "utc_offset", "currency_exponent",
                     "Every change in the block is one storage"):
            self.assertIn(word, text)
        for obj in (kehu.Customer, kehu.Rules, kehu.Model, kehu.SQLiteStore,
                    kehu.KehuError):
            self.assertTrue(obj.__doc__ and len(obj.__doc__) > 40, obj)


class TestReadme(unittest.TestCase):
    def test_readme_python_block_runs(self):
        with open(os.path.join(K.SRC, "README.md"), encoding="utf-8") as f:
            text = f.read()
        block = text.split("```python\n", 1)[1].split("```\n", 1)[0]
        with tempfile.TemporaryDirectory() as d:
            r = subprocess.run([sys.executable, "-c", block], cwd=d,
                               capture_output=True, text=True, timeout=60,
                               env=os.environ)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(os.path.exists(os.path.join(d, "shop.kehu")))
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], "199.00")
        self.assertIn("1 importance vip", lines)
        self.assertEqual(lines[-1], "=> vip")


class TestDatabase(unittest.TestCase):
    def test_open_close_defaults(self):
        db = kehu.Database()
        self.assertFalse(db.closed)
        self.assertEqual(db.utc_offset, 0)
        self.assertEqual(db.currency_exponent, 2)
        self.assertIs(db.timezone, dt.timezone.utc)
        self.assertEqual(len(db.customers), 0)
        self.assertEqual(len(db.accounts), 0)
        self.assertIn("customers=0", repr(db))
        db.close()
        db.close()      # twice is fine
        self.assertTrue(db.closed)
        self.assertIn("closed", repr(db))
        with self.assertRaises(kehu.MisuseError):
            len(db.customers)
        with self.assertRaises(kehu.MisuseError):
            db.begin()

    def test_options_and_timedelta_offset(self):
        with kehu.Database(utc_offset=dt.timedelta(hours=8),
                           currency_exponent=0) as db:
            self.assertEqual(db.utc_offset, 28800)
            self.assertEqual(db.timezone.utcoffset(None),
                             dt.timedelta(hours=8))
            self.assertEqual(db.currency_exponent, 0)
        with self.assertRaises(kehu.InvalidArgument) as cm:
            kehu.Database(utc_offset=90000)
        self.assertIn("utc_offset", str(cm.exception))
        with self.assertRaises(TypeError):
            kehu.Database(storage=object())

    def test_transactions(self):
        with kehu.Database() as db:
            self.assertFalse(db.in_transaction)
            db.begin()
            self.assertTrue(db.in_transaction)
            db.customers.create("A")
            db.rollback()
            self.assertEqual(len(db.customers), 0)
            db.begin()
            db.customers.create("A")
            db.commit()
            self.assertEqual(len(db.customers), 1)
            with self.assertRaises(kehu.MisuseError):
                db.commit()
            with self.assertRaises(ZeroDivisionError):
                with db.transaction():
                    db.customers.create("B")
                    1 / 0
            self.assertFalse(db.in_transaction)
            self.assertNotIn("B", db.customers)
            with db.transaction() as same:
                self.assertIs(same, db)
                db.customers.create("B")
            self.assertIn("B", db.customers)
            with self.assertRaises(kehu.MisuseError):
                with db.transaction():
                    db.begin()

    def test_closing_frees_every_handle(self):
        db = kehu.Database()
        c = db.customers.create("A", name="a")
        rules = db.rules.default()
        hist = c.history()
        db.close()
        self.assertTrue(c.closed and rules.closed)
        with self.assertRaises(kehu.MisuseError):
            c.name
        with self.assertRaises(kehu.MisuseError):
            rules.name
        with self.assertRaises(kehu.MisuseError):
            next(hist)

    def test_memory_store_survives_the_db(self):
        store = kehu.MemoryStore()
        with kehu.Database(store, utc_offset=3600) as db:
            c = db.customers.create("M-1", name="kept")
            db.record(c, "purchase", at=K.T0, amount=Decimal("1.50"))
            with self.assertRaises(kehu.MisuseError):
                store.close()
        self.assertGreater(store.keys, 0)
        self.assertGreater(store.bytes, 0)
        with kehu.Database(store) as db:
            self.assertEqual(db.utc_offset, 3600)
            c = db.customers["M-1"]
            self.assertEqual(c.name, "kept")
            self.assertEqual(c.metrics(K.T0).revenue, Decimal("1.50"))
        store.close()
        with self.assertRaises(kehu.MisuseError):
            store.keys

    def test_file_store(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "shop.kehu")
            with kehu.Database.open(path, utc_offset=28800,
                                    durability="off") as db:
                with db.transaction():
                    c = db.customers.create("F-1", name="Zhang San")
                    db.record(c, "purchase", at=K.T0,
                              amount=Decimal("199.00"))
            with kehu.Database.open(path, must_exist=True) as db:
                self.assertEqual(db.utc_offset, 28800)
                self.assertEqual(db.customers["F-1"].metrics(K.T0).revenue,
                                 Decimal("199.00"))
            with self.assertRaises(kehu.NotFoundError):
                kehu.Database.open(os.path.join(d, "missing"),
                                   must_exist=True)
            with self.assertRaises(ValueError):
                kehu.FileStore(path, durability="sometimes")
            fs = kehu.FileStore(path, durability="normal")
            with kehu.Database(fs) as db:
                db.customers.create("F-2")
                with self.assertRaises(kehu.MisuseError):
                    fs.close()
            self.assertGreater(fs.stat("keys"), 0)
            self.assertGreater(fs.stat("commits"), 0)
            self.assertEqual(fs.stat("readonly"), 0)
            with self.assertRaises(ValueError):
                fs.stat("nope")
            fs.sync()
            fs.compact()
            self.assertEqual(fs.stat("compactions"), 1)
            self.assertIn("shop.kehu", repr(fs))
            fs.close()
            self.assertTrue(fs.closed)
            with kehu.FileStore(path, readonly=True) as ro:
                with kehu.Database(ro) as db:
                    self.assertEqual(len(db.customers), 2)
                    with self.assertRaises(kehu.KehuError):
                        db.customers.create("F-3")

    def test_file_store_single_writer(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "locked.kehu")
            with kehu.Database.open(path, durability="off"):
                code = ("import kehu, sys\n"
                        "try:\n"
                        f"    kehu.Database.open({path!r})\n"
                        "except kehu.BusyError as e:\n"
                        "    print('busy', e.code)\n")
                r = subprocess.run([sys.executable, "-c", code],
                                   capture_output=True, text=True,
                                   timeout=60, env=os.environ)
                self.assertEqual(r.stdout.strip(), "busy -9", r.stderr)


if __name__ == "__main__":
    K.main()
