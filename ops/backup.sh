#!/usr/bin/env bash
# Back up Dual Power: the database as a pg_dump custom-format archive and the uploaded files
# (var/media) as a tar file, with their SHA-256 sums, into one new folder.
#
#   ops/backup.sh [FOLDER]          default FOLDER: backups/<UTC date and time>
#
# BACKUP_MODE=compose (the default) works on the docker compose deployment from the folder that
# holds docker-compose.yml: pg_dump runs inside the postgres service (same version as the server)
# and the media volume is read through the web service. BACKUP_MODE=direct uses the local
# pg_dump on DATABASE_URL and the folder MEDIA_DIR (default var/media).
#
# The folder appears under its final name only when everything is written and summed, so a
# backup that failed half-way never looks complete. See "Backups" in README.md.
set -euo pipefail

mode=${BACKUP_MODE:-compose}
target=${1:-backups/$(date -u +%Y%m%dT%H%M%SZ)}
if [[ -e "$target" ]]; then
  echo "backup: $target exists already; choose a new folder" >&2
  exit 2
fi

dump_database() {  # writes the custom-format archive to stdout
  case "$mode" in
    compose)
      docker compose exec -T postgres sh -c \
        'pg_dump --format=custom --no-owner --no-privileges --username="$POSTGRES_USER" "$POSTGRES_DB"'
      ;;
    direct)
      : "${DATABASE_URL:?set DATABASE_URL (postgres://...) for BACKUP_MODE=direct}"
      pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL"
      ;;
  esac
}

archive_media() {  # writes a tar of the media folder's contents to stdout
  case "$mode" in
    compose) docker compose exec -T web tar -C /app/var/media -cf - . ;;
    direct) tar -C "${MEDIA_DIR:-var/media}" -cf - . ;;
  esac
}

case "$mode" in
  compose | direct) ;;
  *) echo "backup: BACKUP_MODE must be compose or direct, not '$mode'" >&2; exit 2 ;;
esac

partial="$target.partial"
rm -rf "$partial"
mkdir -p "$partial"
trap 'rm -rf "$partial"' EXIT

# The database first: files uploaded while the media are copied are then only extra files,
# never rows without their file.
dump_database >"$partial/db.dump"
archive_media >"$partial/media.tar"
# An archive pg_restore cannot read is not a backup.
pg_restore --list "$partial/db.dump" >/dev/null
(cd "$partial" && sha256sum db.dump media.tar >SHA256SUMS)

mv "$partial" "$target"
trap - EXIT
echo "backup: wrote $target ($(du -sh "$target" | cut -f1))"
