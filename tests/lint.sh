#!/bin/sh
# Lint: every shell file through shellcheck, every man page through mandoc.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

shell_files=$(
	{
		git ls-files --cached --others --exclude-standard 2>/dev/null || find . -type f -not -path './build/*'
	} | while read -r f; do
		[ -f "$f" ] || continue
		case "$f" in
		*.sh | .ci/run) echo "$f" ;;
		*) head -c 32 "$f" | grep -q '^#!.*sh' && echo "$f" ;;
		esac
	done | sort -u
)
for f in $shell_files; do
	t_begin "shellcheck $f"
	out=$(shellcheck -x "$f" 2>&1) || t_fail "$out"
	t_end
done

for f in man/*.[1-9]; do
	[ -f "$f" ] || continue
	t_begin "mandoc -Tlint $f"
	out=$(mandoc -Tlint -Wwarning "$f" 2>&1)
	[ -z "$out" ] || t_fail "$out"
	t_end
done

t_summary
