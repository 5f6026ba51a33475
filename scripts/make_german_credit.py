#!/usr/bin/python3
"""Convert the UCI Statlog German credit file (german.data) to a readable CSV.

Usage: scripts/make_german_credit.py [--source PATH] [--out PATH]

Defaults (relative to the repository root, found from this script's location):
  --source ../shared/data/fairness/german.data
  --out    examples/data/german_credit.csv

The input is the original symbolic file: 1,000 rows of 21 whitespace-separated
fields (20 attributes, coded A11..A202 or integers, then the class 1 = good,
2 = bad). Every code is decoded to short text from the UCI codebook
(german.doc). Attribute 9 ("personal status and sex") is split into
`personal_status` (the marital part) and a derived `sex` column. The output is
UTF-8 (no BOM), comma-delimited, with a header row, csv-module quoting and "\\n"
line endings; it is byte-identical on every run. Any deviation from the
expected layout or an unknown code aborts with exit status 1.

Standard library only.
"""

import argparse
import csv
import io
import os
import re
import sys

# Decoded text for each coded attribute, from german.doc (whitespace collapsed).
CHECKING = {
    "A11": "< 0 DM",
    "A12": "0 <= ... < 200 DM",
    "A13": ">= 200 DM / salary assignments for at least 1 year",
    "A14": "no checking account",
}
CREDIT_HISTORY = {
    "A30": "no credits taken/all credits paid back duly",
    "A31": "all credits at this bank paid back duly",
    "A32": "existing credits paid back duly till now",
    "A33": "delay in paying off in the past",
    "A34": "critical account/other credits existing (not at this bank)",
}
PURPOSE = {
    "A40": "car (new)",
    "A41": "car (used)",
    "A42": "furniture/equipment",
    "A43": "radio/television",
    "A44": "domestic appliances",
    "A45": "repairs",
    "A46": "education",
    "A47": "vacation",  # german.doc: "(vacation - does not exist?)"; unused in the data
    "A48": "retraining",
    "A49": "business",
    "A410": "others",
}
SAVINGS = {
    "A61": "< 100 DM",
    "A62": "100 <= ... < 500 DM",
    "A63": "500 <= ... < 1000 DM",
    "A64": ">= 1000 DM",
    "A65": "unknown/no savings account",
}
EMPLOYMENT = {
    "A71": "unemployed",
    "A72": "< 1 year",
    "A73": "1 <= ... < 4 years",
    "A74": "4 <= ... < 7 years",
    "A75": ">= 7 years",
}
# Attribute 9: code -> (sex, personal status).
PERSONAL_STATUS_SEX = {
    "A91": ("male", "divorced/separated"),
    "A92": ("female", "divorced/separated/married"),
    "A93": ("male", "single"),
    "A94": ("male", "married/widowed"),
    "A95": ("female", "single"),  # listed in german.doc; never occurs in german.data
}
OTHER_DEBTORS = {
    "A101": "none",
    "A102": "co-applicant",
    "A103": "guarantor",
}
PROPERTY = {
    "A121": "real estate",
    "A122": "building society savings agreement/life insurance",
    "A123": "car or other, not in attribute 6",
    "A124": "unknown/no property",
}
OTHER_INSTALLMENT_PLANS = {
    "A141": "bank",
    "A142": "stores",
    "A143": "none",
}
HOUSING = {
    "A151": "rent",
    "A152": "own",
    "A153": "for free",
}
JOB = {
    "A171": "unemployed/unskilled - non-resident",
    "A172": "unskilled - resident",
    "A173": "skilled employee/official",
    "A174": "management/self-employed/highly qualified employee/officer",
}
TELEPHONE = {
    "A191": "none",
    "A192": "yes, registered under the customers name",
}
FOREIGN_WORKER = {
    "A201": "yes",
    "A202": "no",
}
CREDIT_RISK = {
    "1": "good",
    "2": "bad",
}

INT = "int"
PSEX = "personal_status_sex"

# The 21 input fields in order: (attribute name for messages, output column, decoder).
FIELDS = [
    ("attribute 1", "checking_account_status", CHECKING),
    ("attribute 2", "duration_months", INT),
    ("attribute 3", "credit_history", CREDIT_HISTORY),
    ("attribute 4", "purpose", PURPOSE),
    ("attribute 5", "credit_amount", INT),
    ("attribute 6", "savings", SAVINGS),
    ("attribute 7", "employment_since", EMPLOYMENT),
    ("attribute 8", "installment_rate_pct", INT),
    ("attribute 9", PSEX, PERSONAL_STATUS_SEX),
    ("attribute 10", "other_debtors", OTHER_DEBTORS),
    ("attribute 11", "residence_since", INT),
    ("attribute 12", "property", PROPERTY),
    ("attribute 13", "age", INT),
    ("attribute 14", "other_installment_plans", OTHER_INSTALLMENT_PLANS),
    ("attribute 15", "housing", HOUSING),
    ("attribute 16", "existing_credits", INT),
    ("attribute 17", "job", JOB),
    ("attribute 18", "num_dependents", INT),
    ("attribute 19", "telephone", TELEPHONE),
    ("attribute 20", "foreign_worker", FOREIGN_WORKER),
    ("class", "credit_risk", CREDIT_RISK),
]

HEADER = []
for _, _column, _decoder in FIELDS:
    if _column == PSEX:
        HEADER += ["personal_status", "sex"]
    else:
        HEADER.append(_column)

EXPECTED_ROWS = 1000
EXPECTED_FIELDS = len(FIELDS)  # 21
INT_RE = re.compile(r"[0-9]+\Z")


class InputError(Exception):
    pass


def convert_row(fields, where):
    if len(fields) != EXPECTED_FIELDS:
        raise InputError("%s: expected %d fields, found %d"
                         % (where, EXPECTED_FIELDS, len(fields)))
    out = []
    for value, (attribute, column, decoder) in zip(fields, FIELDS):
        if decoder is INT:
            if not INT_RE.match(value):
                raise InputError("%s: %s (%s): expected an unsigned integer, found %r"
                                 % (where, attribute, column, value))
            out.append(str(int(value)))
        elif value not in decoder:
            raise InputError("%s: %s (%s): unknown code %r; expected one of %s"
                             % (where, attribute, column, value, ", ".join(decoder)))
        elif column == PSEX:
            sex, status = decoder[value]
            out += [status, sex]
        else:
            out.append(decoder[value])
    return out


def read_rows(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as e:
        raise InputError("%s: not ASCII text (byte %d)" % (path, e.start))
    if "\r" in text:
        raise InputError("%s: unexpected carriage return (CRLF line endings?)" % path)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final line terminator
    if len(lines) != EXPECTED_ROWS:
        raise InputError("%s: expected %d rows, found %d lines"
                         % (path, EXPECTED_ROWS, len(lines)))
    rows = []
    for number, line in enumerate(lines, 1):
        # Fields are separated by single spaces; line 267 of the UCI file ends
        # in a stray space, so split on runs of whitespace.
        rows.append(convert_row(line.split(), "%s:%d" % (path, number)))
    return rows


def to_csv(rows):
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=",", quotechar='"', quoting=csv.QUOTE_MINIMAL,
                        lineterminator="\n", strict=True)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def main(argv=None):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(
        description="Convert UCI Statlog german.data into a decoded CSV.")
    parser.add_argument("--source",
                        default=os.path.normpath(os.path.join(
                            root, "..", "shared", "data", "fairness", "german.data")),
                        help="the UCI german.data file (default: %(default)s)")
    parser.add_argument("--out",
                        default=os.path.join(root, "examples", "data", "german_credit.csv"),
                        help="the CSV to write (default: %(default)s)")
    args = parser.parse_args(argv)

    prog = os.path.basename(sys.argv[0])
    try:
        rows = read_rows(args.source)
    except OSError as e:
        print("%s: error: cannot read %s: %s" % (prog, args.source, e.strerror), file=sys.stderr)
        return 1
    except InputError as e:
        print("%s: error: %s" % (prog, e), file=sys.stderr)
        return 1

    payload = to_csv(rows)
    out_dir = os.path.dirname(os.path.abspath(args.out))
    tmp = args.out + ".tmp"
    try:
        os.makedirs(out_dir, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(payload)
        os.replace(tmp, args.out)
    except OSError as e:
        print("%s: error: cannot write %s: %s" % (prog, args.out, e.strerror), file=sys.stderr)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return 1
    print("%s: wrote %d rows, %d columns to %s" % (prog, len(rows), len(HEADER), args.out),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
