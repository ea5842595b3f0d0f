#!/bin/bash
# Stops the dockerd that ensure-docker.sh started, found by the pid file in
# ${MAILHA_LOG_DIR:-/var/log/mailha}/dockerd.pid, and waits up to 30 s for it
# to exit. Does nothing when there is no pid file or the process is gone.
set -euo pipefail

log_dir=${MAILHA_LOG_DIR:-/var/log/mailha}
readonly pid_file=$log_dir/dockerd.pid
readonly STOP_WAIT_SECONDS=30

if [[ ! -f $pid_file ]]; then
  echo "stop-docker: no $pid_file; nothing to stop"
  exit 0
fi
pid=$(cat "$pid_file")
# Checking the command name guards against a pid reused by another process.
if [[ ! $pid =~ ^[0-9]+$ ]] || [[ $(cat "/proc/$pid/comm" 2>/dev/null) != dockerd ]]; then
  echo "stop-docker: pid ${pid:-?} from $pid_file is not a running dockerd; removing the stale pid file"
  rm -f "$pid_file"
  exit 0
fi

kill -TERM "$pid"
for ((i = 0; i < STOP_WAIT_SECONDS * 10; i++)); do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$pid_file"
    echo "stop-docker: stopped dockerd (pid $pid)"
    exit 0
  fi
  sleep 0.1
done
echo "stop-docker: dockerd (pid $pid) did not exit within ${STOP_WAIT_SECONDS} s after SIGTERM" >&2
exit 1
