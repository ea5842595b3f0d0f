#!/bin/bash
# Makes sure that `docker info` succeeds and that debootstrap is
# installed (the image builder needs it). On a fresh Debian machine as root
# it installs docker.io and debootstrap with apt-get and starts dockerd
# detached, logging to ${MAILHA_LOG_DIR:-/var/log/mailha}/dockerd.log and
# writing its pid to dockerd.pid there, so stop-docker.sh can stop it.
# Prints one line saying what it did; daemon output never reaches the terminal.
set -euo pipefail

log_dir=${MAILHA_LOG_DIR:-/var/log/mailha}
readonly log_dir
readonly DOCKER_WAIT_SECONDS=60
apt_updated=false
actions=()

apt_install() {
  if [[ $apt_updated == false ]]; then
    if ! apt-get update >/dev/null 2>"$log_dir/apt.log"; then
      echo "ensure-docker: apt-get update failed; see $log_dir/apt.log" >&2
      tail -n 5 "$log_dir/apt.log" >&2
      exit 1
    fi
    apt_updated=true
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null 2>>"$log_dir/apt.log"; then
    echo "ensure-docker: apt-get install $* failed; see $log_dir/apt.log" >&2
    tail -n 5 "$log_dir/apt.log" >&2
    exit 1
  fi
  actions+=("installed $*")
}

mkdir -p "$log_dir"

if ! command -v debootstrap >/dev/null 2>&1 && [[ ! -x /usr/sbin/debootstrap ]]; then
  apt_install debootstrap
fi

if docker info >/dev/null 2>&1; then
  if ((${#actions[@]} == 0)); then
    echo "ensure-docker: Docker is already running; nothing to do"
  else
    echo "ensure-docker: Docker is already running; ${actions[*]}"
  fi
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  # docker.io brings dockerd, containerd and runc from Debian's archive.
  apt_install docker.io
fi

# Debian's docker.io may have started dockerd through systemd during the
# install, so it starts one only when `docker info` still fails.
if ! docker info >/dev/null 2>&1; then
  setsid dockerd </dev/null >"$log_dir/dockerd.log" 2>&1 &
  echo $! >"$log_dir/dockerd.pid"
  for ((i = 0; i < DOCKER_WAIT_SECONDS; i++)); do
    docker info >/dev/null 2>&1 && break
    if ! kill -0 "$(cat "$log_dir/dockerd.pid")" 2>/dev/null; then
      echo "ensure-docker: dockerd exited during startup; last lines of $log_dir/dockerd.log:" >&2
      tail -n 10 "$log_dir/dockerd.log" >&2
      rm -f "$log_dir/dockerd.pid"
      exit 1
    fi
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "ensure-docker: docker info still fails after ${DOCKER_WAIT_SECONDS} s; see $log_dir/dockerd.log" >&2
    exit 1
  fi
  actions+=("started dockerd (pid $(cat "$log_dir/dockerd.pid"), log $log_dir/dockerd.log)")
fi

echo "ensure-docker: ${actions[*]}"
