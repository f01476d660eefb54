#!/usr/bin/env python3
"""An independent reader of Metro 2 character files (426-byte base), written from the public
layout without Relais's code: walks the records by Record Descriptor Word, counts statuses,
segments, SINs, dates of birth and phones, and compares each count with the Trailer.
Usage: metro2_totals.py FILE   (exit 1 on any mismatch)"""
import sys

SEGMENTS = {b"J1": 100, b"J2": 200, b"K1": 34, b"K2": 34, b"K3": 40, b"K4": 30, b"L1": 54, b"N1": 146}


def main(path):
    data = open(path, "rb").read()
    pos, counts, trailer = 0, {}, None

    def add(key, n=1):
        counts[key] = counts.get(key, 0) + n

    while pos < len(data):
        while pos < len(data) and data[pos] in b"\r\n":
            pos += 1
        if pos >= len(data):
            break
        length = int(data[pos:pos + 4])
        record = data[pos:pos + length]
        pos += length
        if record[4:10] == b"HEADER":
            continue
        if record[4:11] == b"TRAILER":
            trailer = record
            continue
        add("base")
        add("status " + record[123:125].decode())
        if record[297:306] != b"0" * 9:
            add("sin base")
        if record[306:314] != b"0" * 8:
            add("dob base")
        if record[314:324] != b"0" * 10:
            add("phones")
        at = 426
        while at < length:
            sid = record[at:at + 2]
            seg = record[at:at + SEGMENTS[sid]]
            add(sid.decode())
            if sid in (b"J1", b"J2"):
                tag = sid.decode()
                if seg[69:78] != b"0" * 9:
                    add("sin " + tag)
                if seg[78:86] != b"0" * 8:
                    add("dob " + tag)
                if seg[86:96] != b"0" * 10:
                    add("phones")
            at += SEGMENTS[sid]
    expected = {
        (12, 20): counts.get("base", 0), (39, 47): counts.get("J1", 0), (48, 56): counts.get("J2", 0),
        (66, 74): counts.get("status DA", 0), (111, 119): counts.get("status 62", 0),
        (219, 227): counts.get("status 93", 0), (282, 290): counts.get("K1", 0),
        (327, 335): sum(counts.get("sin " + k, 0) for k in ("base", "J1", "J2")),
        (336, 344): counts.get("sin base", 0), (345, 353): counts.get("sin J1", 0),
        (354, 362): counts.get("sin J2", 0),
        (363, 371): sum(counts.get("dob " + k, 0) for k in ("base", "J1", "J2")),
        (372, 380): counts.get("dob base", 0), (381, 389): counts.get("dob J1", 0),
        (390, 398): counts.get("dob J2", 0), (399, 407): counts.get("phones", 0),
    }
    bad = 0
    for (start, end), value in sorted(expected.items()):
        given = int(trailer[start - 1:end])
        if given != value:
            print(f"trailer {start}-{end}: says {given}, counted {value}")
            bad += 1
    print(f"{path}: {counts.get('base', 0)} base records, {len(expected) - bad}/{len(expected)} trailer totals match")
    return 1 if bad else 0


sys.exit(main(sys.argv[1]))
