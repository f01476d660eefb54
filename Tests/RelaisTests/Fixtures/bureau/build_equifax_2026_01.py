#!/usr/bin/env python3
"""Builds equifax-2026-01.m2 field by field, with every position typed by hand from the
Metro 2 layout (not from Relais's code), and every trailer total counted by hand below.
Run it from this folder to rebuild the fixture; the test compares Relais's output to it."""


def field(parts, start, end, value):
    # The record so far must end right before `start`; the value fills start..end exactly.
    assert sum(len(p) for p in parts) == start - 1, (start, value)
    assert len(value) == end - start + 1, (start, end, value)
    assert all(32 <= ord(c) < 127 for c in value), value
    parts.append(value)


def A(text, width):
    assert len(text) <= width, text
    return text + " " * (width - len(text))


def Z(width):
    return "0" * width


header = []
field(header, 1, 4, "0426")
field(header, 5, 10, "HEADER")
field(header, 11, 12, A("", 2))
field(header, 13, 22, A("", 10))
field(header, 23, 32, "EFXPROG001")
field(header, 33, 37, A("", 5))
field(header, 38, 47, A("", 10))
field(header, 48, 55, "01312026")
field(header, 56, 63, "02052026")
field(header, 64, 71, "12012026")
field(header, 72, 79, "12012026")
field(header, 80, 119, A("AGENCE DE RECOUVREMENT ACCES", 40))
field(header, 120, 215, A("1234 RUE SAINT-DENIS, MONTREAL QC H2X 3K2", 96))
field(header, 216, 225, "5145550100")
field(header, 226, 265, A("RELAIS", 40))
field(header, 266, 270, "0.1.0")
field(header, 271, 280, A("", 10))
field(header, 281, 426, A("", 146))


def base(rdw, account, opened, highest, payment, status, comment, compliance, balance, past_due,
         dofd, closed, last_paid, transaction_type, surname, first, sin, born, phone,
         line1, line2, city, province, postal):
    r = []
    field(r, 1, 4, rdw)
    field(r, 5, 5, "1")
    field(r, 6, 19, "02052026083000")
    field(r, 20, 20, "0")
    field(r, 21, 40, A("ACCES00001", 20))
    field(r, 41, 42, A("", 2))
    field(r, 43, 72, A(account, 30))
    field(r, 73, 73, "O")
    field(r, 74, 75, "48")
    field(r, 76, 83, opened)
    field(r, 84, 92, Z(9))
    field(r, 93, 101, highest)
    field(r, 102, 104, "001")
    field(r, 105, 105, "P")
    field(r, 106, 114, Z(9))
    field(r, 115, 123, payment)
    field(r, 124, 125, status)
    field(r, 126, 126, " ")
    field(r, 127, 150, "D" * 24)
    field(r, 151, 152, A(comment, 2))
    field(r, 153, 154, A(compliance, 2))
    field(r, 155, 163, balance)
    field(r, 164, 172, past_due)
    field(r, 173, 181, Z(9))
    field(r, 182, 189, "01312026")
    field(r, 190, 197, dofd)
    field(r, 198, 205, closed)
    field(r, 206, 213, last_paid)
    field(r, 214, 230, A("", 17))
    field(r, 231, 231, transaction_type)
    field(r, 232, 256, A(surname, 25))
    field(r, 257, 276, A(first, 20))
    field(r, 277, 296, A("", 20))
    field(r, 297, 297, " ")
    field(r, 298, 306, sin)
    field(r, 307, 314, born)
    field(r, 315, 324, phone)
    field(r, 325, 325, "1")
    field(r, 326, 327, A("", 2))
    field(r, 328, 329, "CA")
    field(r, 330, 361, A(line1, 32))
    field(r, 362, 393, A(line2, 32))
    field(r, 394, 413, A(city, 20))
    field(r, 414, 415, province)
    field(r, 416, 424, A(postal, 9))
    field(r, 425, 425, " ")
    field(r, 426, 426, " ")
    return r


def j1(surname, first, sin, born, phone):
    s = []
    field(s, 1, 2, "J1")
    field(s, 3, 3, " ")
    field(s, 4, 28, A(surname, 25))
    field(s, 29, 48, A(first, 20))
    field(s, 49, 68, A("", 20))
    field(s, 69, 69, " ")
    field(s, 70, 78, sin)
    field(s, 79, 86, born)
    field(s, 87, 96, phone)
    field(s, 97, 97, "2")
    field(s, 98, 99, A("", 2))
    field(s, 100, 100, " ")
    return s


def j2(surname, first, sin, born, phone, line1, line2, city, province, postal):
    s = []
    field(s, 1, 2, "J2")
    field(s, 3, 3, " ")
    field(s, 4, 28, A(surname, 25))
    field(s, 29, 48, A(first, 20))
    field(s, 49, 68, A("", 20))
    field(s, 69, 69, " ")
    field(s, 70, 78, sin)
    field(s, 79, 86, born)
    field(s, 87, 96, phone)
    field(s, 97, 97, "2")
    field(s, 98, 99, A("", 2))
    field(s, 100, 101, "CA")
    field(s, 102, 133, A(line1, 32))
    field(s, 134, 165, A(line2, 32))
    field(s, 166, 185, A(city, 20))
    field(s, 186, 187, province)
    field(s, 188, 196, A(postal, 9))
    field(s, 197, 197, " ")
    field(s, 198, 198, " ")
    field(s, 199, 200, A("", 2))
    return s


def k1(name, classification):
    s = []
    field(s, 1, 2, "K1")
    field(s, 3, 32, A(name, 30))
    field(s, 33, 34, classification)
    return s


# AC0000001: first report, 93, accented name, J1 co-debtor at the same address.
# RDW 426 + 100 (J1) + 34 (K1) = 560.
case1 = base("0560", "AC0000001", "11152025", "000001234", Z(9), "93", "", "", "000001234", "000001234",
             "03102025", Z(8), Z(8), "1", "COTE", "HELENE", "046454286", "04021980", "5145551234",
             "12, RUE DE L'EGLISE", "APP. 3", "MONTREAL", "QC", "H2X1Y4")
case1 += j1("COTE", "JEAN", Z(9), "12241979", Z(10))
case1 += k1("BANQUE LAURENTIENNE", "12")

# AC0000002: reported in December with XB; dispute resolved in January: XH. Long names cut
# at 25 / 20 / 32 bytes. A $100.50 payment on 2026-01-10. J2 co-debtor elsewhere.
# RDW 426 + 200 (J2) + 34 (K1) = 660.
case2 = base("0660", "AC0000002", "10012025", "000000500", "000000100", "93", "", "XH", "000000400",
             "000000400", "12012024", Z(8), "01102026", " ", "BOUCHARD-LEVESQUE-TREMBLA", "MARIE-EVE-GENEVIEVE",
             Z(9), "07141975", Z(10), "4567 BOULEVARD DES LAURENTIDES O", "", "LAVAL", "QC", "H7G2T1")
case2 += j2("NGUYEN", "MINH", "130692544", Z(8), "6135550199", "88 MAIN STREET", "", "OTTAWA", "ON", "K1A0B1")
case2 += k1("HYDRO-QUEBEC", "10")

# AC0000004: settled for less on 2026-01-20 after a $250 payment: 62 with AU, balance 0.
# No original creditor given: the client's name. RDW 426 + 34 = 460.
case4 = base("0460", "AC0000004", "09012025", "000000300", "000000250", "62", "AU", "", Z(9), Z(9),
             "01052025", "01202026", "01152026", " ", "TREMBLAY", "LUC", "193456787", Z(8), Z(10),
             "300 AVENUE DU PARC", "", "QUEBEC", "QC", "G1R2L3")
case4 += k1("MAGASINS EXEMPLE INC.", "01")

# AC0000005: recalled by the client on 2026-01-25: DA. Phone given with an extension.
case5 = base("0460", "AC0000005", "08152025", "000000075", Z(9), "DA", "", "", "000000075", Z(9),
             "06302024", "01252026", "05012024", " ", "O'BRIEN", "SIOBHAN", Z(9), "02281990", "4185550123",
             "7 CHEMIN DU LAC", "", "SHERBROOKE", "QC", "J1H5N4")
case5 += k1("TELUS", "11")

# Trailer, counted by hand from the four records above.
t = []
field(t, 1, 4, "0426")
field(t, 5, 11, "TRAILER")
field(t, 12, 20, "000000004")   # base records: AC0000001, 2, 4, 5
field(t, 21, 29, A("", 9))
field(t, 30, 38, Z(9))          # DF
field(t, 39, 47, "000000001")   # J1: AC0000001's
field(t, 48, 56, "000000001")   # J2: AC0000002's
field(t, 57, 65, Z(9))          # block count, character format
field(t, 66, 74, "000000001")   # DA: AC0000005
field(t, 75, 110, Z(36))        # 05, 11, 13, 61
field(t, 111, 119, "000000001")  # 62: AC0000004
field(t, 120, 218, Z(99))       # 63 … 89 (11 fields)
field(t, 219, 227, "000000002")  # 93: AC0000001, AC0000002
field(t, 228, 263, Z(36))       # 94, 95, 96, 97
field(t, 264, 272, Z(9))        # ECOA Z
field(t, 273, 281, Z(9))        # N1
field(t, 282, 290, "000000004")  # K1: one per base
field(t, 291, 326, Z(36))       # K2, K3, K4, L1
field(t, 327, 335, "000000003")  # SINs, all: base 2 + J1 0 + J2 1
field(t, 336, 344, "000000002")  # base: AC0000001, AC0000004
field(t, 345, 353, Z(9))        # J1: Jean Côté has none
field(t, 354, 362, "000000001")  # J2: Minh Nguyen
field(t, 363, 371, "000000004")  # dates of birth, all: base 3 + J1 1 + J2 0
field(t, 372, 380, "000000003")  # base: AC0000001, 2, 5
field(t, 381, 389, "000000001")  # J1: Jean Côté
field(t, 390, 398, Z(9))        # J2
field(t, 399, 407, "000000003")  # phones: AC0000001, Minh Nguyen (J2), AC0000005
field(t, 408, 426, A("", 19))

records = [header, case1, case2, case4, case5, t]
lengths = [426, 560, 660, 460, 460, 426]
for record, length in zip(records, lengths):
    assert sum(len(p) for p in record) == length
with open("equifax-2026-01.m2", "wb") as out:
    for record in records:
        out.write("".join(record).encode("ascii") + b"\n")
