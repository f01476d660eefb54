#!/usr/bin/env python3
"""The reference loader: the plain way to put a CSV file into SQLite with Python's standard
library. One table with the file's header as columns, every value as text, one INSERT per
row, all in one transaction. No checking, no normalising: a floor to compare with, not an
importer.

Usage: python_loader.py CSV DATABASE [--delimiter ;]

Prints the number of rows inserted.
"""

import argparse
import csv
import sqlite3


def main():
    parser = argparse.ArgumentParser(description="Loads a CSV file into SQLite, row by row.")
    parser.add_argument("csv")
    parser.add_argument("database")
    parser.add_argument("--delimiter", default=";")
    arguments = parser.parse_args()

    connection = sqlite3.connect(arguments.database, isolation_level=None)
    with open(arguments.csv, encoding="utf-8-sig", newline="") as source:
        reader = csv.reader(source, delimiter=arguments.delimiter)
        header = next(reader)
        columns = ", ".join('"' + name.replace('"', '""') + '" TEXT' for name in header)
        connection.execute(f"CREATE TABLE assignments ({columns})")
        insert = f"INSERT INTO assignments VALUES ({', '.join('?' * len(header))})"
        count = 0
        connection.execute("BEGIN")
        for row in reader:
            connection.execute(insert, row)
            count += 1
        connection.execute("COMMIT")
    connection.close()
    print(count)


if __name__ == "__main__":
    main()
