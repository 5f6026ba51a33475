#!/usr/bin/python3
"""Writes jcs_numbers.tsv: IEEE doubles (as 16 hex digits of their bits) and the string
ECMAScript's Number::toString gives for each (ECMA-262 §6.1.6.1.20, which RFC 8785 §3.2.2.3
uses for JSON numbers).

Independent of Probity's C++: the shortest round-trip digits come from Python's repr(float)
(David Gay's correctly rounded shortest conversion, which, like ECMA-262, picks the candidate
closest to the exact value), and the layout rules are applied here from the ECMA-262 text.
Python's json.dumps is not used: its layout is not ECMAScript's ("1e-07", "1e+16" vs
"10000000000000000").

Usage (from the repository root): /usr/bin/python3 tests/data/lineage/make_jcs_numbers.py
"""
import math
import os
import random
import struct
from decimal import Decimal


def es_number_to_string(x: float) -> str:
    if x == 0:
        return "0"
    if x < 0:
        return "-" + es_number_to_string(-x)
    sign, digits, exponent = Decimal(repr(x)).as_tuple()
    digits = "".join(map(str, digits))
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    s, k = stripped, len(stripped)
    n = k + exponent  # x = 0.s * 10^n
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + s
    e = n - 1
    mantissa = s if k == 1 else s[0] + "." + s[1:]
    return mantissa + "e" + ("+" if e >= 0 else "-") + str(abs(e))


def bits(x: float) -> str:
    return struct.pack(">d", x).hex()


def cases():
    rng = random.Random(8785)
    out = []
    # Around the layout boundaries: 1e-7 / 1e-6 and 1e20 / 1e21, and 2^53.
    for anchor in (1e-7, 1e-6, 1e20, 1e21, 2.0**53, 1.0, 0.1, 5e-324, 1.7976931348623157e308):
        x = anchor
        for _ in range(4):
            x = math.nextafter(x, math.inf)
        for _ in range(9):
            if math.isfinite(x):
                out.append(x)
            x = math.nextafter(x, 0.0)
    # Every power of ten a double holds, and integers with 1 to 21 digits.
    for e in range(-323, 309):
        out.append(float(f"1e{e}"))
    for d in range(1, 22):
        out.append(float(rng.randrange(10 ** (d - 1), 10**d)))
    # Uniform over the exponent range, and uniform over raw bit patterns.
    for _ in range(1500):
        out.append(rng.uniform(1, 10) * 10.0 ** rng.randint(-300, 300))
    while len(out) < 4000:
        x = struct.unpack(">d", rng.getrandbits(64).to_bytes(8, "big"))[0]
        if math.isfinite(x):
            out.append(x)
    # Both signs.
    return [x if i % 2 == 0 else -x for i, x in enumerate(out)]


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jcs_numbers.tsv")
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write("# IEEE double bits (hex)<TAB>ECMAScript Number::toString; made by make_jcs_numbers.py\n")
        for x in cases():
            f.write(f"{bits(x)}\t{es_number_to_string(x)}\n")


if __name__ == "__main__":
    main()
