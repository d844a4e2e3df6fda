#!/usr/bin/env bash
# Proves that the normal test task cannot pass over a changed snapshot: change one byte of a
# committed snapshot, run the test task on that suite, expect a failure and an untouched snapshot.
set -euo pipefail
cd "$(dirname "$0")/.."

snap=test/__snapshots__/examples.test.ts.snap
backup=$(mktemp)
cp "$snap" "$backup"
trap 'cp "$backup" "$snap"; rm -f "$backup"' EXIT

sed -i '0,/name: default-deny/s//name: default-denx/' "$snap"
mutated=$(sha256sum "$snap")
cmp -s "$snap" "$backup" && { echo "could not change the snapshot"; exit 1; }

if npx projen test test/examples.test.ts >/tmp/snapshot-proof.log 2>&1; then
  echo "FAIL: the test task passed although a snapshot was changed"; tail -30 /tmp/snapshot-proof.log; exit 1
fi
grep -q "snapshot.* failed" /tmp/snapshot-proof.log || { echo "FAIL: the test task failed, but not on the snapshot"; tail -30 /tmp/snapshot-proof.log; exit 1; }
[ "$(sha256sum "$snap")" = "$mutated" ] || { echo "FAIL: the test task rewrote the snapshot"; exit 1; }
echo "OK: a changed snapshot fails the test task and is not rewritten"
