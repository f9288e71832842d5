#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages named on the command line that are missing.
# Idempotent and quiet: prints nothing when everything is there.
set -eu

missing=""
for pkg in "$@"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $pkg" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages:$missing; install them, or run make as root" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# One update per install run: package lists on a fresh machine may be empty.
apt-get update -qq >/dev/null
# shellcheck disable=SC2086 # one word per package, on purpose
apt-get install -y -qq --no-install-recommends $missing >/dev/null
