#!/usr/bin/env bash
# podman as this project's container test, build scripts and bench run it (rootful, on a
# machine without systemd), through a containers.conf of our own:
#   - runtime runc: crun refuses hybrid cgroup v1/v2 hosts ("cgroups in hybrid mode not
#     supported"), and runc works on both;
#   - default ulimits at this shell's hard limits (nproc also at most kernel.pid_max):
#     otherwise podman asks for more and container start fails with "error setting
#     rlimit ... operation not permitted" (seen here: nofile above `ulimit -Hn`, nproc
#     above pid_max);
#   - cgroupfs and file events: there is no systemd or journald to talk to.
# Everything else is podman's default. Used as `bash test/container/podman.sh ARGS...`, and
# as podman-compose's --podman-path.
set -euo pipefail
if [ -z "${CONTAINERS_CONF:-}" ]; then
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  [ "$nofile" = unlimited ] && nofile=1048576
  [ "$nproc" = unlimited ] && nproc=1048576
  pid_max=$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo "$nproc")
  [ "$nproc" -gt "$pid_max" ] && nproc=$pid_max
  dir=/var/tmp/simpleclaw-podman
  conf="$dir/containers-$nofile-$nproc.conf"
  if [ ! -s "$conf" ]; then
    mkdir -p "$dir"
    tmp=$(mktemp "$dir/.conf.XXXXXX")
    cat >"$tmp" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
    mv "$tmp" "$conf"
  fi
  export CONTAINERS_CONF="$conf"
fi
exec podman "$@"
