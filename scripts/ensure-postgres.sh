#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 with a `test` database.
# Installs it from Debian's packages and starts it when missing; never assumes it.
set -euo pipefail
host=127.0.0.1
if ! command -v pg_isready >/dev/null 2>&1; then
  echo "ensure-postgres: installing PostgreSQL from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi
if ! pg_isready -q -h "$host"; then
  echo "ensure-postgres: starting PostgreSQL" >&2
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  conf=/etc/postgresql/$ver/main/pg_hba.conf
  # Local tests use trust auth on loopback only.
  if ! grep -q "^host all all 127.0.0.1/32 trust" "$conf"; then
    sed -i '1i host all all 127.0.0.1/32 trust' "$conf"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$host" && break; sleep 1; done
fi
pg_isready -h "$host"
if ! psql -h "$host" -U postgres -d test -Atc 'select 1' >/dev/null 2>&1; then
  psql -h "$host" -U postgres -d postgres -c 'create database test' >/dev/null
fi
