#!/usr/bin/env python3
"""Measures one creditor file ingested three ways and prints the figures side by side:
`relais ingest` into a fresh case store, the plain Python loader (python_loader.py), and the
sqlite3 shell's `.import`. Called by Benchmarks/run, which builds Relais first and removes
the work folder afterwards.

Each loader runs as its own child under GNU time (/usr/bin/time), which reports the child's
peak resident memory (ru_maxrss from wait4). Python's own wait4 would report at least the
parent's size instead: on Linux a child that execs keeps the high-water mark of the process
it was forked from, and a Python parent is ten times the size of the sqlite3 shell.
Rates are wall-clock: from the child's start to its exit, files already in the page cache.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TIME = "/usr/bin/time"
MIB = 1024 * 1024

TARGET_RATIO = 3.0
TARGET_PEAK_MIB = 64.0
# "The same at 100,000 rows as at 1,000,000": peak memory may differ by this share at most.
FLAT_TOLERANCE = 0.10

RELAIS_CONFIGURATION = {
    "store": "store/relais.sqlite",
    "inbox": "inbox",
    "archive": "archive",
    "rejected": "rejected",
    "outbox": "outbox",
    "clients": [{"id": "bench", "name": "Banque d'essai (benchmark)", "language": "fr"}],
}


class Measurement:
    def __init__(self, seconds, peak_kib, cpu_seconds, rows):
        self.seconds = seconds
        self.peak_mib = peak_kib * 1024 / MIB
        self.cpu_seconds = cpu_seconds
        self.rows = rows

    @property
    def rate(self):
        return self.rows / self.seconds


def measured(argv, folder, stdin=None):
    """Runs argv under GNU time in folder; returns (seconds, peak KiB, cpu seconds, stdout)."""
    report = os.path.join(folder, "time.out")
    started = time.monotonic()
    # Its own process group, so that an interrupted run stops the loader too, not only time.
    child = subprocess.Popen([TIME, "-o", report, "-f", "%M %U %S", *argv], cwd=folder, stdin=stdin,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    try:
        stdout, stderr = child.communicate()
    except BaseException:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        raise
    seconds = time.monotonic() - started
    if child.returncode != 0:
        sys.exit(f"benchmark: {' '.join(argv)} failed with exit code {child.returncode}:\n"
                 f"{stderr.strip()}")
    with open(report) as lines:
        peak, user, system = lines.read().split()[-3:]
    return seconds, int(peak), float(user) + float(system), stdout


def fresh_folder(work, name):
    folder = os.path.join(work, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


def run_relais(relais, csv_path, rows, work):
    folder = fresh_folder(work, "relais")
    with open(os.path.join(folder, "relais.json"), "w") as out:
        json.dump(RELAIS_CONFIGURATION, out, ensure_ascii=False, indent=2)
    seconds, peak, cpu, output = measured(
        [relais, "ingest", "--config", "relais.json", "--client", "bench", "--channel", "drop",
         csv_path],
        folder)
    result = json.loads(output.splitlines()[0])
    if result["status"] != "ingested" or result["accepted"] != rows or result["rejected"]:
        sys.exit(f"benchmark: relais did not take every row of {csv_path}: "
                 f"status {result['status']}, accepted {result['accepted']}, "
                 f"duplicates {result['duplicates']}, rejected {result['rejected']}; "
                 f"first rejects: {result['rejects'][:3]}")
    shutil.rmtree(folder)
    return Measurement(seconds, peak, cpu, rows)


def run_python(csv_path, rows, work):
    folder = fresh_folder(work, "python")
    seconds, peak, cpu, output = measured(
        [sys.executable, os.path.join(HERE, "python_loader.py"), csv_path, "loaded.sqlite"], folder)
    if int(output.strip()) != rows:
        sys.exit(f"benchmark: the Python loader inserted {output.strip()} rows, not {rows}")
    shutil.rmtree(folder)
    return Measurement(seconds, peak, cpu, rows)


def run_sqlite_import(csv_path, rows, work):
    folder = fresh_folder(work, "sqlite3")
    script = os.path.join(folder, "import.sql")
    with open(script, "w") as out:
        # .mode csv resets the separator, so the separator comes after it.
        out.write(f".mode csv\n.separator ;\n.import '{csv_path}' assignments\n")
    with open(script) as stdin:
        seconds, peak, cpu, _ = measured(["sqlite3", "-batch", "loaded.sqlite"], folder,
                                         stdin=stdin)
    count = subprocess.run(["sqlite3", "loaded.sqlite", "SELECT count(*) FROM assignments"],
                           cwd=folder, check=True, capture_output=True, text=True).stdout.strip()
    if int(count) != rows:
        sys.exit(f"benchmark: sqlite3 .import loaded {count} rows, not {rows}")
    shutil.rmtree(folder)
    return Measurement(seconds, peak, cpu, rows)


def make_file(rows, work):
    path = os.path.join(work, f"assignments-{rows}.csv")
    started = time.monotonic()
    generator = os.path.join(HERE, "make_creditor_file.py")
    subprocess.run([sys.executable, generator, str(rows), path], check=True)
    size = os.path.getsize(path) / MIB
    print(f"  made {os.path.basename(path)}: {rows:,} rows, {size:.0f} MiB "
          f"in {time.monotonic() - started:.1f} s", flush=True)
    return path


LOADERS = [
    ("relais ingest", "relais"),
    ("python csv+sqlite3", "python"),
    ("sqlite3 .import", "sqlite3"),
]


def print_table(sizes, results):
    cell = "{:>10} {:>9} {:>7}"
    head = "  ".join(f"{f'{rows:,} rows':^28}" for rows in sizes)
    print()
    print(f"{'':<20}  {head}")
    print(f"{'loader':<20}  " + "  ".join(cell.format("rows/s", "peak MiB", "s") for _ in sizes))
    for label, key in LOADERS:
        cells = []
        for rows in sizes:
            m = results[rows][key]
            cells.append(cell.format(f"{m.rate:,.0f}", f"{m.peak_mib:.1f}", f"{m.seconds:.2f}"))
        print(f"{label:<20}  " + "  ".join(cells))
    ratios = []
    for rows in sizes:
        ratio = results[rows]["relais"].rate / results[rows]["python"].rate
        ratios.append(f"{f'{ratio:.2f}x':>10} {'':>9} {'':>7}")
    print(f"{'relais / python':<20}  " + "  ".join(ratios))


def print_contention(sizes, results):
    """Says when a loader spent much of its wall-clock time off the CPU: other work on the
    machine, or waits on the disk (fsync), made its rate lower than the code alone would."""
    notes = []
    for rows in sizes:
        for label, key in LOADERS:
            m = results[rows][key]
            share = m.cpu_seconds / m.seconds
            if m.seconds >= 1 and share < 0.8:
                notes.append(f"{label} at {rows:,} rows was on the CPU {share:.0%} of its time")
    if notes:
        print()
        print(f"Note: load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
              f"a busy machine or disk lowers the rates of:")
        for note in notes:
            print(f"  {note}")


def print_targets(sizes, results):
    def verdict(ok):
        return "met" if ok else "MISSED"

    print()
    print("Targets")
    all_met = True
    for rows in sizes:
        ratio = results[rows]["relais"].rate / results[rows]["python"].rate
        ok = ratio >= TARGET_RATIO
        all_met &= ok
        print(f"  rate >= {TARGET_RATIO:.0f}x the Python loader at {rows:,} rows: "
              f"{ratio:.2f}x  {verdict(ok)}")
    for rows in sizes:
        peak = results[rows]["relais"].peak_mib
        ok = peak < TARGET_PEAK_MIB
        all_met &= ok
        print(f"  peak memory < {TARGET_PEAK_MIB:.0f} MiB at {rows:,} rows: {peak:.1f} MiB  "
              f"{verdict(ok)}")
    if len(sizes) >= 2:
        small, large = results[sizes[0]]["relais"].peak_mib, results[sizes[-1]]["relais"].peak_mib
        growth = (large - small) / small
        ok = abs(growth) <= FLAT_TOLERANCE
        all_met &= ok
        print(f"  peak memory flat from {sizes[0]:,} to {sizes[-1]:,} rows (within "
              f"{FLAT_TOLERANCE:.0%}): {small:.1f} -> {large:.1f} MiB ({growth:+.1%})  "
              f"{verdict(ok)}")
    return all_met


def main():
    # Stopped by the run script: unwind, so that the loader in hand is stopped with us.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relais", required=True, help="the relais executable")
    parser.add_argument("--work", required=True, help="an empty folder for the files and stores")
    parser.add_argument("--rows", default="100000,1000000", help="file sizes, comma-separated")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 3 when a target is missed")
    arguments = parser.parse_args()
    sizes = sorted(int(n) for n in arguments.rows.split(","))
    relais = os.path.abspath(arguments.relais)
    work = os.path.abspath(arguments.work)

    print(f"Load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          f"(above 1, other work shares the machine and the rates are lower).")
    results = {}
    for rows in sizes:
        print(f"{rows:,} rows:", flush=True)
        path = make_file(rows, work)
        results[rows] = {}
        for label, key in LOADERS:
            if key == "relais":
                m = run_relais(relais, path, rows, work)
            elif key == "python":
                m = run_python(path, rows, work)
            else:
                m = run_sqlite_import(path, rows, work)
            results[rows][key] = m
            print(f"  {label:<20} {m.seconds:7.2f} s  {m.cpu_seconds:7.2f} s CPU  "
                  f"{m.peak_mib:6.1f} MiB peak", flush=True)
        os.remove(path)

    print_table(sizes, results)
    print_contention(sizes, results)
    met = print_targets(sizes, results)
    return 3 if arguments.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
