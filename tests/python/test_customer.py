"""Customers, accounts, interactions, history and metrics from Python;
money and time round trips through the db's currency exponent and UTC
offset."""

import dataclasses
import datetime as dt
import unittest
from decimal import Decimal

import kehutest as K
from kehutest import kehu


class TestCustomer(unittest.TestCase):
    def setUp(self):
        self.db = kehu.Database()

    def tearDown(self):
        self.db.close()

    def test_create_with_fields_and_read_back(self):
        db = self.db
        ref = db.customers.create("REF")
        c = db.customers.create("C-001", name="Zhang San",
                                kind="organisation", relation="business",
                                status="customer", referrer=ref,
                                tags=["vip", "north"],
                                attrs={"credit_limit": 50_000,
                                       "rating": "AAA", "score": 0.75,
                                       "since": K.T0})
        self.assertEqual(len(db.customers), 2)
        back = db.customers.get(c.id)
        self.assertEqual(back, c)
        self.assertEqual(hash(back), hash(c))
        self.assertEqual(back.key, "C-001")
        self.assertEqual(back.name, "Zhang San")
        self.assertEqual(back.kind, "organisation")
        self.assertEqual(back.relation, "business")
        self.assertEqual(back.status, "customer")
        self.assertEqual(back.referrer, ref.id)
        self.assertEqual(list(back.tags), ["vip", "north"])
        self.assertEqual(dict(back.attrs), {
            "credit_limit": 50_000, "rating": "AAA", "score": 0.75,
            "since": K.T0})
        self.assertIs(back.db, db)
        self.assertIn("Zhang San", repr(back))

    def test_defaults(self):
        c = self.db.customers.create()
        self.assertIsNone(c.key)
        self.assertEqual(c.name, "")
        self.assertEqual((c.kind, c.relation, c.status),
                         ("person", "consumer", "prospect"))
        self.assertIsNone(c.referrer)
        self.assertEqual(len(c.tags), 0)
        self.assertEqual(len(c.attrs), 0)

    def test_setters_write_through(self):
        c = self.db.customers.create("W")
        c.name = "Li Si"
        c.key = "W2"
        c.kind = "person"
        c.relation = "channel"
        c.status = "customer"
        c.tags.add("a")
        c.tags.add("b")
        c.tags.discard("a")
        c.tags.discard("never there")
        c.attrs["n"] = 1
        c.attrs["n"] = "now text"
        c.attrs["gone"] = 2.5
        del c.attrs["gone"]
        other = self.db.customers.by_key("W2")
        self.assertEqual((other.name, other.relation, other.status),
                         ("Li Si", "channel", "customer"))
        self.assertEqual(set(other.tags), {"b"})
        self.assertEqual(dict(other.attrs), {"n": "now text"})
        self.assertNotIn("W", self.db.customers)
        with self.assertRaises(KeyError):
            other.attrs["gone"]
        with self.assertRaises(KeyError):
            del other.attrs["gone"]
        with self.assertRaises(KeyError):
            other.tags.remove("zzz")
        c.tags = ["x", "b"]
        self.assertEqual(list(self.db.customers.get(c.id).tags), ["b", "x"])
        c.referrer = None
        c.key = None
        self.assertIsNone(self.db.customers.get(c.id).key)

    def test_batch_saves_once_and_drops_on_error(self):
        c = self.db.customers.create("B")
        watcher = self.db.customers.get(c.id)
        with c.batch():
            c.name = "batched"
            c.tags.add("t")
            # not saved yet: another handle still reads the old name
            self.assertEqual(self.db.customers.get(c.id).name, "")
        self.assertEqual(self.db.customers.get(c.id).name, "batched")
        with self.assertRaises(RuntimeError):
            with c.batch():
                c.name = "dropped"
                raise RuntimeError("changed my mind")
        self.assertEqual(c.name, "batched")
        self.assertEqual(self.db.customers.get(c.id).name, "batched")
        with c.batch():
            c.name = "explicit"
            c.save()
        watcher.reload()
        self.assertEqual(watcher.name, "explicit")

    def test_attribute_types(self):
        c = self.db.customers.create("A")
        sh = dt.datetime(2024, 5, 1, 9, 30, tzinfo=K.SHANGHAI)
        c.attrs.update({"s": "文字", "i": -(2 ** 63), "f": 1e300, "t": sh})
        self.assertEqual(c.attrs["s"], "文字")
        self.assertEqual(c.attrs["i"], -(2 ** 63))
        self.assertEqual(c.attrs["f"], 1e300)
        self.assertEqual(c.attrs["t"], sh)          # same instant
        self.assertEqual(c.attrs["t"].utcoffset(), dt.timedelta(0))
        self.assertEqual(sorted(c.attrs), ["f", "i", "s", "t"])
        self.assertIn("s", c.attrs)
        self.assertNotIn(3, c.attrs)
        for bad in (True, Decimal("1"), None, [1]):
            with self.assertRaises(TypeError):
                c.attrs["bad"] = bad
        with self.assertRaises(ValueError):
            c.attrs["naive"] = dt.datetime(2024, 1, 1)
        with self.assertRaises(kehu.InvalidArgument):
            c.attrs["nan"] = float("nan")
        self.assertNotIn("nan", c.attrs)
        self.assertIn("Attributes(", repr(c.attrs))
        self.assertIn("Tags(", repr(c.tags))
        self.assertFalse(3 in c.tags)

    def test_lookup_iterate_delete_erase(self):
        db = self.db
        ids = [db.customers.create(f"K{i}", name=f"n{i}").id
               for i in range(5)]
        self.assertEqual(db.customers.ids(), ids)
        self.assertEqual([c.id for c in db.customers], ids)
        self.assertEqual(db.customers[ids[2]].name, "n2")
        self.assertEqual(db.customers["K3"].id, ids[3])
        self.assertIn(ids[0], db.customers)
        self.assertNotIn(12345, db.customers)
        self.assertNotIn(None, db.customers)
        c = db.customers.get(ids[0])
        c.delete()
        self.assertTrue(c.closed)
        self.assertIn("closed", repr(c))
        db.customers.delete(ids[1])
        self.assertEqual(db.customers.ids(), ids[2:])
        e = db.customers.get(ids[2])
        db.record(e, "call", at=K.T0, note="secret")
        e.tags.add("private")
        e.erase()
        self.assertIsNone(e.key)
        self.assertEqual(e.name, "")
        self.assertEqual(len(e.tags), 0)
        self.assertEqual(next(e.history()).note, "")
        db.customers.erase(ids[3])
        self.assertEqual(db.customers.get(ids[3]).name, "")
        self.assertIn("Customers", repr(db.customers))

    def test_close_and_context_manager(self):
        with self.db.customers.create("CM") as c:
            self.assertFalse(c.closed)
        self.assertTrue(c.closed)
        with self.assertRaises(kehu.MisuseError):
            c.name
        c.close()   # twice is fine


class TestAccount(unittest.TestCase):
    def test_accounts(self):
        with kehu.Database() as db:
            boss = db.customers.create("BOSS", kind="organisation")
            mgr = db.customers.create("MGR")
            adv = db.customers.create("ADV")
            a = db.accounts.create(boss, name="Car for the manager",
                                   members={mgr: "user"})
            self.assertEqual(a.payer, boss.id)
            self.assertEqual(a.members, {boss.id: "payer", mgr.id: "user"})
            a.add_member(adv, "influencer")
            self.assertEqual(a.role_of(adv), "influencer")
            self.assertIsNone(a.role_of(12345))
            with self.assertRaises(kehu.ExistsError):
                a.add_member(adv, "user")
            with self.assertRaises(kehu.BusyError):
                a.remove_member(boss)
            a.remove_member(adv)
            a.payer = mgr
            a.name = "renamed"
            b = db.accounts.get(a.id)
            self.assertEqual(b.name, "renamed")
            self.assertEqual(b.payer, mgr.id)
            self.assertEqual(b.members, {boss.id: "user", mgr.id: "payer"})
            self.assertEqual(len(db.accounts), 1)
            self.assertEqual(db.accounts.ids(), [a.id])
            self.assertEqual([x.id for x in db.accounts], [a.id])
            self.assertEqual(db.accounts[a.id].id, a.id)
            db.record(mgr, "purchase", at=K.T0, amount="30000.00",
                      account=a)
            db.record(mgr, "purchase", at=K.T0, amount="1.00",
                      account=a.id)
            self.assertEqual(a.metrics(K.T0).revenue, Decimal("30001.00"))
            self.assertEqual(db.metrics(a, K.T0).orders, 2)
            self.assertIn("renamed", repr(a))
            with self.assertRaises(kehu.InvalidArgument):
                a.add_member(adv, "boss")
            a.delete()
            self.assertTrue(a.closed)
            self.assertIn("closed", repr(a))
            self.assertEqual(len(db.accounts), 0)
            c = db.accounts.create(mgr)
            db.accounts.delete(c)
            with self.assertRaises(kehu.NotFoundError):
                db.accounts.get(c.id)


class TestInteractions(unittest.TestCase):
    def test_record_every_field_and_history(self):
        with kehu.Database(utc_offset=28800) as db:
            c = db.customers.create("H")
            a = db.accounts.create(c)
            t1 = dt.datetime(2024, 3, 1, 23, 30, tzinfo=K.SHANGHAI)
            ix = db.record(c, "purchase", at=t1, amount=Decimal("199.00"),
                           cost="12.5", account=a, channel="web",
                           note="first order",
                           attrs={"sku": "X-1", "qty": 2, "w": 0.5,
                                  "ship": K.T0})
            self.assertGreater(ix.id, 0)
            self.assertEqual((ix.customer_id, ix.account_id, ix.type),
                             (c.id, a.id, "purchase"))
            self.assertEqual(ix.time, t1)
            self.assertEqual(ix.time.utcoffset(), dt.timedelta(hours=8))
            self.assertEqual(ix.amount, Decimal("199.00"))
            self.assertEqual(str(ix.cost), "12.50")
            self.assertEqual((ix.channel, ix.note), ("web", "first order"))
            self.assertIsNone(ix.satisfaction)
            self.assertEqual(ix.attrs, {"sku": "X-1", "qty": 2, "w": 0.5,
                                        "ship": K.T0})
            self.assertEqual(ix.attr_count, 4)
            fb = db.record(c.id, "feedback", at=K.at(70), satisfaction=5)
            db.record(c, 2, at=K.at(80), amount=1)    # refund by code
            with self.assertRaises(kehu.InvalidArgument):
                db.record(c, "feedback", at=K.at(81))
            with self.assertRaises(kehu.InvalidArgument):
                db.record(c, "gossip", at=K.at(81))
            with self.assertRaises(kehu.NotFoundError):
                db.record(999, "visit", at=K.at(81))
            hist = list(c.history(attrs=["sku"]))
            self.assertEqual([h.type for h in hist],
                             ["purchase", "feedback", "refund"])
            self.assertEqual(hist[0],
                             dataclasses.replace(ix, attrs={"sku": "X-1"}))
            self.assertEqual(hist[1].satisfaction, 5)
            self.assertEqual(hist[1].id, fb.id)
            self.assertEqual(hist[2].amount, Decimal("1.00"))
            part = list(c.history(K.at(70), K.at(80)))
            self.assertEqual([h.type for h in part], ["feedback"])
            self.assertEqual(part[0].attrs, {})
            gen = c.history()
            next(gen)
            gen.close()     # abandoned early: its C iterator is freed
            self.assertEqual(len(db._core.children), 2)
            with self.assertRaises(kehu.InvalidArgument):
                list(c.history(K.at(10), K.at(5)))

    def test_bulk_path(self):
        with kehu.Database() as db:
            ids = [db.customers.create().id for _ in range(3)]
            t = int(K.T0.timestamp())
            rows = [(ids[i % 3], "purchase", t + i * 86400, 1000 + i)
                    for i in range(300)]
            self.assertEqual(db.record_many(rows), 300)
            m = db.metrics(ids[0], K.at(400))
            self.assertEqual(m.orders, 100)
            self.assertEqual(m.sales, Decimal(sum(1000 + i for i in
                                                  range(0, 300, 3))) / 100)
            with self.assertRaises(kehu.NotFoundError):
                db.record_many([(ids[0], "visit", t, 0),
                                (999, "visit", t, 0)])
            self.assertEqual(db.metrics(ids[0], K.at(400)).interactions,
                             100)   # the failed batch left nothing

    def test_columns(self):
        import array
        with kehu.Database() as db:
            ids = [db.customers.create().id for _ in range(2)]
            t = int(K.T0.timestamp())
            n = 1000
            cids = array.array("q", (ids[i % 2] for i in range(n)))
            types = array.array("i", [1] * n)          # purchases
            times = array.array("q", (t + 3600 * i for i in range(n)))
            amounts = array.array("q", (100 + i for i in range(n)))
            costs = [7] * n                              # a plain list
            self.assertEqual(db.record_columns(cids, types, times, amounts,
                                               costs), n)
            m = db.metrics(ids[1], K.at(400))
            self.assertEqual(m.orders, n // 2)
            self.assertEqual(m.sales, Decimal(sum(100 + i for i in
                                                  range(1, n, 2))) / 100)
            self.assertEqual(m.cost, Decimal(7 * n // 2) / 100)
            amounts[500] = -1
            with self.assertRaises(kehu.InvalidArgument) as cm:
                db.record_columns(cids, types, times, amounts)
            self.assertIn("row 500", str(cm.exception))
            with self.assertRaises(ValueError):
                db.record_columns(cids, types[:10], times)
            with self.assertRaises(TypeError):
                db.record_columns(["x"], [1], [t])
            self.assertEqual(db.metrics(ids[1], K.at(400)).orders, n // 2)


class TestRoundTrips(unittest.TestCase):
    def test_money_exponents(self):
        for exp, amount, minor in ((2, "199.99", 19999), (0, "5", 5),
                                   (3, "0.001", 1), (6, "1.234567",
                                                     1234567)):
            with kehu.Database(currency_exponent=exp) as db:
                c = db.customers.create()
                ix = db.record(c, "purchase", at=K.T0,
                               amount=Decimal(amount))
                self.assertEqual(ix.amount, Decimal(amount))
                self.assertEqual(ix.amount.as_tuple().exponent, -exp)
                self.assertEqual(kehu._convert.money_to_minor(
                    ix.amount, exp), minor)
                self.assertEqual(c.metrics(K.T0).revenue, Decimal(amount))
        with kehu.Database() as db:
            c = db.customers.create()
            for v in ("0.10", "0.10", "0.10"):
                db.record(c, "purchase", at=K.T0, amount=v)
            self.assertEqual(c.metrics(K.T0).sales, Decimal("0.30"))
            self.assertEqual(db.record(c, "purchase", at=K.T0,
                                       amount=7).amount, Decimal("7.00"))
            with self.assertRaises(TypeError):
                db.record(c, "purchase", at=K.T0, amount=0.1)
            with self.assertRaises(ValueError):
                db.record(c, "purchase", at=K.T0, amount=Decimal("0.001"))
            with self.assertRaises(ValueError):
                db.record(c, "purchase", at=K.T0, amount="abc")
            with self.assertRaises(ValueError):
                db.record(c, "purchase", at=K.T0, amount=Decimal("NaN"))
            with self.assertRaises(OverflowError):
                db.record(c, "purchase", at=K.T0, amount=Decimal("1e30"))
            with self.assertRaises(kehu.InvalidArgument):
                db.record(c, "purchase", at=K.T0, amount=-1)

    def test_time_zones_and_offset(self):
        # 2024-03-02 01:00 +08 is 2024-03-01 17:00 UTC: the same day as a
        # purchase at 12:00 UTC for a UTC db, the next day for a Shanghai
        # db.  Days turn at the db's offset.
        t_late = dt.datetime(2024, 3, 2, 1, 0, tzinfo=K.SHANGHAI)
        for offset, same_day in ((28800, False), (0, True)):
            with kehu.Database(utc_offset=offset) as db:
                c = db.customers.create()
                db.record(c, "purchase", at=dt.datetime(
                    2024, 3, 1, 12, 0, tzinfo=K.UTC), amount=1)
                db.record(c, "purchase", at=t_late, amount=1)
                m = c.metrics(t_late)
                self.assertEqual(m.purchases, 1 if same_day else 2)
                self.assertEqual(m.last_purchase, t_late)
                self.assertEqual(m.last_purchase.utcoffset(),
                                 dt.timedelta(seconds=offset))
                self.assertEqual(m.now, t_late)
        with kehu.Database(utc_offset=-18000) as db:
            c = db.customers.create()
            ny = dt.timezone(dt.timedelta(hours=-5))
            when = dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=ny)
            ix = db.record(c, "visit", at=when)
            self.assertEqual(ix.time, when)
            self.assertEqual(ix.time.tzinfo.utcoffset(None),
                             dt.timedelta(hours=-5))
            self.assertEqual(ix.time.isoformat(),
                             "1999-12-31T23:59:59-05:00")
            # a date is noon of that local day; an int is epoch seconds
            d = db.record(c, "visit", at=dt.date(2000, 1, 1))
            self.assertEqual(d.time.isoformat(), "2000-01-01T12:00:00-05:00")
            e = db.record(c, "visit", at=946684800)
            self.assertEqual(e.time, dt.datetime(2000, 1, 1, tzinfo=K.UTC))
            with self.assertRaises(ValueError):
                db.record(c, "visit", at=dt.datetime(2000, 1, 1))
            with self.assertRaises(TypeError):
                db.record(c, "visit", at="2000-01-01")
            with self.assertRaises(kehu.InvalidArgument):
                db.record(c, "visit", at=dt.datetime(1969, 12, 31,
                                                     tzinfo=K.UTC))

    def test_metrics_fields(self):
        with kehu.Database() as db:
            c = db.customers.create()
            m0 = c.metrics(K.T0)
            self.assertIsNone(m0.first_purchase)
            self.assertIsNone(m0.days_since_last_purchase)
            self.assertEqual(m0.revenue, Decimal("0.00"))
            db.record(c, "purchase", at=K.at(0), amount="100.00",
                      cost="10.00")
            db.record(c, "purchase", at=K.at(40), amount="50.00")
            db.record(c, "refund", at=K.at(41), amount="20.00")
            db.record(c, "complaint", at=K.at(42), satisfaction=2)
            db.record(c, "referral", at=K.at(43))
            m = c.metrics(K.at(50))
            self.assertEqual((m.orders, m.purchases, m.interactions),
                             (2, 2, 5))
            self.assertEqual((m.sales, m.refunds, m.revenue, m.cost,
                              m.margin), (Decimal("150.00"),
                                          Decimal("20.00"),
                                          Decimal("130.00"),
                                          Decimal("10.00"),
                                          Decimal("120.00")))
            self.assertEqual(m.average_order_value, 75.0)
            self.assertEqual((m.complaints, m.referrals), (1, 1))
            self.assertEqual(m.last_satisfaction, 2)
            self.assertEqual(m.average_satisfaction, 2.0)
            self.assertEqual(m.months_active, 2)
            self.assertEqual(m.days_since_first_purchase, 50)
            self.assertEqual(m.days_since_last_purchase, 10)
            self.assertEqual(m.days_since_last_contact, 7)
            self.assertEqual(m.revenue_30d, Decimal("30.00"))
            self.assertEqual(m.revenue_365d, Decimal("130.00"))
            self.assertEqual((m.purchases_30d, m.purchases_90d,
                              m.purchases_365d), (1, 2, 2))
            self.assertEqual(m.complaints_90d, 1)
            self.assertEqual(m.first_purchase, K.T0)


if __name__ == "__main__":
    K.main()
