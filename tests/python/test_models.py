"""CDNOW through Python: the 1/10th sample imported with the bulk path,
summaries equal to the published file, BG/NBD with the published
parameters (Fader, Hardie & Lee 2005), Gamma-Gamma, stored models, CLV.
"""

import datetime as dt
import os
import unittest
from decimal import Decimal

import kehutest as K
from kehutest import kehu

SAMPLE = os.path.join(K.DATA, "CDNOW_sample.txt")
SUMMARY = os.path.join(K.DATA,
                       "cdnow_customers_summary_with_transactions.csv")
CAL_END = dt.date(1997, 9, 30)


def noon(ymd: str) -> int:
    d = dt.datetime.strptime(ymd, "%Y%m%d").replace(hour=12,
                                                    tzinfo=K.UTC)
    return int(d.timestamp())


@unittest.skipUnless(os.path.exists(SAMPLE),
                     f"CDNOW sample not found at {SAMPLE}")
class TestCdnow(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = db = kehu.Database()
        rows = []
        with open(SAMPLE, encoding="ascii") as f:
            for line in f:
                _master, sample, ymd, _cds, usd = line.split()
                rows.append((int(sample), "purchase", noon(ymd),
                             int(Decimal(usd) * 100)))
        with db.transaction():
            for i in range(2357):
                db.customers.create()
            cls.recorded = db.record_many(rows)
        cls.bg = db.models.fit("bgnbd", calibration_end=CAL_END)

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def test_import(self):
        self.assertEqual(self.recorded, 6919)
        self.assertEqual(len(self.db.customers), 2357)
        total = sum((self.db.metrics(i, dt.date(1998, 7, 1)).sales
                     for i in range(1, 2358)), Decimal(0))
        self.assertEqual(total, Decimal("244091.94"))

    def test_summaries_equal_the_published_file(self):
        got = {s.customer_id: s for s in self.db.models.summaries(CAL_END)}
        self.assertEqual(len(got), 2357)
        with open(SUMMARY, encoding="ascii") as f:
            next(f)
            for line in f:
                cid, x, tx, T, z = line.strip().split(",")[:5]
                s = got[int(cid)]
                self.assertEqual(s.x, float(x))
                self.assertAlmostEqual(s.t_x, float(tx), delta=0.005)
                self.assertAlmostEqual(s.T, float(T), delta=0.005)
                self.assertAlmostEqual(s.spend, float(z), delta=0.01)
        days = self.db.models.summaries(CAL_END, period=86400)
        self.assertAlmostEqual(days[0].T, got[1].T * 7, delta=0.05)

    def test_bgnbd_published_parameters(self):
        m = self.bg
        p = m.params
        self.assertEqual(list(p), ["r", "alpha", "a", "b"])
        self.assertAlmostEqual(p["r"], 0.243, delta=0.0005)
        self.assertAlmostEqual(p["alpha"], 4.414, delta=0.0005)
        self.assertAlmostEqual(p["a"], 0.793, delta=0.0005)
        self.assertAlmostEqual(p["b"], 2.426, delta=0.0005)
        self.assertAlmostEqual(m.loglik, -9582.43, delta=0.01)
        self.assertEqual(m.kind, "bgnbd")
        self.assertEqual(m.period, dt.timedelta(weeks=1))
        self.assertTrue(m.converged)
        self.assertGreater(m.iterations, 0)
        self.assertIsNone(m.spend_correlation)
        self.assertIsNone(m.warning)
        self.assertAlmostEqual(m.expected_purchases(39, 2, 30.43, 38.86),
                               1.226, delta=0.0005)
        self.assertAlmostEqual(m.p_alive(2, 30.43, 38.86), 0.727,
                               delta=0.0005)
        self.assertGreater(m.expected_purchases(39, new=True), 0)
        with self.assertRaises(kehu.InvalidArgument):
            m.expected_spend(1, 10)
        with self.assertRaises(kehu.InvalidArgument):
            m.p_alive(-1, 0, 0)
        self.assertIn("bgnbd", repr(m))

    def test_pareto_nbd_published_parameters(self):
        with self.db.models.fit("paretonbd", CAL_END,
                                period=dt.timedelta(weeks=1)) as m:
            p = m.params
            self.assertEqual(list(p), ["r", "alpha", "s", "beta"])
            self.assertAlmostEqual(p["r"], 0.553, delta=0.0005)
            self.assertAlmostEqual(p["alpha"], 10.578, delta=0.0005)
            self.assertAlmostEqual(p["s"], 0.606, delta=0.0005)
            self.assertAlmostEqual(p["beta"], 11.669, delta=0.02)
            self.assertAlmostEqual(m.loglik, -9594.98, delta=0.01)
            self.assertGreater(m.p_alive(2, 30.43, 38.86), 0)

    def test_gamma_gamma_and_store(self):
        db = self.db
        with db.models.fit("gammagamma", CAL_END) as gg:
            self.assertEqual(list(gg.params), ["p", "q", "gamma"])
            self.assertLess(abs(gg.spend_correlation), 0.3)
            self.assertIsNone(gg.warning)
            self.assertGreater(gg.expected_spend(2, 30.0), 0)
            db.models.save(gg, "gg")
        self.assertTrue(gg.closed)
        self.assertIn("closed", repr(gg))
        with self.assertRaises(kehu.MisuseError):
            gg.params
        back = db.models.load("gg")
        self.assertEqual(back.kind, "gammagamma")
        db.models.save(self.bg, "bg-weekly")
        bg2 = db.models.load("bg-weekly")
        self.assertEqual(bg2.params, self.bg.params)
        self.assertEqual(bg2.p_alive(2, 30.43, 38.86),
                         self.bg.p_alive(2, 30.43, 38.86))
        with self.assertRaises(kehu.NotFoundError):
            db.models.load("nope")
        with self.assertRaises(kehu.InvalidArgument):
            db.models.fit("weibull", CAL_END)
        with self.assertRaises(kehu.InvalidArgument):
            db.models.fit("bgnbd", dt.date(1996, 1, 1))

    @unittest.skipUnless(kehu._lib.has("kehu_customer_clv"),
                         "the library has no CLV API yet")
    def test_clv(self):
        db = self.db
        gg = db.models.fit("gammagamma", CAL_END)
        sums = db.models.summaries(CAL_END)
        s = next(x for x in sums if x.x >= 2)
        with self.assertRaises(kehu.MisuseError):
            db.models.clv(s.customer_id, CAL_END)   # no models in use yet
        db.models.use(self.bg, gg)
        v = db.models.clv(s.customer_id, CAL_END, margin_rate=0.3)
        self.assertIsInstance(v, kehu.CLV)
        self.assertAlmostEqual(v.clv, v.margin - v.cost + v.referral,
                               places=9)
        self.assertEqual(v.margin_rate, 0.3)
        self.assertEqual((v.x, v.t_x, v.T), (s.x, s.t_x, s.T))
        self.assertAlmostEqual(v.p_alive, self.bg.p_alive(s.x, s.t_x, s.T),
                               places=12)
        self.assertAlmostEqual(v.expected_spend,
                               gg.expected_spend(s.x, s.spend), places=9)
        self.assertLess(v.discounted_purchases, v.expected_purchases)
        c = db.customers.get(s.customer_id)
        self.assertEqual(c.clv(CAL_END, margin_rate=0.3), v)
        longer = c.clv(CAL_END, margin_rate=0.3,
                       horizon=dt.timedelta(days=730),
                       step=dt.timedelta(days=7), discount_rate=0.0)
        self.assertGreater(longer.expected_purchases, v.expected_purchases)
        self.assertEqual(longer.discounted_purchases,
                         longer.expected_purchases)
        ref = c.clv(CAL_END, margin_rate=0.3, referral_value=Decimal("10"),
                    referral_rate=1.0, satisfied_from=0.0)
        self.assertGreaterEqual(ref.referral, 0)
        # the batch path gives the same margin term
        batch = db.models.batch_clv(self.bg, gg, sums[:50], margin_rate=0.3)
        self.assertEqual(len(batch), 50)
        self.assertTrue(all(x >= 0 for x in batch))
        self.assertAlmostEqual(db.models.batch_clv(
            self.bg, gg, [s], margin_rate=0.3)[0], v.margin, places=6)
        with self.assertRaises(kehu.InvalidArgument):
            db.models.batch_clv(gg, self.bg, [s])
        # the rule language reads the same models
        r = db.rules.compile('ruleset "v" version 1\n'
                             'score alive = p_alive\n'
                             'score value = clv(365, 0.10)\n')
        res = r.evaluate(s.customer_id, CAL_END)
        self.assertAlmostEqual(res["alive"], v.p_alive, places=12)
        self.assertAlmostEqual(res["value"], float(
            c.clv(CAL_END).clv), places=6)
        self.assertEqual(db.rules.default().name, "kehu-default-predicted")
        db.models.use(None, None)
        self.assertEqual(db.rules.default().name, "kehu-default")
        with self.assertRaises(kehu.CompileError):
            db.rules.compile('ruleset "v" version 1\nscore a = p_alive\n')
        with self.assertRaises(kehu.MisuseError):
            db.models.clv(s.customer_id, CAL_END)

if __name__ == "__main__":
    K.main()
