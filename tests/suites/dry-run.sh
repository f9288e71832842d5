#!/bin/sh
# `hv-swiotlb --dry-run --cmdline-file F --sysfs-root D` must give the
# kernel's answer (cmdline_size and cmdline_param) for every row of
# tests/data/cmdline-table.txt, the same table the C unit test reads. Each row
# is the kernel's line: F holds it as /proc/cmdline does, with one newline
# added, and once more without it.
#
#   tests/dry-run-table.sh TOOL [TABLE]
set -u
TOOL=$1
TABLE=${2:-$(dirname "$0")/../data/cmdline-table.txt}
# shellcheck source=tests/lib/report.sh
. "$(dirname "$0")/../lib/report.sh"

WORK=$(mktemp -d /tmp/hvs-dr-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/sys" "$WORK/root"
lineno=0

while IFS= read -r row || [ -n "$row" ]; do
	lineno=$((lineno + 1))
	case "$row" in '#'* | '') continue ;; esac
	size=${row%% *}
	rest=${row#* }
	state=${rest%% *}
	cmdline=""
	[ "$rest" != "$state" ] && cmdline=${rest#* }
	t_begin "$(basename "$TOOL") line $lineno: $cmdline"
	for newline in '\n' ''; do
		# printf %b decodes the table's \t, \n, \\ and \0NNN escapes.
		printf "%b$newline" "$cmdline" >"$WORK/cmdline"
		"$TOOL" --dry-run --cmdline-file "$WORK/cmdline" --sysfs-root "$WORK/sys" \
			--root "$WORK/root" >"$WORK/out" 2>"$WORK/err"
		rc=$?
		case "$rc" in 0 | 1) ;; *) t_fail "exit $rc: $(cat "$WORK/err")" ;; esac
		expect_line "$WORK/out" "^cmdline_size=$size\$"
		expect_line "$WORK/out" "^cmdline_param=$state\$"
	done
	t_end
done <"$TABLE"

[ $((passed + failed)) -ge 70 ] || { echo "the table has too few rows"; failed=$((failed + 1)); }
t_summary
