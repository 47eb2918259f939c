#!/usr/bin/env bash
# Restore a Dual Power backup made by ops/backup.sh: the database from db.dump and the uploaded
# files from media.tar. Everything in the target database and media folder is replaced.
#
#   ops/restore.sh --yes FOLDER
#
# BACKUP_MODE=compose (the default) works on the docker compose deployment: it stops web, worker
# and beat (nothing writes while restoring), restores inside the postgres service, replaces the
# media volume's contents through a one-off web container, and starts the services again.
# BACKUP_MODE=direct restores into DATABASE_URL (best a new, empty database) and MEDIA_DIR.
#
# The sums are checked first: a damaged or incomplete backup is refused and nothing changes.
# The database is restored in one transaction, so a failure leaves it as it was.
set -euo pipefail

mode=${BACKUP_MODE:-compose}
if [[ "${1:-}" != "--yes" || -z "${2:-}" ]]; then
  echo "usage: ops/restore.sh --yes FOLDER   (replaces the database and the uploaded files)" >&2
  exit 2
fi
source=$2
case "$mode" in
  compose | direct) ;;
  *) echo "restore: BACKUP_MODE must be compose or direct, not '$mode'" >&2; exit 2 ;;
esac

for file in db.dump media.tar SHA256SUMS; do
  [[ -f "$source/$file" ]] || { echo "restore: $source/$file is missing; nothing was changed" >&2; exit 1; }
done
if ! (cd "$source" && sha256sum --check --quiet --strict SHA256SUMS); then
  echo "restore: $source does not match its SHA256SUMS; nothing was changed" >&2
  exit 1
fi
pg_restore --list "$source/db.dump" >/dev/null
tar -tf "$source/media.tar" >/dev/null

restore_database() {  # reads the custom-format archive from stdin
  case "$mode" in
    compose)
      docker compose exec -T postgres sh -c 'pg_restore --clean --if-exists --no-owner --no-privileges \
        --exit-on-error --single-transaction --username="$POSTGRES_USER" --dbname="$POSTGRES_DB"'
      ;;
    direct)
      : "${DATABASE_URL:?set DATABASE_URL (postgres://...) for BACKUP_MODE=direct}"
      pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction \
        --dbname="$DATABASE_URL"
      ;;
  esac
}

restore_media() {  # reads a tar from stdin; the folder ends up holding exactly its files
  case "$mode" in
    compose)
      docker compose run --rm --no-deps -T web sh -c \
        'find /app/var/media -mindepth 1 -delete && tar -C /app/var/media -xf -'
      ;;
    direct)
      local media=${MEDIA_DIR:-var/media}
      mkdir -p "$media"
      find "$media" -mindepth 1 -delete
      tar -C "$media" -xf -
      ;;
  esac
}

if [[ "$mode" == compose ]]; then
  docker compose stop web worker beat
fi
restore_database <"$source/db.dump"
restore_media <"$source/media.tar"
if [[ "$mode" == compose ]]; then
  # migrate runs first (a backup from an older release is brought up to date), then the rest.
  docker compose up -d
fi
echo "restore: restored $source"
