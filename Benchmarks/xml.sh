#!/bin/sh
# XML intake against CSV intake: the same assignments, 500,000 of them by default, written
# once in Relais's XML format and once as CSV, each ingested by the release build into a
# fresh case store. Prints rows per second and peak memory for each, and the XML peak for a
# tenth of the file, to show that memory does not grow with the file.
#
#   Benchmarks/xml.sh [COUNT]
#
# Target: XML at least half the CSV rate; XML peak memory about the same at COUNT/10 and COUNT.
# The machine is shared, so wall-clock rates vary from run to run; the CPU-second rate is the
# steadier comparison.
set -eu
cd "$(dirname "$0")/.."
count="${1:-500000}"
work="$(mktemp -d /tmp/relais-xml-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

swift build -c release --product relais >/dev/null
relais="$(swift build -c release --show-bin-path)/relais"

python3 - "$work" "$count" "$PWD/Config/relais-assignment.xsd" <<'PY'
import json, sys
work, count, schema = sys.argv[1], int(sys.argv[2]), sys.argv[3]
first = ["Gisèle", "Jean", "Marie-Ève", "Luc", "Amélie", "Kevin", "Nadia", "Éric"]
last = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie"]
cities = [("Québec", "G1R 2B5"), ("Montréal", "H2X 1Y4"), ("Lévis", "G6V 6N9"), ("Gatineau", "J8X 3X7")]

def rows(n):
    for i in range(n):
        city, postal = cities[i % 4]
        yield {
            "clientReference": "C%09d" % i,
            "firstName": first[i % 8], "lastName": last[(i // 8) % 8],
            "amount": "%d.%02d" % (50 + i % 9000, i % 100),
            "addressLine1": "%d, rue des Érables" % (1 + i % 2000),
            "city": city, "province": "QC", "postalCode": postal,
            "phoneHome": "418 555-%04d" % (i % 10000), "language": "fr" if i % 3 else "en",
            "firstDelinquencyDate": "2024-%02d-%02d" % (1 + i % 12, 1 + i % 28),
        }

def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;")

def write(name, n):
    with open(f"{work}/{name}.xml", "w", encoding="utf-8") as x:
        x.write('<?xml version="1.0" encoding="UTF-8"?>\n<assignments xmlns="urn:relais:assignment:1" version="1">\n')
        for row in rows(n):
            x.write("<assignment>")
            x.write("".join(f"<{k}>{escape(v)}</{k}>" for k, v in row.items()))
            x.write("</assignment>\n")
        x.write("</assignments>\n")
    with open(f"{work}/{name}.csv", "w", encoding="utf-8") as c:
        keys = list(next(rows(1)).keys())
        c.write(",".join(keys) + "\n")
        for row in rows(n):
            c.write(",".join('"%s"' % row[k] if "," in row[k] else row[k] for k in keys) + "\n")

write("full", count)
write("tenth", max(1, count // 10))
for run in ("xml", "csv", "tenth"):
    with open(f"{work}/{run}.json", "w") as f:
        json.dump({"store": f"{run}.sqlite", "inbox": "inbox", "archive": f"archive-{run}", "outbox": "outbox",
                   "xmlSchema": schema, "clients": [{"id": "bench", "name": "Bench"}]}, f)
PY

# One child per measurement, so that each peak is that child's alone.
measure() {
    python3 - "$relais" "$work" "$1" "$2" "$3" <<'PY'
import json, resource, subprocess, sys, time
relais, work, label, config, path = sys.argv[1:]
start = time.monotonic()
done = subprocess.run([relais, "ingest", "--config", f"{work}/{config}.json", "--client", "bench",
                       "--channel", "drop", path], capture_output=True, text=True)
elapsed = time.monotonic() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak = usage.ru_maxrss / 1024
cpu = usage.ru_utime + usage.ru_stime
result = json.loads(done.stdout.strip().splitlines()[-1])
if result["status"] != "ingested":
    sys.exit(f"{label}: {result['status']}: {result['reason']}")
rows = result["accepted"] + result["rejected"] + result["duplicates"]
print(f"{label:<12} {rows:>8} rows  {elapsed:7.2f} s  {rows / elapsed:8.0f} rows/s  "
      f"cpu {cpu:6.2f} s  {rows / cpu:8.0f} rows/cpu-s  peak {peak:6.1f} MiB")
PY
}

echo "relais ingest, release build, $count assignments"
measure "csv" csv "$work/full.csv"
measure "xml" xml "$work/full.xml"
measure "xml (1/10)" tenth "$work/tenth.xml"

# Hostile documents: each must be refused within a second, the reason saying why.
printf '<!ENTITY leak SYSTEM "file://%s/secret.txt">' "$work" > "$work/evil.dtd"
echo "SECRET-CONTENT" > "$work/secret.txt"
printf '<?xml version="1.0"?>\n<!DOCTYPE assignments [<!ENTITY leak SYSTEM "file://%s/secret.txt">]>\n<assignments xmlns="urn:relais:assignment:1"><assignment><clientReference>X</clientReference><debtorName>&leak;</debtorName><amount>1</amount></assignment></assignments>\n' "$work" > "$work/external-entity.xml"
printf '<?xml version="1.0"?>\n<!DOCTYPE assignments SYSTEM "http://127.0.0.1:9/evil.dtd">\n<assignments xmlns="urn:relais:assignment:1"/>\n' > "$work/remote-dtd.xml"
cp Tests/RelaisTests/Fixtures/xml/billion-laughs.xml "$work/billion-laughs.xml"
for hostile in external-entity remote-dtd billion-laughs; do
    python3 - "$relais" "$work" "$hostile" <<'PY'
import json, subprocess, sys, time
relais, work, name = sys.argv[1:]
start = time.monotonic()
done = subprocess.run([relais, "ingest", "--config", f"{work}/tenth.json", "--client", "bench", "--channel", "drop",
                       f"{work}/{name}.xml"], capture_output=True, text=True)
elapsed = time.monotonic() - start
result = json.loads(done.stdout.strip().splitlines()[-1])
print(f"{name:<16} {result['status']:<9} {elapsed:5.3f} s  {result['reason']}")
PY
done
ls -l "$work"/full.csv "$work"/full.xml | awk '{ printf "%s  %d MiB\n", $NF, $5 / 1048576 }'
