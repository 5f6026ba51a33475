#!/usr/bin/python3
"""Validates a JSON document against a draft-07 JSON Schema, offline.

Usage: validate_json_draft7.py SCHEMA INSTANCE [REFERENCED_SCHEMA ...]

Schemas that SCHEMA refers to by URI (CycloneDX's spdx.schema.json and jsf-0.82.schema.json)
are given after INSTANCE and resolved by their "$id" and by their file name relative to the
main schema's "$id"; any other remote reference fails instead of going to the network.
Formats (date, date-time, ...) are checked where python3-jsonschema can check them.
Exit 0 when valid, 1 with one line per error, 2 when the schemas cannot be used. Written for
Debian 12's python3-jsonschema 4.10 (Draft7Validator and RefResolver).
"""
import json
import os
import sys
import urllib.parse

import jsonschema


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def no_network(uri):
    raise jsonschema.RefResolutionError("remote reference not provided offline: " + uri)


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    schema = load(sys.argv[1])
    instance = load(sys.argv[2])
    base = schema.get("$id", "")
    store = {}
    for path in sys.argv[3:]:
        referenced = load(path)
        if "$id" in referenced:
            store[referenced["$id"]] = referenced
        store[urllib.parse.urljoin(base, os.path.basename(path))] = referenced
    resolver = jsonschema.RefResolver.from_schema(
        schema, store=store, handlers={"http": no_network, "https": no_network})
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(
        schema, resolver=resolver, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    try:
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    except jsonschema.RefResolutionError as e:
        print("cannot resolve a reference:", e)
        return 2
    for e in errors:
        print("/".join(str(p) for p in e.path) or "<root>", ":", e.message[:300])
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
