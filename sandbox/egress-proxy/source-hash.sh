#!/usr/bin/env bash
# Prints a hash of the egress proxy image's sources (its Dockerfile, entrypoint and destination check), which the
# image carries as its berth.source label.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cat "$here/Dockerfile" "$here/entrypoint.sh" "$here/egress-check.py" | sha256sum | cut -c1-16
