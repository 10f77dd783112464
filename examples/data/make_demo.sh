#!/bin/sh
# Regenerates the `kehu demo` data from CDNOW's 1/10th sample (see
# ../../../shared/data/README.md): the purchases of its first 1,000
# customers (sample ids 1..1000), plus made-up customer master data and
# made-up complaints, feedback, refunds, referrals, marketing touches
# and prospects, all derived deterministically from the customer ids.
#   examples/data/make_demo.sh [CDNOW_sample.txt]
set -eu
cd "$(dirname "$0")"
src=${1:-../../../shared/data/CDNOW_sample.txt}
tr -d '\r' <"$src" | awk -v cust=demo_customers.csv \
	-v ix=demo_interactions.csv '
function days(d,   y, m, dd, era, yoe, doy) {
	y = int(d / 10000); m = int(d / 100) % 100; dd = d % 100
	if (m <= 2) y--
	era = int(y / 400); yoe = y - era * 400
	doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + dd - 1
	return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468
}
function iso(z,   era, doe, yoe, doy, mp, d, m, y) {
	z += 719468; era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9; y = yoe + era * 400 + (m <= 2)
	return sprintf("%04d-%02d-%02d", y, m, d)
}
function h(a, b) { return (a * 7919 + b * 104729 + 13) % 1000 }
function cents(c) { return sprintf("%d.%02d", int(c / 100), c % 100) }
BEGIN {
	nf = split("Li Wang Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin", fam, " ")
	ng = split("Wei Fang Na Min Jing Lei Yan Jie Tao Ming Hui Xin Yu Ting Hao Qiang", giv, " ")
	nc = split("Shanghai Beijing Shenzhen Hangzhou Chengdu Suzhou Wuhan Nanjing", city, " ")
	split("Trading Supplies Electronics Foods Textiles Logistics", trade, " ")
	end = days(19980630)
	print "customer,date,type,amount,cost,channel,satisfaction" > ix
	print "key,name,kind,relation,tags,city,segment:string,credit_limit:int,share_of_wallet,upcoming_volume,since,intent" > cust
}
$2 + 0 <= 1000 {
	id = $1 + 0; key = sprintf("CD%05d", id); day = days($3)
	amt = $5 * 100 + 0.5; amt = int(amt); cost = int(amt * 0.62)
	ch = h(id, day) % 10 < 8 ? "web" : "phone"
	print key "," iso(day) ",purchase," cents(amt) "," cents(cost) "," ch "," > ix
	n = ++count[key]
	if (!(key in first)) { first[key] = day; order[++nkeys] = key; idof[key] = id }
	# made-up service history around some purchases
	r = h(id, day)
	if (r % 19 == 0 && day + 3 <= end)
		print key "," iso(day + 3) ",complaint,,5.00,phone," (1 + r % 2) > ix
	else if (r % 7 == 1 && day + 5 <= end)
		print key "," iso(day + 5) ",feedback,,,web," (3 + r % 3) > ix
	if (r % 41 == 3 && day + 10 <= end)
		print key "," iso(day + 10) ",refund," cents(int(amt / 2)) ",,web," > ix
	if (r % 29 == 5 && day + 20 <= end)
		print key "," iso(day + 20) ",referral,,,web," > ix
	if (n == 1 && r % 3 == 0 && day + 45 <= end)
		print key "," iso(day + 45) ",marketing,,0.40,email," > ix
}
END {
	for (i = 1; i <= nkeys; i++) {
		key = order[i]; id = idof[key]; r = h(id, 1)
		org = r % 10 == 0
		if (org) {
			name = city[1 + r % nc] " " fam[1 + r % nf] " " trade[1 + r % 6] " Co."
			kind = "organisation"; rel = "business"; tags = "wholesale"
			sow = sprintf("%.2f", (r % 90 + 5) / 100)
			vol = (r % 7) * 2500
			seg = "B2B"; limit = 2000000 + (r % 5) * 1000000
		} else {
			name = fam[1 + r % nf] " " giv[1 + int(r / 7) % ng]
			kind = "person"; rel = "consumer"; tags = ""
			sow = ""; vol = ""
			seg = r % 4 == 0 ? "student" : "retail"; limit = 50000
		}
		if (r % 6 == 0) tags = tags (tags == "" ? "" : ";") "newsletter"
		if (r % 97 == 0) tags = tags (tags == "" ? "" : ";") "vip"
		print key ",\"" name "\"," kind "," rel "," tags "," city[1 + int(r / 3) % nc] "," seg "," limit "," sow "," vol "," iso(first[key] - 1 - r % 60) "," > cust
	}
	# prospects: master data and a few contacts, no purchase yet
	for (p = 1; p <= 40; p++) {
		key = sprintf("P%04d", p); r = h(p, 99)
		print key ",\"" fam[1 + r % nf] " " giv[1 + int(r / 5) % ng] "\",person,consumer,lead,"  city[1 + r % nc] ",prospect,0,,," iso(end - 60 - r % 90) "," r % 11 > cust
		for (k = 0; k <= r % 4; k++)
			print key "," iso(end - (r + 17 * k) % 75) "," (k % 2 ? "call" : "visit") ",,,store," > ix
	}
}'
echo "wrote demo_customers.csv ($(($(wc -l <demo_customers.csv) - 1)) customers) and demo_interactions.csv ($(($(wc -l <demo_interactions.csv) - 1)) interactions)"
