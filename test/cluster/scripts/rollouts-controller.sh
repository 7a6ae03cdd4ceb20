#!/usr/bin/env bash
# Starts or stops the Argo Rollouts controller (built by `npm run rollouts:build`) against the local
# control plane, as a process beside kwok's components: `rollouts-controller.sh start|stop`.
# Its log is .tools/kwok/rollouts-controller.log. Extra environment for the controller comes from
# ROLLOUTS_CONTROLLER_ENV (space-separated NAME=value pairs).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

usage="usage: rollouts-controller.sh start|stop"
pid_file="${KWOK_HOME}/rollouts-controller.pid"
log_file="${KWOK_HOME}/rollouts-controller.log"
# Loopback ports of its health and metrics endpoints (its defaults, 8080 and 8090, are taken locally).
healthz_port=18095
metrics_port=18096

running() { [[ -f "${pid_file}" ]] && kill -0 "$(cat "${pid_file}")" 2>/dev/null; }

case "${1:-}" in
  start)
    binary="${ROLLOUTS_BIN_DIR}/rollouts-controller"
    if [[ ! -x "${binary}" ]]; then
      echo "rollouts-controller: ${binary} is missing: run npm run rollouts:build" >&2
      exit 1
    fi
    if running; then
      echo "rollouts-controller: already running (pid $(cat "${pid_file}"))"
      exit 0
    fi
    mkdir -p "${KWOK_HOME}"
    # shellcheck disable=SC2086 # word splitting of the NAME=value pairs is the point
    env ${ROLLOUTS_CONTROLLER_ENV:-} nohup "${binary}" \
      --kubeconfig "${KUBECONFIG_PATH}" \
      --leader-elect=false \
      --healthzPort "${healthz_port}" \
      --metricsPort "${metrics_port}" \
      --loglevel info >"${log_file}" 2>&1 &
    echo $! >"${pid_file}"
    for _ in $(seq 1 60); do
      if curl -fsS "http://127.0.0.1:${healthz_port}/healthz" >/dev/null 2>&1; then
        echo "rollouts-controller: $("${binary}" --version 2>/dev/null | head -1) running (pid $(cat "${pid_file}"), log ${log_file})"
        exit 0
      fi
      running || break
      sleep 1
    done
    echo "rollouts-controller: did not become healthy; last log lines:" >&2
    tail -n 20 "${log_file}" >&2
    exit 1
    ;;
  stop)
    if running; then
      pid="$(cat "${pid_file}")"
      kill "${pid}"
      for _ in $(seq 1 20); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.5; done
      kill -9 "${pid}" 2>/dev/null || true
      echo "rollouts-controller: stopped"
    fi
    rm -f "${pid_file}"
    ;;
  *)
    echo "${usage}" >&2
    exit 2
    ;;
esac
