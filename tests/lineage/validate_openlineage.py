#!/usr/bin/python3
"""Validates OpenLineage events (JSON Lines) against the OpenLineage JSON Schemas with
python3-jsonschema (Draft202012Validator, formats asserted), independently of Probity's own
validator: the core schema, then each run/job/dataset/output facet whose key names a
standard facet schema for that place.

usage: validate_openlineage.py SCHEMA_DIR EVENTS.jsonl
SCHEMA_DIR holds OpenLineage.json and facets/*.json. Exit 0 if every event is valid, 1
otherwise (each error on stderr)."""
import glob
import json
import os
import sys

import jsonschema
from jsonschema import Draft202012Validator

CORE_ID = "https://openlineage.io/spec/2-0-2/OpenLineage.json"
PLACES = {"RunFacet": "run", "JobFacet": "job", "DatasetFacet": "dataset",
          "OutputDatasetFacet": "output"}


def places(node, schema, depth):
    """The places a facet schema node extends: the core base facets it reaches through $ref
    (into its own $defs or the core schema), allOf, anyOf and oneOf."""
    found = set()
    if not isinstance(node, dict) or depth > 16:
        return found
    ref = node.get("$ref", "")
    if ref.startswith(CORE_ID + "#/$defs/"):
        base = ref[len(CORE_ID + "#/$defs/"):]
        if base in PLACES:
            found.add(PLACES[base])
    elif ref.startswith("#/$defs/"):
        found |= places(schema["$defs"][ref[len("#/$defs/"):]], schema, depth + 1)
    for keyword in ("allOf", "anyOf", "oneOf"):
        for branch in node.get(keyword, []):
            found |= places(branch, schema, depth + 1)
    return found


def main(schema_dir, events_path):
    core = json.load(open(os.path.join(schema_dir, "OpenLineage.json")))
    store = {core["$id"]: core}
    facets = {}  # (place, key) -> [schema]
    for path in sorted(glob.glob(os.path.join(schema_dir, "facets", "*.json"))):
        schema = json.load(open(path))
        store[schema["$id"]] = schema
        key = next(iter(schema["properties"]))
        for place in places(schema["properties"][key], schema, 0):
            facets.setdefault((place, key), []).append(schema)

    def validator(schema):
        resolver = jsonschema.RefResolver(schema["$id"], schema, store=store)
        return Draft202012Validator(schema, resolver=resolver,
                                    format_checker=Draft202012Validator.FORMAT_CHECKER)

    core_validator = validator(core)
    failures = 0
    for number, line in enumerate(open(events_path), start=1):
        if not line.strip():
            continue
        event = json.loads(line)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in core_validator.iter_errors(event)]

        def check(place, facet_map, where):
            for key, value in (facet_map or {}).items():
                for schema in facets.get((place, key), []):
                    for e in validator(schema).iter_errors({key: value}):
                        errors.append(f"{where}/{'/'.join(map(str, e.absolute_path))}: {e.message}")

        check("run", event.get("run", {}).get("facets"), "run/facets")
        check("job", event.get("job", {}).get("facets"), "job/facets")
        for side in ("inputs", "outputs"):
            for i, dataset in enumerate(event.get(side, [])):
                check("dataset", dataset.get("facets"), f"{side}/{i}/facets")
                if side == "outputs":
                    check("output", dataset.get("outputFacets"), f"{side}/{i}/outputFacets")
        for error in errors:
            print(f"{events_path}:{number}: {error}", file=sys.stderr)
        failures += bool(errors)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
