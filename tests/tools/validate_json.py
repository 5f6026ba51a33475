#!/usr/bin/python3
"""Validates a JSON document against a JSON Schema (draft 2020-12).

Usage: validate_json.py SCHEMA INSTANCE. Exit 0 when valid, 1 with the errors otherwise.
Uses Debian's python3-jsonschema; tests skip when it is not installed.
"""
import json
import sys

import jsonschema


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        instance = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    for e in errors:
        print("/".join(str(p) for p in e.path) or "<root>", ":", e.message)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
