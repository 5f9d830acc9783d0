#!/usr/bin/env bash
# npm run check:proto — guards the contract:
#   1. buf lint (STANDARD, see buf.yaml);
#   2. the committed generated code in packages/contracts/src is exactly what `buf generate` makes now;
#   3. buf breaking: the protos do not break what main already published.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

buf="node_modules/.bin/buf"
if [ ! -x "$buf" ]; then
  echo "check-proto: $buf is missing; run npm ci first" >&2
  exit 1
fi

echo "check-proto: buf lint"
"$buf" lint

echo "check-proto: generated code is fresh"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# -o prefixes the template's out directory, so this writes $out/packages/contracts/src
"$buf" generate -o "$out"
if ! diff -rq "$out/packages/contracts/src" packages/contracts/src >"$out/diff.txt"; then
  echo "check-proto: packages/contracts/src is stale; run \`npm run generate\` and commit the result:" >&2
  sed "s#$out/##" "$out/diff.txt" >&2
  exit 1
fi

echo "check-proto: buf breaking"
if ! git rev-parse --verify --quiet HEAD >/dev/null 2>&1; then
  echo "check-proto: skipping buf breaking: no git history to compare with"
  exit 0
fi
against=""
for ref in refs/remotes/origin/main refs/heads/main; do
  if git rev-parse --verify --quiet "$ref" >/dev/null; then
    against="$ref"
    break
  fi
done
if [ -z "$against" ]; then
  # no main branch (a fork or an odd clone): at least guard the working tree against the last commit
  against="HEAD"
fi
if ! git cat-file -e "$against:buf.yaml" 2>/dev/null || ! git cat-file -e "$against:proto" 2>/dev/null; then
  echo "check-proto: skipping buf breaking: $against has no buf.yaml and proto/ yet, nothing published to break"
  exit 0
fi
echo "check-proto: comparing proto/ with $against"
"$buf" breaking --against ".git#ref=$against"
echo "check-proto: ok"
