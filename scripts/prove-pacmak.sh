#!/usr/bin/env bash
# Proves that jsii-pacmak generates the library for every jsii language configured in .projenrc.ts:
# Python, Java, C# and Go code is generated into a temporary directory and every type of the jsii
# assembly must be defined in each (scripts/check-pacmak-output.ts; the Python module must also
# compile). --code-only: building the packages needs Maven Central, NuGet and a Go and .NET
# toolchain, which CI does not have; the generated build workflow packages each language in full.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -f .jsii ] || { echo "FAIL: .jsii is missing: compile first (npx projen compile)"; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

languages=(python java dotnet go)
targets=$(IFS=,; echo "${languages[*]}")
npx jsii-pacmak --code-only --targets "$targets" --outdir "$out" --no-fingerprint --no-npmignore
npx ts-node --project scripts/tsconfig.json scripts/check-pacmak-output.ts "$out" "${languages[@]}"
echo "OK: jsii-pacmak generates the ${targets} code of every type"
