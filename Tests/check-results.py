#!/usr/bin/env python3
"""Fails a test run in which a method's result did not match its declared schema, or
in which some method never answered at all (so its result went unchecked).

    Tests/check-results.py DIR docs/openrpc.json

DIR holds the PID.log files netsockd writes under NETSOCK_RESULT_CHECK_DIR."""
import json
import os
import sys

directory, document = sys.argv[1], sys.argv[2]
methods = [method["name"] for method in json.load(open(document))["methods"]]
answered, mismatches = set(), []
for name in sorted(os.listdir(directory)):
    for line in open(os.path.join(directory, name), encoding="utf-8", errors="replace"):
        kind, _, rest = line.rstrip("\n").partition(" ")
        if kind == "ok":
            answered.add(rest)
        elif kind == "MISMATCH":
            mismatches.append(rest)
for mismatch in mismatches:
    print(f"check-results: result does not match its schema: {mismatch}")
missing = [method for method in methods if method not in answered]
for method in missing:
    print(f"check-results: no test got a result from {method}")
if mismatches or missing:
    sys.exit(1)
print(f"check-results: every result of all {len(methods)} methods matched its declared schema")
