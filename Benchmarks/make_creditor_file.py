#!/usr/bin/env python3
"""Writes a creditor's assignment file of invented people, as a Québec creditor's export
would look: French headers, semicolon-delimited UTF-8, amounts written `1 234,56 $`,
dates DD/MM/YYYY, Canadian postal codes and ten-digit phones in the usual shapes.

Every row is a valid, distinct assignment (client references are unique), so that a
correct ingest accepts every row: the benchmark checks that it does.

Usage: make_creditor_file.py ROWS OUTPUT [--seed N] [--english]

With --english the file has English headers, commas, `$1,234.56` and MM/DD/YYYY dates
(some with day > 12, so that the order is provable).

Python standard library only; the same seed gives the same file.
"""

import argparse
import csv
import random
import unicodedata

FRENCH_HEADER = ["No de compte", "Nom du débiteur", "Solde", "Adresse", "Ville", "Province",
                 "Code postal", "Téléphone", "Courriel", "Date de naissance"]
ENGLISH_HEADER = ["Account Number", "Debtor Name", "Balance Due", "Address", "City", "Province",
                  "Postal Code", "Phone", "Email", "Date of Birth"]

FIRST_NAMES = ["Marie", "Jean", "Sophie", "Luc", "Nathalie", "François", "Isabelle", "Éric",
               "Geneviève", "Stéphane", "Julie", "Mathieu", "Chantal", "Pierre-Luc", "Émilie",
               "Sébastien", "Annie", "Martin", "Mélanie", "Guillaume", "Catherine", "Patrick",
               "Valérie", "Alexandre", "Karine", "Maxime", "Josée", "Olivier", "Noémie", "Zoé",
               "Hélène", "André", "Céline", "Réjean", "Ginette", "Gaétan", "Amélie",
               "Jérôme",
               "Priya", "Mohamed", "Nguyen", "Fatima", "Daniel", "Sarah", "Kevin", "Jessica"]
LAST_NAMES = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie",
              "Fortin", "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron",
              "Leblanc", "Paquette", "Girard", "Simard", "Boucher", "Caron", "Beaulieu",
              "Cloutier", "Dubé", "Poirier", "Fournier", "Lapointe", "Leclerc", "Lefebvre",
              "Poulin", "Thibault", "St-Pierre", "D'Amours", "O'Neill", "Nadeau", "Hébert",
              "Bérubé", "Desjardins", "Lachance", "Ménard", "Doucet", "Smith", "Tran", "Haddad"]
STREETS = ["rue Saint-Denis", "boulevard René-Lévesque", "rue Sherbrooke Est", "avenue du Parc",
           "chemin de la Côte-des-Neiges", "rue Principale", "boulevard Laurier", "rue King Ouest",
           "avenue des Érables", "rue de l'Église", "boulevard Saint-Joseph", "rue Notre-Dame",
           "montée Saint-François", "rang du Bas-de-l'Île", "rue Wellington", "avenue Cartier"]
# (city, province as written, first letter of the postal code, area codes)
PLACES = [
    ("Montréal", "QC", "H", ["514", "438"]), ("Laval", "Québec", "H", ["450", "579"]),
    ("Québec", "QC", "G", ["418", "581"]), ("Lévis", "QC", "G", ["418", "581"]),
    ("Gatineau", "QC", "J", ["819", "873"]), ("Sherbrooke", "QC", "J", ["819", "873"]),
    ("Longueuil", "Qc", "J", ["450", "579"]), ("Trois-Rivières", "QC", "G", ["819", "873"]),
    ("Saguenay", "QC", "G", ["418", "581"]), ("Saint-Jérôme", "QC", "J", ["450", "579"]),
    ("Rimouski", "QC", "G", ["418", "581"]), ("Terrebonne", "QC", "J", ["450", "579"]),
    ("Ottawa", "ON", "K", ["613", "343"]), ("Toronto", "Ontario", "M", ["416", "647"]),
    ("Moncton", "NB", "E", ["506"]),
]
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
DOMAINS = ["videotron.ca", "gmail.com", "hotmail.com", "sympatico.ca", "outlook.com", "yahoo.ca"]


def ascii_fold(text):
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum() or c == "-")


def grouped(whole, separator):
    digits = str(whole)
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return separator.join(groups)


def french_amount(cents, rng):
    # Excel's French export uses a no-break space between thousands; typed files a plain space.
    separator = "\u00a0" if rng.random() < 0.3 else " "
    text = f"{grouped(cents // 100, separator)},{cents % 100:02d}"
    return text + " $" if rng.random() < 0.8 else text


def english_amount(cents, rng):
    text = f"{grouped(cents // 100, ',')}.{cents % 100:02d}"
    return "$" + text if rng.random() < 0.8 else text


def phone(area, rng):
    exchange = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
    line = f"{rng.randint(0, 9999):04d}"
    shape = rng.random()
    if shape < 0.4:
        return f"({area}) {exchange}-{line}"
    if shape < 0.7:
        return f"{area}-{exchange}-{line}"
    if shape < 0.9:
        return f"{area}{exchange}{line}"
    return f"{area}.{exchange}.{line}"


def rows(count, rng, english):
    first_reference = rng.randint(1000, 90000)
    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = f"{last}, {first}" if rng.random() < 0.35 else f"{first} {last}"
        # Leading zeros are part of the reference, as creditors' systems print them.
        reference = f"{first_reference + index:09d}"
        # Most debts are small; a few run to tens of thousands.
        cents = int(rng.lognormvariate(11.0, 1.1)) + 2500
        cents = min(cents, 9_999_999)
        amount = english_amount(cents, rng) if english else french_amount(cents, rng)
        city, province, letter, areas = rng.choice(PLACES)
        number = rng.randint(1, 12000)
        street = rng.choice(STREETS)
        address = f"{number}, {street}" if rng.random() < 0.5 else f"{number} {street}"
        if rng.random() < 0.2:
            address += f", app. {rng.randint(1, 40)}"
        postal = (f"{letter}{rng.randint(0, 9)}{rng.choice(POSTAL_LETTERS)} "
                  f"{rng.randint(0, 9)}{rng.choice(POSTAL_LETTERS)}{rng.randint(0, 9)}")
        if rng.random() < 0.1:
            postal = postal.replace(" ", "")
        telephone = phone(rng.choice(areas), rng)
        email = ""
        if rng.random() < 0.85:
            local = f"{ascii_fold(first)}.{ascii_fold(last)}{rng.randint(1, 999)}"
            email = f"{local}@{rng.choice(DOMAINS)}"
        day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1940, 2005)
        born = f"{month:02d}/{day:02d}/{year}" if english else f"{day:02d}/{month:02d}/{year}"
        yield [reference, name, amount, address, city, province, postal, telephone, email, born]


def main():
    parser = argparse.ArgumentParser(description="Writes a creditor file of invented people.")
    parser.add_argument("rows", type=int)
    parser.add_argument("output")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--english", action="store_true")
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    delimiter = "," if arguments.english else ";"
    with open(arguments.output, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(ENGLISH_HEADER if arguments.english else FRENCH_HEADER)
        writer.writerows(rows(arguments.rows, rng, arguments.english))


if __name__ == "__main__":
    main()
