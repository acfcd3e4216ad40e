#!/bin/sh
# After meson install, on the live system (no DESTDIR, root, systemd
# running): what a package's maintainer scripts do. meson shows a script's
# output only when it fails, so a failure says which step and why; the
# steps themselves are listed by meson setup's summary.
set -e
[ -z "${DESTDIR:-}" ] && [ "$(id -u)" = 0 ] && [ -d /run/systemd/system ] || exit 0
run() {
	"$@" >/dev/null 2>&1 || { echo "sysnut: post-install step failed: $*"; "$@"; exit 1; }
}
run systemd-sysusers "$1"
run systemd-tmpfiles --create "$2"
run systemctl daemon-reload
run busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
run journalctl --update-catalog
echo "sysnut: post-install steps done: sysusers, tmpfiles, daemon-reload, bus reload, catalog"
