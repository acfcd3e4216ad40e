#!/bin/sh
# Prints "package: path" for each path given that a Debian package owns,
# under its own name or its merged-/usr alias (/usr/bin/x is /bin/x).
# Prints nothing where there is no dpkg.
command -v dpkg-query >/dev/null 2>&1 || exit 0
for p in "$@"; do
	for q in "$p" "${p#/usr}"; do
		case $q in /*) ;; *) continue;; esac
		owner=$(dpkg-query -S "$q" 2>/dev/null | sed -n "s|^\([^:]*\): $q\$|\1|p" | head -1)
		if [ -n "$owner" ]; then
			echo "$owner: $p"
			break
		fi
	done
done
exit 0
