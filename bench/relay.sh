# Sourced by bench scripts that start the relay themselves: waiting for it to answer, and stopping it.
# wait_relay PID API LOG: polls API/health every 0.2 s for up to 120 s; fails (showing the log's end) if PID exits.
wait_relay() {
  local pid=$1 api=$2 log=$3
  for _ in $(seq 1 600); do
    curl -fsS --noproxy '*' -o /dev/null "$api/health" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { tail -n 40 "$log" >&2; echo "bench: the relay exited" >&2; return 1; }
    sleep 0.2
  done
  echo "bench: the relay did not answer $api/health within 120 s" >&2
  return 1
}
# stop_relay PID: TERM, up to 15 s to drain and stop, then KILL.
stop_relay() {
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 75); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}
# relay_env WORK API OPERATOR_KEY CLUSTER: exports, in the caller's (sub)shell, what a benchmark relay needs: the fresh
# Azurite's two accounts (ports 10100-10102 and 10112), STARTTLS on 12587, its certificate under WORK, the API, a new
# key-encryption key, a cluster of its own on the silo ports 11211/30100, and warnings only in its log.
relay_env() {
  local key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  export Sendarix__Storage__ConnectionString="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:10100/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10101/devstoreaccount1;TableEndpoint=http://127.0.0.1:10102/devstoreaccount1;"
  export Sendarix__Storage__ReportingConnectionString="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;TableEndpoint=http://127.0.0.1:10112/devstoreaccount1;"
  export Sendarix__Smtp__StartTlsPort=12587 Sendarix__Smtp__ImplicitTlsPort=12465
  export Sendarix__Smtp__DevelopmentCertificatePath="$1/cert.pfx"
  export Sendarix__Api__Url="$2" Sendarix__Api__OperatorApiKey="$3"
  Sendarix__Domains__KeyEncryptionKey=$(head -c 32 /dev/urandom | base64)
  export Sendarix__Domains__KeyEncryptionKey
  export Sendarix__Cluster__ClusterId="$4" Sendarix__Cluster__SiloPort=11211 Sendarix__Cluster__GatewayPort=30100
  export Logging__LogLevel__Default=Warning
}
