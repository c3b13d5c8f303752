#!/usr/bin/env python3
"""Checks scenario files against scenarios/schema.json (JSON Schema draft 2020-12).

Usage: check_schema.py SCHEMA FILE...   Exit 0 when every file conforms, 1 otherwise.
Needs the jsonschema module (Debian: python3-jsonschema). zsim's own loader is stricter still
(references between sections, time order of steps); this keeps the schema honest for editors.
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print("usage: check_schema.py SCHEMA FILE...", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
            where = ".".join(str(part) for part in error.absolute_path) or "(top level)"
            print(f"{path}: {where}: {error.message}")
            failures += 1
    print(f"{len(argv) - 2} files checked, {failures} schema errors")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
