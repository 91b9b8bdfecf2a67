#!/bin/sh
# Runs once, at the primary's first start (docker-entrypoint-initdb.d of docker-compose.scale.yml):
# the role the standby streams with, and the pg_hba.conf line that lets it (the image's own line,
# "host all all all", does not cover replication connections). The password is an example.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "create role replicator with replication login password 'replicator-example-password'"
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
