#!/bin/sh
# Real boots under QEMU: the images of every generator (tests/boot/
# build-images.sh), from the packages' own files when they were built,
# else from the staging tree, then every scenario (tests/boot/scenarios.sh).
#
#   tests/suites/boot.sh BUILD
set -u
B=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/report.sh
. "$HERE/../lib/report.sh"

tree=$B/stage
[ -d "$B/packages/deb-root" ] && tree=$B/packages/deb-root
t_begin "the images of every generator, from $tree"
if ! sh "$HERE/../boot/build-images.sh" "$tree" "$B/glibc/hv-swiotlb-recv" "$B/boot" \
	>"$B/boot-images.log" 2>&1; then
	t_fail "$(tail -n 20 "$B/boot-images.log")"
fi
t_end
[ "$failed" -eq 0 ] || { t_summary; exit 1; }
# scenarios.sh ends with its own count: add this one to it.
sh "$HERE/../boot/scenarios.sh" "$B/boot" >"$B/boot-scenarios.log" 2>&1
sed '$d' "$B/boot-scenarios.log"
line=$(tail -n 1 "$B/boot-scenarios.log")
case "$line" in
*" passed, "*" failed")
	passed=$((passed + ${line%% passed*}))
	f=${line#*, }
	failed=$((failed + ${f%% failed}))
	;;
*) failed=$((failed + 1)); echo "the scenarios ended without a count: $line" ;;
esac
t_summary
