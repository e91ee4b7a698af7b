#!/usr/bin/env bash
# Builds the project's Dockerfile, unchanged, with podman on a machine that has no image
# registry: the base images come from test/container/build-base-images.sh (cached), podman
# runs through test/container/podman.sh.
#
#   bash test/container/build-image.sh [TAG]      (default localhost/simpleclaw:dev)
#
# --format docker keeps the HEALTHCHECK (podman's default OCI format drops it).
#
# Where npm reaches the registry through a TLS-intercepting proxy (an npm `cafile` or
# NODE_EXTRA_CA_CERTS on this host), the build stage's `npm ci` must trust that CA too, and
# the image must not keep it. The CA bundle (Node's own roots + those) and an npmrc naming
# it are bind-mounted into the build stage's RUN steps only: first `--target build` with the
# mounts, then the whole file without them, which takes the build stage from the layer
# cache (mounts are not part of its key), so no runtime step ever runs with them and no
# mount point is left in the image.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
TAG=${1:-localhost/simpleclaw:dev}
PODMAN=(bash "$here/podman.sh")
log() { printf 'build-image: %s\n' "$*" >&2; }

t0=$(date +%s)
bash "$here/build-base-images.sh" >/dev/null

old=$("${PODMAN[@]}" image inspect --format '{{.Id}}' "$TAG" "$TAG-build" 2>/dev/null || true)

mounts=()
cafile=$(npm config get cafile 2>/dev/null || true)
case "$cafile" in null | undefined) cafile="" ;; esac
extra=()
for f in "$cafile" "${NODE_EXTRA_CA_CERTS:-}"; do
  [ -n "$f" ] && [ -s "$f" ] && [[ " ${extra[*]} " != *" $f "* ]] && extra+=("$f")
done
if [ ${#extra[@]} -gt 0 ]; then
  cadir=$(mktemp -d /var/tmp/simpleclaw-build-ca.XXXXXX)
  trap 'rm -rf "$cadir"' EXIT
  { node -p 'require("tls").rootCertificates.join("\n")'; cat "${extra[@]}"; } >"$cadir/ca.pem"
  printf 'cafile=/run/simpleclaw-build/ca.pem\n' >"$cadir/npmrc"
  mounts=(-v "$cadir/ca.pem:/run/simpleclaw-build/ca.pem:ro" -v "$cadir/npmrc:/usr/local/etc/npmrc:ro")
  log "build stage trusts the CA in ${extra[*]}"
fi

common=(build --format docker --network host --pull=never)
if [ ${#mounts[@]} -gt 0 ]; then
  "${PODMAN[@]}" "${common[@]}" "${mounts[@]}" --target build -t "$TAG-build" "$REPO" >&2
fi
"${PODMAN[@]}" "${common[@]}" -t "$TAG" "$REPO" >&2

# The images this replaced (untagged now): drop them so reruns do not pile up layers.
for id in $old; do
  [ -n "$("${PODMAN[@]}" image inspect --format '{{join .RepoTags ","}}' "$id" 2>/dev/null)" ] || "${PODMAN[@]}" rmi "$id" >/dev/null 2>&1 || true
done

size=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$TAG")
log "built $TAG in $(($(date +%s) - t0)) s: $((size / 1000000)) MB"
echo "$TAG"
