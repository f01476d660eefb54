"""Prints the JSON lines of `relais ingest` as a short account a person reads."""
import json
import sys

for line in sys.stdin:
    r = json.loads(line)
    print(f"   status {r['status']}: {r['accepted']} cases opened, {r.get('updates', 0)} updates applied, "
          f"{r['duplicates']} duplicates, {r['rejected']} rows rejected, {r.get('inReview', 0)} rows in review")
    for d in r["duplicateRows"]:
        print(f"   line {d['line']}: duplicate of our open case {d['ourRef']} ({d['clientRef']})")
    for x in r["rejects"]:
        print(f"   line {x['line']}, field {x['field']}: {x['reason']}")
    if r.get("unusedColumns"):
        print(f"   columns not used: {', '.join(r['unusedColumns'])}")
    if r["reason"]:
        print(f"   reason: {r['reason']}")
    total = r.get("controlTotal")
    if total:
        print(f"   printed total {total['printedCents'] / 100:.2f}, rows total "
              f"{total['computedCents'] / 100:.2f}, matches: {total['matches']}")
    if r["acknowledgement"]:
        print(f"   acknowledgement: {r['acknowledgement']}")
    if r["rejectReport"]:
        print(f"   reject report: {r['rejectReport']}")
