# Sourced by bench scripts that run bench/run.sh more than once: the services of one run (the relay, Azurite, the
# sinks, dnsmasq, the peers, rspamd, the webhook receiver) take a moment to let go of their ports after it ends.
ports_free() {
  for port in 10100 10101 10102 10112 10027 10053 10587 10026 10687 10696 11432 11433 11434 12587 18025 18090; do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 1
  done
  return 0
}
wait_ports() {
  for _ in $(seq 1 150); do ports_free && return 0; sleep 0.2; done
  echo "bench: the previous run's ports are still in use" >&2
  return 1
}
