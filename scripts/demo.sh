#!/usr/bin/env bash
# The demo of `make demo`: zsim checks the example reservations the way a node would.
# Usage: scripts/demo.sh PATH/TO/zsim
# Some examples are invalid on purpose, so `zsim validate` exits 1; the demo shows that code and
# explains it, and itself exits 0 unless zsim could not run or answered something unexpected.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 PATH/TO/zsim" >&2
  exit 2
fi
zsim=$(realpath "$1")
if [[ ! -x "$zsim" ]]; then
  echo "demo: $1 is not an executable zsim binary (build it first: make build)" >&2
  exit 2
fi
# Run from the repository root so that the example paths print short.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== zsim validate: container reservations checked as a Zero-OS node would =="
echo "   (ok-*.json are valid; bad-*.json each break one rule and show the node's exact message)"
echo
status=0
"$zsim" validate examples/reservations/*.json || status=$?
echo
case $status in
  0) echo "zsim validate exited 0: every reservation is valid (unexpected: the bad-* examples should fail)."
     exit 1 ;;
  1) echo "zsim validate exited 1: at least one reservation is invalid, as expected for the bad-* examples" \
          "(0 = all valid, 1 = some invalid, 2 = unreadable file or usage error)." ;;
  *) echo "zsim validate exited $status: a file could not be read or zsim failed." >&2
     exit "$status" ;;
esac
