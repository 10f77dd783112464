"""No leak: creating and dropping 100,000 handles keeps the resident set
flat.  The bound is 4 MiB of growth after a warm-up; a leaked customer
handle costs at least a few hundred bytes of C memory (plus its Python
finalizer), so 100,000 leaked handles would grow the RSS by tens of
MiB."""

import gc
import os
import unittest

import kehutest as K
from kehutest import kehu

HANDLES = 100_000
BOUND = 4 * 1024 * 1024
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


@unittest.skipUnless(os.path.exists("/proc/self/statm"), "needs /proc")
class TestLeak(unittest.TestCase):
    def churn(self, db, ids, n):
        """Creates and drops *n* handles of every kind the db hands out:
        customers mostly, and every 10th a history iterator, an
        evaluation result, every 100th a compiled rule set and a model."""
        get = db.customers.get
        for k in range(n):
            c = get(ids[k % len(ids)])
            if k % 10 == 0:
                next(c.history(), None)
                self.rules.evaluate(c, K.at(100))
                c.attrs["k"] = k
            if k % 100 == 0:
                db.rules.compile('ruleset "x" version 1 score s = revenue')
                db.models.load("m")
            del c

    def test_handles_do_not_leak(self):
        with kehu.Database() as db:
            ids = K.small_shop(db)
            self.rules = db.rules.default()
            db.models.save(db.models.fit("bgnbd", K.at(400), 86400), "m")
            self.churn(db, ids, 10_000)             # warm-up: caches, pools
            gc.collect()
            before = rss()
            self.churn(db, ids, HANDLES)
            gc.collect()
            after = rss()
            growth = after - before
            print(f"\n# {HANDLES} handles: RSS {before / 2**20:.1f} MiB -> "
                  f"{after / 2**20:.1f} MiB (growth {growth / 1024:.0f} KiB,"
                  f" bound {BOUND / 1024:.0f} KiB)")
            self.assertLess(growth, BOUND)
            # only the rule set kept by the test is still registered
            self.assertEqual(len(db._core.children), 1)

    def test_the_bound_would_catch_a_leak(self):
        # the same loop keeping its handles grows past the bound: the
        # measurement can fail
        with kehu.Database() as db:
            ids = K.small_shop(db)
            gc.collect()
            before = rss()
            kept = [db.customers.get(ids[k % len(ids)])
                    for k in range(HANDLES)]
            grown = rss() - before
            print(f"\n# {HANDLES} handles kept: RSS growth "
                  f"{grown / 2**20:.1f} MiB")
            self.assertGreater(grown, BOUND)
            del kept


if __name__ == "__main__":
    K.main()
