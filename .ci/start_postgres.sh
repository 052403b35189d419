#!/usr/bin/env bash
# Start a throw-away PostgreSQL on 127.0.0.1:${PGPORT:-55432} and print the TEST_DATABASE_URL for it.
# Used by .ci/run and by developers who want the suite on PostgreSQL too.
set -euo pipefail
PGPORT=${PGPORT:-55432}
PGROOT=${PGROOT:-/tmp/survey-pg}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
if ! id postgres >/dev/null 2>&1; then useradd --system --home "$PGROOT" postgres; fi
if [ ! -s "$PGROOT/data/PG_VERSION" ]; then
  rm -rf "$PGROOT" && mkdir -p "$PGROOT" && chown postgres "$PGROOT"
  su postgres -c "$BIN/initdb -D $PGROOT/data -U postgres -A trust -E UTF8 --locale=C.UTF-8" >/dev/null
fi
if ! su postgres -c "$BIN/pg_ctl -D $PGROOT/data status" >/dev/null 2>&1; then
  su postgres -c "$BIN/pg_ctl -D $PGROOT/data -l $PGROOT/log -w start -o '-h 127.0.0.1 -p $PGPORT -k /tmp -c fsync=off -c max_connections=200'" >/dev/null
fi
psql_() { su postgres -c "psql -h 127.0.0.1 -p $PGPORT -U postgres -tAc \"$1\""; }
[ "$(psql_ "select 1 from pg_roles where rolname='survey'")" = "1" ] || psql_ "create role survey login password 'survey'" >/dev/null
# survey_test, and one database per pytest-xdist worker (survey_test_gw0 …) so parallel runs never share one
for db in survey_test survey_test_gw0 survey_test_gw1 survey_test_gw2 survey_test_gw3; do
  [ "$(psql_ "select 1 from pg_database where datname='$db'")" = "1" ] || psql_ "create database $db owner survey" >/dev/null
done
echo "postgresql://survey:survey@127.0.0.1:$PGPORT/survey_test"
