#!/usr/bin/env bash
# API benchmark (not a timed test): a private PostgreSQL, plumb's migrations, some seed rows,
# plumb_api_bench_server on loopback, then wrk against GET /v1/drift (cached summary) and a
# paginated list. Prints requests/s and p99 for each.
#   bench/api_bench.sh [BUILD_DIR]     (default build/default; needs plumb_api_bench_server built)
#   env: BENCH_SECONDS (10), BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_SERVER_THREADS (32),
#        BENCH_KEEPALIVE_MAX (100)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/default}
server_bin=$build/api/plumb_api_bench_server
seconds=${BENCH_SECONDS:-10}
threads=${BENCH_THREADS:-2}
connections=${BENCH_CONNECTIONS:-32}
pgbin=/usr/lib/postgresql/15/bin
[[ -x $server_bin ]] || { echo "api_bench: build plumb_api_bench_server first (cmake --build $build --target plumb_api_bench_server)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "api_bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d /tmp/plumb-api-bench.XXXXXX)
as_pg=()
if [[ $(id -u) == 0 ]]; then chown postgres "$work"; as_pg=(runuser -u postgres --); fi
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"${as_pg[@]}" "$pgbin/initdb" --no-sync -D "$work/data" -U postgres -A trust >/dev/null
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/data" -l "$work/pg.log" -w \
  -o "-k $work -c listen_addresses='' -p 54329 -c fsync=off" start >/dev/null
psql_cmd=(psql -q -v ON_ERROR_STOP=1 -h "$work" -p 54329 -U postgres -d postgres)

# plumb's own migrations, in order, as `plumb migrate` applies them to schema `plumb`.
shopt -s nullglob
migrations=("$root"/schemas/db/*.sql)
[[ ${#migrations[@]} -gt 0 ]] || { echo "api_bench: no migrations in schemas/db" >&2; exit 1; }
"${psql_cmd[@]}" -c "CREATE SCHEMA IF NOT EXISTS plumb" >/dev/null
for f in "${migrations[@]}"; do sed 's/@schema@/plumb/g' "$f" | "${psql_cmd[@]}" >/dev/null; done
"${psql_cmd[@]}" -f "$root/bench/api_bench_seed.sql" >/dev/null

admin=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$server_bin" --database-url "host=$work port=54329 user=postgres dbname=postgres" --admin-token "$admin" \
  --port 0 --threads "${BENCH_SERVER_THREADS:-32}" --keep-alive-max "${BENCH_KEEPALIVE_MAX:-100}" \
  --request-deadline-ms "${BENCH_REQUEST_DEADLINE_MS:-10000}" --rate-limit 1000000000 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 50); do grep -q '^PLUMB_API_PORT=' "$work/server.out" && break; sleep 0.1; done
port=$(sed -n 's/^PLUMB_API_PORT=//p' "$work/server.out")
[[ -n $port ]] || { cat "$work/server.err" >&2; exit 1; }

run() {
  local name=$1 path=$2
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $admin" \
    "http://127.0.0.1:$port$path")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  local non2xx
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '%-28s %10s req/s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p99" "${non2xx:-0}"
}
# Warm up: open the database connections and fill the drift cache before measuring.
for path in /v1/drift "/v1/tenants/acme/workspaces?limit=50"; do
  curl -fsS -o /dev/null -H "Authorization: Bearer $admin" "http://127.0.0.1:$port$path"
done
echo "plumb API benchmark: wrk -t$threads -c$connections -d${seconds}s, loopback, $(nproc) cores"
run "GET /v1/drift (cached)" "/v1/drift"
run "GET workspaces?limit=50" "/v1/tenants/acme/workspaces?limit=50"
