#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for arq's tests (.ci/run uses it):
#   scripts/pg-cluster.sh start DIR PORT   installs PostgreSQL from the system's packages if
#                                           it is missing, creates a cluster in DIR, starts it
#                                           on 127.0.0.1:PORT (with TLS, its certificate in
#                                           DIR/ca.crt) and prints its URL
#   scripts/pg-cluster.sh stop DIR          stops it (and removes DIR)
# The cluster trusts local connections (a test logs in as any role), does not fsync and
# keeps little WAL (a test run creates and drops hundreds of databases).
set -euo pipefail

cmd=${1:?usage: pg-cluster.sh start DIR PORT | stop DIR}
dir=${2:?a directory for the cluster}

find_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# PostgreSQL refuses to run as root: then the cluster belongs to the system's
# postgres user (which the package creates).
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        # From / : the postgres user may not enter the directory we run in.
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

case "$cmd" in
start)
    port=${3:?a port}
    bin=$(find_bin)
    if [ -z "$bin" ]; then
        echo "installing PostgreSQL from the system's packages" >&2
        sudo_=""
        [ "$(id -u)" = 0 ] || sudo_="sudo"
        $sudo_ apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq postgresql >&2
        bin=$(find_bin)
    fi
    [ -n "$bin" ] || { echo "PostgreSQL could not be installed" >&2; exit 1; }
    if ! command -v openssl >/dev/null 2>&1; then
        sudo_=""
        [ "$(id -u)" = 0 ] || sudo_="sudo"
        DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq openssl >&2 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U arq_owner --auth=trust -E UTF8 --no-locale >/dev/null
    # TLS with a certificate of its own for 127.0.0.1: DIR/ca.crt is what a client
    # trusts it by (PGSSLROOTCERT).
    ssl=""
    if command -v openssl >/dev/null 2>&1; then
        # A throwaway CA, and the server's certificate signed by it.
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=arq test CA" \
            -keyout "$dir/ca.key" -out "$dir/ca.crt" >/dev/null 2>&1
        openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
            -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' > "$dir/server.ext"
        openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
            -CAcreateserial -days 2 -extfile "$dir/server.ext" -out "$dir/server.crt" >/dev/null 2>&1
        cp "$dir/server.key" "$dir/data/server.key"
        cp "$dir/server.crt" "$dir/data/server.crt"
        chmod 600 "$dir/data/server.key"
        if [ "$(id -u)" = 0 ]; then chown postgres "$dir/data/server.key" "$dir/data/server.crt"; fi
        chmod 644 "$dir/ca.crt"
        ssl="-c ssl=on"
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=96MB -c min_wal_size=32MB -c max_connections=200 $ssl" \
        start >/dev/null
    echo "postgres://arq_owner@127.0.0.1:$port/postgres"
    ;;
stop)
    bin=$(find_bin)
    if [ -n "$bin" ] && [ -d "$dir/data" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg-cluster.sh start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
