#!/usr/bin/env bash
# Builds Berth's egress proxy image offline: Debian's tinyproxy binary on top of the sandbox
# image (which must exist; see sandbox/build-image.sh).
#
#   sandbox/egress-proxy/build-image.sh [IMAGE] [BASE]
#       (defaults berth-egress-proxy:latest, berth-sandbox:latest)
#
# Needs apt (to fetch the tinyproxy-bin package) and a running Docker engine.
set -euo pipefail

image="${1:-berth-egress-proxy:latest}"
base="${2:-berth-sandbox:latest}"
here=$(cd "$(dirname "$0")" && pwd)

work=$(mktemp -d /tmp/berth-egress-proxy.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 0777 "$work" # apt downloads as its own user
(cd "$work" && apt-get download -q tinyproxy-bin >/dev/null)
dpkg-deb -x "$work"/tinyproxy-bin_*.deb "$work/root"
cp "$work/root/usr/bin/tinyproxy" "$here/entrypoint.sh" "$here/egress-check.py" "$here/Dockerfile" "$work/"
# The label tells ./berth setup which sources the image was built from, so that a changed
# entrypoint is rebuilt rather than kept.
docker build -q --build-arg BASE="$base" --label "berth.source=$("$here/source-hash.sh")" -t "$image" "$work" >/dev/null
echo "built $image"
