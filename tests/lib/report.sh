# shellcheck shell=sh
# Shared by the shell test scripts: tiny TAP-like reporting that ends with
# the "N passed, N failed" line tests/run.sh adds up.

passed=0
failed=0
t_name=""
t_bad=0

t_begin() {
	t_name=$1
	t_bad=0
}

# t_fail MESSAGE: the current test fails (it goes on to list every problem).
t_fail() {
	t_bad=1
	printf '    %s: %s\n' "$t_name" "$1"
}

t_end() {
	if [ "$t_bad" -eq 0 ]; then
		passed=$((passed + 1))
		printf 'ok - %s\n' "$t_name"
	else
		failed=$((failed + 1))
		printf 'not ok - %s\n' "$t_name"
	fi
}

expect_eq() { # WHAT WANT GOT
	[ "$2" = "$3" ] || t_fail "$1: want '$2', got '$3'"
}

# A running program's log may lag what it did: hv-swiotlb-recv queues its
# lines and writes them after the answer they speak of, so a line is
# waited for, up to 2 s, before it is missed. A present line costs nothing.
expect_line() { # FILE EXTENDED-REGEX: some line of FILE matches
	el_wait=0
	while ! grep -Eq -- "$2" "$1" 2>/dev/null && [ $el_wait -lt 40 ]; do
		sleep 0.05
		el_wait=$((el_wait + 1))
	done
	grep -Eq -- "$2" "$1" 2>/dev/null || {
		t_fail "no line of $(basename "$1") matches /$2/"
		[ -f "$1" ] && sed 's/^/      | /' "$1"
	}
}

expect_no_line() { # FILE EXTENDED-REGEX
	if grep -Eq -- "$2" "$1" 2>/dev/null; then
		t_fail "$(basename "$1") has a line matching /$2/"
	fi
}

t_summary() {
	printf '%s passed, %s failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ]
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# The lowest descriptor number PID has not open: as RLIMIT_NOFILE, it
# leaves the process no descriptor to open.
lowest_free_fd() { # PID
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n |
		awk 'BEGIN { n = 0 } $1 == n { n++ } END { print n }'
}
