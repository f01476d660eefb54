#!/bin/sh
# Builds a case store of N consumer cases (default 1,000,000) straight through the sqlite3 shell,
# writes one month of the Equifax feed with the release build, and prints records per second
# and peak memory. It then does the same with N/10 cases: memory should not grow with N.
#
# Usage: Benchmarks/bureau.sh [N]        (needs sqlite3 and /usr/bin/time)
# Target: at least 100,000 records per second, peak memory flat.
set -eu
cd "$(dirname "$0")/.."
N=${1:-1000000}
WORK=Benchmarks/work/bureau
swift build -c release >/dev/null
RELAIS=.build/release/relais

run() {
    count=$1
    dir=$WORK/$count
    rm -rf "$dir"
    mkdir -p "$dir"
    cat >"$dir/relais.json" <<EOF
{ "store": "store.sqlite", "inbox": "inbox", "archive": "archive", "outbox": "outbox",
  "clients": [ { "id": "bench", "name": "Banque d'essai" } ],
  "bureaus": { "reporterAddress": "1 rue Principale, Montreal QC H2X 1Y4",
    "equifax": { "identificationNumber": "BENCH0001", "outbox": "bureaus", "waitingDays": 30 } } }
EOF
    # Opens the store once so that the schema exists, then fills it in one transaction.
    $RELAIS inventory --config "$dir/relais.json" --client bench >/dev/null
    sqlite3 "$dir/store.sqlite" <<EOF
PRAGMA synchronous = OFF;
BEGIN;
INSERT INTO files (id, client_id, source, channel, name, size, sha256, received_at, outcome, original_path)
VALUES (1, 'bench', 'benchmark', 'drop', 'bench.csv', 0, '', '2025-01-01T00:00:00Z', 'ingested', '/dev/null');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $count)
INSERT INTO cases (id, client_id, client_ref, kind, opened_on, assigned_cents, balance_cents, status,
    sub_status, original_creditor, creditor_classification, first_delinquency_date, file_id, file_line)
SELECT i, 'bench', 'R-' || i, 'consumer', date('2025-01-01', '+' || (i % 330) || ' days'),
    10000 + (i * 7919) % 900000, 10000 + (i * 7919) % 900000, 'active', 'contact',
    CASE i % 3 WHEN 0 THEN 'Banque Laurentienne' WHEN 1 THEN 'Hydro-Québec' ELSE NULL END,
    CASE i % 3 WHEN 0 THEN '12' WHEN 1 THEN '10' ELSE '01' END,
    date('2024-12-31', '-' || (i % 1500) || ' days'), 1, i
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $count)
INSERT INTO debtors (case_id, role, name_as_given, first_name, last_name, address_line1, city, province,
    postal_code, country, phone_home, birth_date, sin)
SELECT i, 'debtor', 'x', CASE i % 4 WHEN 0 THEN 'Hélène' WHEN 1 THEN 'Jean' WHEN 2 THEN 'Marie-Ève' ELSE 'Luc' END,
    CASE i % 5 WHEN 0 THEN 'Côté' WHEN 1 THEN 'Tremblay' WHEN 2 THEN 'Bouchard-Lévesque-Tremblay de la Montagne'
        WHEN 3 THEN 'Gagnon' ELSE 'O''Brien' END,
    (i % 9000 + 1) || ' rue de l''Église', 'Montréal', 'QC', 'H2X 1Y4', 'CA',
    CASE WHEN i % 2 = 0 THEN '514555' || printf('%04d', i % 10000) END,
    date('1950-01-01', '+' || (i % 18000) || ' days'),
    CASE i % 4 WHEN 0 THEN '046454286' WHEN 1 THEN '130692544' WHEN 2 THEN '193456787' ELSE NULL END
FROM n;
-- One case in ten has a co-debtor: half at the same address (J1), half elsewhere (J2).
WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 10 FROM n WHERE i + 10 <= $count)
INSERT INTO debtors (case_id, role, name_as_given, first_name, last_name, address_line1, city, province,
    postal_code, country, birth_date)
SELECT i, 'co-debtor', 'x', 'Paul', 'Côté',
    CASE WHEN i % 20 = 0 THEN (i % 9000 + 1) || ' rue de l''Église' ELSE '88 Main Street' END,
    CASE WHEN i % 20 = 0 THEN 'Montréal' ELSE 'Ottawa' END, CASE WHEN i % 20 = 0 THEN 'QC' ELSE 'ON' END,
    CASE WHEN i % 20 = 0 THEN 'H2X 1Y4' ELSE 'K1A 0B1' END, 'CA', '1955-05-05'
FROM n;
-- One case in ten paid something during the month.
WITH RECURSIVE n(i) AS (SELECT 7 UNION ALL SELECT i + 10 FROM n WHERE i + 10 <= $count)
INSERT INTO transactions (case_id, on_date, kind, amount_cents, source, recorded_at)
SELECT i, '2026-01-15', 'payment', 5000, 'benchmark', '2026-01-15T12:00:00Z' FROM n;
UPDATE cases SET balance_cents = balance_cents - 5000, recovered_cents = 5000 WHERE id % 10 = 7;
COMMIT;
EOF
    /usr/bin/time -f "%e %U %S %M" -o "$dir/time" \
        $RELAIS bureau --config "$dir/relais.json" --bureau equifax --month 2026-01 --out "$dir/equifax.m2" \
        >"$dir/summary"
    records=$(head -1 "$dir/summary" | sed 's/.*: \([0-9]*\) reported.*/\1/')
    read -r elapsed user system peak <"$dir/time"
    # Wall clock counts what other processes take from the two cores; CPU time does not.
    printf '%8d cases: %8d records in %6.2f s = %7d records/s (CPU %6.2f s = %7d records/s), peak memory %6d KB, file %d bytes\n' \
        "$count" "$records" "$elapsed" "$(echo "$records / $elapsed" | bc)" "$(echo "$user + $system" | bc)" \
        "$(echo "$records / ($user + $system)" | bc)" "$peak" "$(stat -c %s "$dir/equifax.m2")"
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$dir/check-kb" $RELAIS bureau check "$dir/equifax.m2" | tail -1 >"$dir/check"
    end=$(date +%s.%N)
    printf '          check: %s in %.2f s, peak memory %d KB\n' "$(sed 's/.*: //' "$dir/check")" \
        "$(echo "$end - $start" | bc -l)" "$(cat "$dir/check-kb")"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run $((N / 10))
# A reader written apart from Relais recounts the smaller file's trailer totals.
python3 Benchmarks/metro2_totals.py "$WORK/$((N / 10))/equifax.m2"
run "$N"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
