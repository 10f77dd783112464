"""Rule sets from Python: compile, evaluate, explain, store, classify with
callbacks, stored labels and scores, segment queries."""

import unittest

import kehutest as K
from kehutest import kehu

RETAIL = '''ruleset "retail" version 2

let vip_revenue = 1000.00

classify importance {
  vip       when revenue_365d >= vip_revenue or attr("rating") == "AAA"
  important when revenue_365d >= 300.00
  ordinary  else
}

score referral_value = referrals * 120.00
score spend = revenue

classify focus {
  keep  when importance == "vip" and purchases > 2
  watch else
}
'''


class TestRules(unittest.TestCase):
    def setUp(self):
        self.db = kehu.Database()
        self.ids = K.small_shop(self.db)
        self.now = K.at(340)

    def tearDown(self):
        self.db.close()

    def test_compile_and_describe(self):
        r = self.db.rules.compile(RETAIL)
        self.assertEqual(r.name, "retail")
        self.assertEqual(r.version, 2)
        self.assertEqual(r.classifications, ("importance", "focus"))
        self.assertEqual(r.scores, ("referral_value", "spend"))
        self.assertIn("retail", repr(r))
        r.close()
        self.assertIn("closed", repr(r))
        with self.db.rules.compile(RETAIL) as r2:
            self.assertFalse(r2.closed)
        self.assertTrue(r2.closed)

    def test_default_pack(self):
        src = kehu.default_rules_source()
        self.assertIn("classify importance", src)
        self.assertEqual(kehu.default_rules(), src)
        d = self.db.rules.default()
        self.assertIn("rfm_segment", d.classifications)
        self.assertEqual(self.db.rules.compile(src).classifications,
                         d.classifications)

    def test_evaluate(self):
        r = self.db.rules.compile(RETAIL)
        res = [r.evaluate(i, self.now) for i in self.ids]
        self.assertEqual({x.labels["importance"] for x in res},
                         {"vip", "important", "ordinary"})
        top = res[-1]
        self.assertEqual(top.customer_id, self.ids[-1])
        spend = self.db.customers.get(self.ids[-1]).metrics(self.now).revenue
        self.assertAlmostEqual(top.scores["spend"], float(spend), places=6)
        self.assertEqual(top["importance"], top.labels["importance"])
        self.assertEqual(top["spend"], top.scores["spend"])
        with self.assertRaises(KeyError):
            top["nothing"]
        with self.assertRaises(kehu.NotFoundError):
            r.evaluate(999, self.now)
        c = self.db.customers.get(self.ids[0])
        self.assertEqual(r.evaluate(c, self.now).labels,
                         res[0].labels)
        # without a time: the host clock
        self.assertEqual(set(r.evaluate(c).labels),
                         {"importance", "focus"})

    def test_explain(self):
        r = self.db.rules.compile(RETAIL)
        cid = self.ids[-1]
        ex = r.explain(cid, "importance", self.now)
        self.assertEqual(ex.label, r.evaluate(cid, self.now).labels[
            "importance"])
        self.assertEqual(ex.classification, "importance")
        self.assertIn("revenue_365d", str(ex))
        self.assertEqual(str(ex), ex.text)
        self.assertTrue(ex.rules[-1].fired)
        self.assertTrue(all(not x.fired for x in ex.rules[:-1]))
        first = ex.rules[0]
        self.assertEqual(first.label, "vip")
        self.assertEqual(first.line, 6)
        cmp0 = first.comparisons[0]
        self.assertEqual(cmp0.text, "revenue_365d >= vip_revenue")
        self.assertEqual(cmp0.right, 1000.0)
        self.assertEqual(cmp0.result, cmp0.left >= cmp0.right)
        with self.assertRaises(kehu.NotFoundError):
            r.explain(cid, "nope", self.now)

    def test_save_and_load(self):
        r = self.db.rules.compile(RETAIL)
        r.save()
        back = self.db.rules.load("retail")
        self.assertEqual(back.version, 2)
        self.assertEqual(back.evaluate(self.ids[3], self.now),
                         r.evaluate(self.ids[3], self.now))
        with self.assertRaises(kehu.NotFoundError):
            self.db.rules.load("other")

    def test_classify_with_callbacks(self):
        r = self.db.rules.compile(RETAIL)
        seen, progress = [], []
        run = self.db.classify(r, self.now, batch_size=3,
                               on_change=seen.append,
                               progress=lambda d, t: progress.append((d, t)))
        self.assertEqual(run.classified, 10)
        self.assertEqual(len(run), 20)          # 2 classifications each
        self.assertEqual(list(run), seen)
        self.assertTrue(all(ch.old_label is None for ch in run))
        self.assertEqual(progress[-1], (10, 10))
        self.assertEqual(len(progress), 4)      # batches of 3
        for cid in self.ids:
            res = r.evaluate(cid, self.now)
            c = self.db.customers.get(cid)
            self.assertEqual(c.label(r, "importance"),
                             res.labels["importance"])
            self.assertEqual(c.label("retail", "focus"), res.labels["focus"])
            self.assertAlmostEqual(c.score(r, "spend"), res.scores["spend"])
            self.assertIsNone(c.label("retail", "nope"))
            self.assertIsNone(c.score("other", "spend"))
        # nothing changed: no transitions the second time
        self.assertEqual(len(self.db.classify(r, self.now)), 0)
        # a change is reported with the old label
        c = self.db.customers.get(self.ids[1])
        old = c.label(r, "importance")
        self.assertNotEqual(old, "vip")
        c.attrs["rating"] = "AAA"
        run = self.db.classify(r, self.now)
        self.assertEqual(run.changes, [kehu.LabelChange(
            self.ids[1], "importance", old, "vip")])

    def test_classify_segment_and_errors_in_callbacks(self):
        r = self.db.rules.compile(RETAIL)
        run = self.db.classify(r, self.now, segment='has_tag("vip")')
        self.assertEqual(run.classified, 3)
        with self.assertRaises(kehu.CompileError):
            self.db.classify(r, self.now, segment="revenue >")

        class Stop(Exception):
            pass

        def boom(change):
            raise Stop(change.customer_id)

        with self.assertRaises(Stop) as cm:
            self.db.classify(self.db.rules.default(), self.now,
                             on_change=boom)
        self.assertEqual(cm.exception.args[0], self.ids[0])
        self.assertTrue(any("libkehu" in n for n in
                            getattr(cm.exception, "__notes__", [])))
        with self.assertRaises(kehu.UserError):
            self.db.classify(r, self.now, progress=lambda d, t: False)
        with self.assertRaises(kehu.MisuseError):
            with self.db.transaction():
                self.db.classify(r, self.now)

    def test_query_and_count(self):
        r = self.db.rules.compile(RETAIL)
        vips = [i for i in self.ids
                if r.evaluate(i, self.now).labels["importance"] == "vip"]
        self.assertEqual(self.db.query('importance == "vip"', rules=r,
                                       now=self.now), vips)
        self.assertEqual(self.db.count('importance == "vip"', rules=r,
                                       now=self.now), len(vips))
        self.assertEqual(self.db.query('has_tag("vip")', now=self.now),
                         [self.ids[0], self.ids[4], self.ids[8]])
        self.assertEqual(self.db.count("purchases > 100"), 0)
        with self.assertRaises(kehu.CompileError):
            self.db.query("importance ==", rules=r)

    def test_rules_free_before_db_close(self):
        db = kehu.Database()
        r = db.rules.default()
        db.close()
        self.assertTrue(r.closed)


if __name__ == "__main__":
    K.main()
