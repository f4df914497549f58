#!/usr/bin/env bash
# Builds Berth's default sandbox image without any image registry: debootstrap a
# minimal Debian into a folder, then `docker import` it. Machines that can pull
# from a registry may use sandbox/Dockerfile instead; both give the same image.
#
#   sandbox/build-image.sh [IMAGE] [EXTRA_PACKAGES]   (default berth-sandbox:latest, none)
#
# EXTRA_PACKAGES, comma-separated Debian packages, makes another image on the same base: the
# second example image, berth-sandbox-science:latest, is the default plus python3-numpy.
#
# Needs root, debootstrap and a running Docker engine. Takes about 90 s.
set -euo pipefail

image="${1:-berth-sandbox:latest}"
extra="${2:-}"
suite="bookworm"
mirror="${BERTH_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  # Reuse the mirror apt already uses, so a machine behind a package proxy works as-is.
  mirror=$( (cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true) \
    | grep -oE '^(URIs:|deb) +https?://[^ ]+' | grep -v security | head -n 1 | awk '{print $2}' || true)
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

# Tools an agent reaches for first; everything else it can be told to do without.
packages="ca-certificates,procps,less,findutils,grep,sed,gawk,diffutils,patch,file,python3-minimal,git${extra:+,$extra}"

root=$(mktemp -d /tmp/berth-sandbox.XXXXXX)
trap 'rm -rf "$root"' EXIT

debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >/tmp/berth-debootstrap.log 2>&1 \
  || { tail -n 30 /tmp/berth-debootstrap.log >&2; exit 1; }

mkdir -p "$root/mnt/data"
chmod 0777 "$root/mnt/data"
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*

tar -C "$root" -c . | docker import \
  --change 'WORKDIR /mnt/data' \
  --change 'ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["sleep", "infinity"]' \
  --message "berth sandbox ($suite minbase${extra:+ + $extra})" \
  - "$image" >/dev/null

echo "built $image"
