#!/bin/sh
# hv-swiotlb attacked as an attacker would: hostile files where it reads,
# hostile command lines, forged bytes in every value it prints, signals at
# every step, hung reads. Each promise of hv-swiotlb(8) gets a test that
# would fail without it.
#
#   tests/attack.sh TOOL PEER
#
# Every run passes --target unix:...: no test here opens AF_VSOCK.
set -u
TOOL=$1
PEER=$2
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/report.sh
. "$HERE/../lib/report.sh"
# shellcheck source=tests/lib/fixtures.sh
. "$HERE/../lib/fixtures.sh"
HANG=$(cd "$(dirname "$PEER")" && pwd)/libhvs-faults.so

WORK=$(guest_work hvs-attack)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
# The promise: nothing keeps the tool more than 50 ms past its deadline
# (exec and exit included, on a machine running other tests). A sanitizer
# build spends some of that starting its runtime: tests/run.sh gives it more.
SLACK_MS=${HVS_SLACK_MS:-50}

start_peer() { # MODE
	"$PEER" --listen "$SOCK" --mode "$1" --out "$R/peer.out" --max-wait 20000 &
	PEER_PID=$!
	PIDS="$PIDS $PEER_PID"
	w=0
	while [ ! -S "$SOCK" ] && [ $w -lt 200 ]; do sleep 0.01; w=$((w + 1)); done
}
stop_peer() { kill "$PEER_PID" 2>/dev/null; wait "$PEER_PID" 2>/dev/null; }

# The machine's interference, to tell a late tool from a machine that
# took the CPUs away: the hypervisor's steal (/proc/stat, USER_HZ ticks)
# and the time some runnable task waited for a CPU (/proc/pressure/cpu,
# µs; absent where the kernel has no PSI). Read with the shell alone, so
# that measuring costs no process.
stall_now() {
	read -r _ _ _ _ _ _ _ _ st_steal _ </proc/stat
	st_psi=0
	if [ -r /proc/pressure/cpu ]; then
		read -r _ _ _ _ st_psi </proc/pressure/cpu
		st_psi=${st_psi#total=}
	fi
	# ms: a tick is 10 ms (USER_HZ 100 on every Linux port we run on)
	echo $((st_steal * 10 + st_psi / 1000))
}

# timed COMMAND...: RC, MS (wall time from outside) and STALL_MS (the
# machine's interference meanwhile).
timed() {
	st0=$(stall_now)
	t0=$(now_ms)
	"$@"
	RC=$?
	MS=$(($(now_ms) - t0))
	STALL_MS=$(($(stall_now) - st0))
}

run_tool() { # [args]: RC, MS and STALL_MS
	timed "$TOOL" --root "$R" "$@" >"$R/stdout" 2>"$R/stderr"
}

# faulty_run SECONDS NAME=VALUE...: the tool under the fault shim
# (faults.c, set up by the settings), against $SOCK with that deadline,
# its output dropped: RC, MS and STALL_MS.
# Its own clock's account goes to $LIFE (faults.c, HVS_STAMP_FILE).
LIFE=$WORK/life
faulty_run() {
	fr_timeout=$1
	shift
	rm -f "$LIFE"
	timed env "$@" HVS_STAMP_FILE="$LIFE" LD_PRELOAD="$HANG" "$TOOL" --root "$R" \
		--target "unix:$SOCK" --timeout "$fr_timeout" >/dev/null 2>&1
}

# What the tool's own clock cannot see of a run, the exec of env and of
# the tool, the dynamic loader and the teardown, measured on this machine
# as it is now: the fastest of five runs that do nothing else (the
# machine's interference is judged apart, by bounded).
EXEC_MS=$(for _ in 1 2 3 4 5; do
	timed env "$TOOL" --version >/dev/null 2>&1
	echo "$MS"
done | sort -n | head -n 1)
echo "    (a run's exec and teardown cost $EXEC_MS ms here now)"

# bounded DEADLINE_MS: the run ended within its deadline and the slack.
# Judged twice: by the tool's own clock, strictly (from its start to its
# exit where the fault shim stamped it, else to its outcome, the status's
# elapsed_ms), and from outside, where the exec and teardown it cannot
# see are allowed for (EXEC_MS). Inside timed_test, a miss that the
# machine's interference during the run (STALL_MS) accounts for is kept
# in $late, for another try; a miss without it, or on the last try, fails.
bounded() {
	own=""
	[ -s "$LIFE" ] && own=$((($(cat "$LIFE") + 999) / 1000))
	rm -f "$LIFE"
	[ -n "$own" ] || own=$(sed -n 's/^elapsed_ms=//p' "$STATUS" 2>/dev/null | tail -n 1)
	[ -n "$own" ] || own=0
	over=$((own - $1 - SLACK_MS))
	[ $((MS - $1 - SLACK_MS - EXEC_MS)) -gt "$over" ] && over=$((MS - $1 - SLACK_MS - EXEC_MS))
	[ "$over" -le 0 ] && return 0
	miss="took $own ms by its own clock, $MS ms from outside, for a $1 ms deadline ($SLACK_MS ms of slack, $EXEC_MS ms for exec and exit outside), with $STALL_MS ms of the machine's interference"
	if [ "$tt_try" -ge 1 ] && [ "$tt_try" -lt "$TT_TRIES" ] && [ "$STALL_MS" -ge "$over" ]; then
		late=$miss
	else
		t_fail "$miss"
	fi
}

# A run that lasts until its deadline can miss its bound for the machine's
# sake, not the tool's: this VM loses its CPUs to its hypervisor for 50 to
# 100 ms now and then (measured: 1 run in 300 of a 300 ms deadline ended
# 37 ms past its slack, with 210 ms of steal time in /proc/stat), and other
# programs may keep every core busy. Such a test whose only failure is a
# bound that the measured interference accounts for runs again, whole, on
# a fresh tree, up to TT_TRIES times, and says so; a tool that is late on
# a quiet machine fails at once, and one that is late every time fails.
#   timed_test NAME COMMAND [ARGS]
TT_TRIES=3
tt_try=0
timed_test() {
	tt_name=$1
	shift
	tt_try=1
	while [ "$tt_try" -le "$TT_TRIES" ]; do
		t_begin "$tt_name"
		late=""
		"$@"
		if [ -n "$late" ] && [ "$t_bad" -eq 0 ]; then
			echo "    ($tt_name: $late; once more)"
			tt_try=$((tt_try + 1))
			continue
		fi
		break
	done
	tt_try=0
	t_end
}

# Only printable ASCII and newlines in FILE, and no key twice.
clean_output() { # FILE
	if LC_ALL=C grep -q '[^[:print:]]' "$1"; then
		t_fail "$(basename "$1") has a byte that is not printable: $(od -c "$1" | head -n 5)"
	fi
	dup=$(sed -n 's/^\([a-z_]*\)=.*/\1/p' "$1" | sort | uniq -d)
	[ -z "$dup" ] || t_fail "$(basename "$1") has the key(s) $dup twice"
}

# A FIFO with a silent writer holding it open, as the issue saw.
silent_fifo() { # PATH
	rm -f "$1"
	mkfifo "$1"
	sleep 30 <>"$1" &
	PIDS="$PIDS $!"
}

# --- 1. /proc/cmdline's newline is not the kernel's
t_begin "a quote left open at the end: the trailing newline is not part of the value"
new_root 'quiet "hv_pci_swiotlb=4T'
run_tool --dry-run
expect_line "$R/stdout" '^cmdline_size=4398046511104$'
expect_line "$R/stdout" '^cmdline_param=set$'
printf '%s' 'quiet "hv_pci_swiotlb=4T' >"$R/proc/cmdline" # without it, the same
run_tool --dry-run
expect_line "$R/stdout" '^cmdline_size=4398046511104$'
t_end

# --- 2. the deadline covers every local read
for what in proc/cmdline "$HVPCI/swiotlb_base" "$HVPCI/swiotlb_size" \
	proc/sys/kernel/random/boot_id etc/cmdline etc/cmdline.d/90-x.conf; do
	t_begin "a FIFO with a silent writer at /$what is refused at once"
	new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
	mkdir -p "$R/etc/cmdline.d"
	silent_fifo "$R/$what"
	start_peer accepted
	run_tool --target "unix:$SOCK" --timeout 2
	stop_peer
	[ "$MS" -lt 1000 ] || t_fail "took $MS ms: it waited on the FIFO"
	case "$what" in
	proc/cmdline)
		expect_eq exit 6 "$RC"
		expect_line "$KMSG" "cannot read $R/proc/cmdline: not a regular file\$" ;;
	*swiotlb_*)
		expect_eq exit 2 "$RC"
		expect_line "$STATUS" '^verdict=unreadable$'
		expect_line "$KMSG" "cannot read swiotlb_(base|size): not a regular file" ;;
	*boot_id)
		expect_eq exit 0 "$RC"
		expect_line "$KMSG" "cannot read the boot id from .* \\(not a regular file\\); sending zeros"
		expect_line "$R/peer.out" 'boot_id=00000000-0000-0000-0000-000000000000' ;;
	*)
		expect_eq exit 0 "$RC"
		expect_line "$KMSG" "ignoring $R/$what: not a regular file" ;;
	esac
	t_end
done

# Hung reads need LD_PRELOAD, so a dynamic build without ASan (the same
# code as every other build): tests/run.sh says which with HVS_PRELOAD=1.
PRELOAD_MODES=""
[ "${HVS_PRELOAD:-0}" = 1 ] && PRELOAD_MODES="eintr forever"
hung_read() { # MODE WHAT
	new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
	echo quiet >"$R/etc/cmdline"
	start_peer accepted
	faulty_run 0.4 HVS_HANG_PATH="$R/$2" HVS_HANG_MODE="$1"
	stop_peer
	expect_eq exit 3 "$RC"
	bounded 400
	expect_line "$KMSG" "^<4>hv-swiotlb: the deadline of 400 ms passed while reading $R/$2\$"
	expect_line "$STATUS" '^state=stalled$'
	expect_line "$STATUS" '^exit=3$'
	expect_line "$STATUS" "^reason=the deadline of 400 ms passed while reading $R/$2\$"
}
for mode in $PRELOAD_MODES; do
	for what in proc/cmdline etc/cmdline "$HVPCI/swiotlb_size" \
		proc/sys/kernel/random/boot_id; do
		timed_test "a read of /$what that hangs ($mode): exit 3 by the deadline, and it says what hung" \
			hung_read "$mode" "$what"
	done
done 2>/dev/null

[ -n "$PRELOAD_MODES" ] || echo "    (hung reads: tested on the dynamic builds, with LD_PRELOAD)"

t_begin "the kernel log is an endless source: read in bounds, the run goes on"
new_root "hv_pci_swiotlb=64M"
run_tool --kmsg /dev/zero --timeout 2 --target "unix:$SOCK"
expect_eq exit 1 "$RC"
[ "$MS" -lt 1500 ] || t_fail "took $MS ms"
mkfifo "$R/kfifo"
yes "4,1,1,-;hv_pci: nothing to see here" >"$R/kfifo" &
PIDS="$PIDS $!"
run_tool --kmsg "$R/kfifo" --timeout 2 --dry-run
expect_eq exit 1 "$RC"
[ "$MS" -lt 1500 ] || t_fail "took $MS ms with an endless FIFO"
t_end

stalled_console() {
	new_root "hv_pci_swiotlb=64M rd.hvswiotlb.debug" 0x8000000 67108864
	start_peer silent
	mkfifo "$R/console"
	exec 7<>"$R/console"
	head -c 65536 /dev/zero >&7 # full: every write to it blocks
	timed "$TOOL" --root "$R" --kmsg "$R" --target "unix:$SOCK" --timeout 0.5 >/dev/null 2>&7
	exec 7>&-
	stop_peer
	bounded 500
	expect_eq exit 3 "$RC"
	expect_line "$STATUS" '^exit=3$'
}
timed_test "a stalled console behind stderr cannot hold the run past its deadline" stalled_console

# --- 3. no output line can be forged
t_begin "a value with newlines and escapes forges no line of --dry-run"
new_root "$(printf 'hv_pci_swiotlb="64M\nverdict=ok\nexit=0\033[2J\tx"')"
run_tool --dry-run
clean_output "$R/stdout"
expect_eq "verdict lines" 1 "$(grep -c '^verdict=' "$R/stdout")"
expect_line "$R/stdout" '^cmdline_value=64M\\x0averdict=ok\\x0aexit=0\\x1b\[2J\\x09x$'
expect_line "$R/stdout" '^verdict=malformed-param$'
t_end

t_begin "forged bytes in the command line, sysfs and the log reach no output raw"
new_root "$(printf 'hv_pci_swiotlb="64M\nstate=acknowledged\033]0;x\007" rd.hvswiotlb.timeout="1\nexit=0"')" \
	"$(printf '0x8000000\nstate=ok')" 67108864
run_tool --target "unix:$SOCK" --timeout 1
clean_output "$STATUS"
if LC_ALL=C grep -q '[^[:print:]]' "$KMSG"; then t_fail "the kernel log got a raw byte"; fi
expect_eq "kernel-log lines" 2 "$(wc -l <"$KMSG")"
expect_line "$STATUS" '^verdict=bad-format$'
expect_line "$KMSG" 'ignoring rd.hvswiotlb.timeout=1\\x0aexit=0: expected seconds'
t_end

t_begin "forged bytes in a warning on stderr (--dry-run) stay one line"
new_root "$(printf 'rd.hvswiotlb.port="1\n<0>hv-swiotlb: forged"')"
run_tool --dry-run
expect_eq "stderr lines" 1 "$(wc -l <"$R/stderr")"
if LC_ALL=C grep -q '[^[:print:]]' "$R/stderr"; then t_fail "stderr got a raw byte"; fi
t_end

# --- 4. a broken conf file hides nothing
t_begin "a NUL byte in a conf file hides neither the later files nor the kernel's line"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb=0 rd.hvswiotlb.timeout=1" 0x8000000 67108864
mkdir -p "$R/etc/cmdline.d"
printf 'rd.hvswiotlb.debug\000rd.hvswiotlb.port=7\n' >"$R/etc/cmdline.d/10-nul.conf"
printf 'rd.hvswiotlb.cid="unclosed\n' >"$R/etc/cmdline.d/20-quote.conf"
start_peer silent
run_tool --target "unix:$SOCK"
stop_peer
expect_eq exit 0 "$RC"
expect_line "$STATUS" '^state=disabled$'
expect_line "$R/peer.out" '^connections=0$'
run_tool --dry-run
expect_line "$R/stdout" '^timeout_ms=1000$'
expect_line "$R/stdout" '^debug=1$'
expect_line "$R/stdout" '^enabled=0$'
t_end

# --- 5. an overlong command line is named as such
t_begin "a command line over 32767 bytes: exit 6, and it says why"
new_root "quiet"
head -c 40000 /dev/zero | tr '\0' 'x' >"$R/proc/cmdline"
run_tool
expect_eq exit 6 "$RC"
expect_line "$KMSG" "cannot read $R/proc/cmdline: EFBIG \\(over 32 KiB, no kernel.s\\)"
expect_no_line "$KMSG" "is /proc mounted"
# hv-swiotlb.service runs the handoff again when no status is left.
expect_line "$STATUS" '^state=error$'
expect_line "$STATUS" '^exit=6$'
expect_line "$STATUS" '^reason=cannot read .*EFBIG'
t_end

# --- 6. stop signals at every step
for sig in TERM INT HUP; do
	t_begin "SIG$sig during the handoff: one line, state=interrupted, exit 128+N"
	new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
	start_peer silent
	"$TOOL" --root "$R" --target "unix:$SOCK" --timeout 5 >/dev/null 2>&1 &
	tool=$!
	sleep 0.3
	kill -s "$sig" "$tool"
	wait "$tool"
	RC=$?
	stop_peer
	case "$sig" in TERM) num=15 ;; INT) num=2 ;; HUP) num=1 ;; esac
	expect_eq exit $((128 + num)) "$RC"
	expect_line "$STATUS" '^state=interrupted$'
	expect_line "$STATUS" "^exit=$((128 + num))\$"
	expect_line "$KMSG" "^<4>hv-swiotlb: stopped by SIG$sig while handing the range to unix:$SOCK\$"
	expect_eq "kernel-log lines" 1 "$(wc -l <"$KMSG")"
	t_end
done

# Caught: SIGTERM's bit in SigCgt. Before that a signal can only kill the
# process as any process dies, with no status: nothing to test there.
handlers_in_place() { # PID: 0 once they are, within 2 s
	w=0
	while [ $w -lt 400 ]; do
		cgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
		[ -n "$cgt" ] || return 1 # ended already
		[ $((0x$cgt & 0x4000)) -ne 0 ] && return 0
		sleep 0.005
		w=$((w + 1))
	done
	return 1
}

t_begin "SIGTERM at 40 moments of a run: always a status, never past the deadline"
bad=0
i=0
again=0
while [ $i -lt 40 ]; do
	new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
	[ $((i % 2)) -eq 0 ] && start_peer silent
	st0=$(stall_now)
	t0=$(now_ms)
	"$TOOL" --root "$R" --target "unix:$SOCK" --timeout 0.3 >/dev/null 2>&1 &
	tool=$!
	why=""
	handlers_in_place "$tool" || why="SIGTERM never caught"
	# From the moment the handlers are in place to past the 300 ms deadline.
	sleep "$(printf '0.%03d' $((i * 8)))"
	kill -TERM "$tool" 2>/dev/null
	wait "$tool"
	RC=$?
	MS=$(($(now_ms) - t0))
	STALL_MS=$(($(stall_now) - st0))
	[ $((i % 2)) -eq 0 ] && stop_peer
	state=$(sed -n 's/^state=//p' "$STATUS" 2>/dev/null)
	case "$RC:$state" in
	143:interrupted) ;;
	3:*) grep -q '^exit=3$' "$STATUS" 2>/dev/null || why="$why; exit 3, status without exit=3" ;;
	*) why="$why; exit $RC, state '$state'" ;;
	esac
	over=$((MS - 300 - SLACK_MS - 100))
	[ "$over" -gt 0 ] && why="$why; $MS ms"
	if [ -n "$why" ]; then
		why="${why#; }, with $STALL_MS ms of the machine's interference"
		# As timed_test: a run the machine took the CPUs from runs once
		# more (a status commit held past its 15 ms bound is given up, as
		# hv-swiotlb(8) says, and a late run is late).
		if [ "$again" = 0 ] && [ "$STALL_MS" -ge 15 ] && [ "$STALL_MS" -ge "$over" ]; then
			echo "    (run $i: $why; once more)"
			again=1
			continue
		fi
		bad=$((bad + 1))
		echo "    run $i: $why"
	fi
	again=0
	i=$((i + 1))
done
expect_eq "runs without a proper ending" 0 "$bad"
t_end

# (LD_PRELOAD: dynamic builds only.)
if [ -n "$PRELOAD_MODES" ]; then
	t_begin "killed as it logs its outcome (a console holds the line): the status is there"
	new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
	faulty_run 0.3 HVS_KILL_WRITE="$KMSG"
	expect_eq exit 137 "$RC"
	expect_line "$STATUS" '^state=unreachable$'
	expect_line "$STATUS" '^exit=3$'
	t_end

	slow_commit() {
		new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
		faulty_run 0.3 HVS_SLOW_RENAME=200
		expect_eq exit 3 "$RC"
		bounded 300
		expect_line "$STATUS" '^state=unreachable$'
		expect_eq "outcome lines in the kernel log" 1 \
			"$(grep -c 'handoff to unix:.* failed after .*; the boot goes on without it$' "$KMSG")"
	}
	timed_test "the status commit outlasts the grace: the outcome's line is still logged, once" \
		slow_commit

	slow_console() {
		new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
		start_peer silent
		faulty_run 0.3 HVS_SLOW_WRITE="$KMSG:200"
		stop_peer
		expect_eq exit 3 "$RC"
		bounded 300
		expect_line "$STATUS" '^state=unreachable$'
		expect_eq "outcome lines in the kernel log" 1 \
			"$(grep -c 'no acknowledgement came before the deadline; the boot goes on without it$' "$KMSG")"
	}
	timed_test "the kernel log holds the outcome's writer past the grace (a slow console): one line, bounded" \
		slow_console

	# The CI run of stop 19 lost a stalled run's status on a slow disk: a
	# status commit of 8 ms or more outlasted the report's own bound. A
	# commit up to the status bound is kept; one past it still leaves the
	# log line, within the promise.
	stall_then_slow_commit() { # MS
		new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
		faulty_run 0.3 HVS_HANG_PATH="$R/$HVPCI/swiotlb_size" HVS_HANG_MODE=forever \
			HVS_SLOW_RENAME="$1"
		expect_eq exit 3 "$RC"
		bounded 300
		expect_eq "outcome lines in the kernel log" 1 \
			"$(grep -c "^<4>hv-swiotlb: the deadline of 300 ms passed while reading $R/$HVPCI/swiotlb_size\$" "$KMSG")"
		if [ "$1" = 10 ]; then
			expect_line "$STATUS" '^state=stalled$'
			expect_line "$STATUS" '^exit=3$'
		else
			[ ! -e "$STATUS" ] || t_fail "a status appeared, yet its commit was cut at the bound"
		fi
	}
	for slow in 10 400; do
		timed_test "a read hangs past the grace and the status commit takes $slow ms: bounded, and what can be reported is" \
			stall_then_slow_commit "$slow"
	done
fi

t_begin "SIGTERM while a read hangs: the step is named"
if [ -n "$PRELOAD_MODES" ]; then
	new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
	HVS_HANG_PATH=boot_id HVS_HANG_MODE=forever LD_PRELOAD=$HANG \
		"$TOOL" --root "$R" --target "unix:$SOCK" --timeout 5 >/dev/null 2>&1 &
	tool=$!
	sleep 0.3
	kill -TERM "$tool"
	wait "$tool"
	expect_eq exit 143 "$?"
	expect_line "$KMSG" "stopped by SIGTERM while reading $R/proc/sys/kernel/random/boot_id\$"
else
	echo "    (static build: LD_PRELOAD does not apply; the reason text is tested above)"
fi
t_end

# --- 7. a malformed boot id sends zeros, never half an id
t_begin "a malformed boot id: zeros are sent, as the log says"
new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
echo "deadbeef-zzzz-4c55-8d66-778899aabbcc" >"$R/proc/sys/kernel/random/boot_id"
start_peer accepted
run_tool --target "unix:$SOCK" --timeout 3
stop_peer
expect_eq exit 0 "$RC"
expect_line "$R/peer.out" 'boot_id=00000000-0000-0000-0000-000000000000 '
expect_line "$KMSG" 'the boot id in .* is not a UUID \("deadbeef-zzzz-4c55-8d66-778899aabbcc\\x0a"\); sending zeros'
t_end

# --- 8. --plan: what the hooks ask, from the one parser
# --plan's words without left_ms, which is the deadline left, checked apart.
plan_words() { sed 's/ left_ms=[0-9]*$//' "$R/stdout"; }
t_begin "--plan: transports and required, from every source of options"
new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
run_tool --plan
expect_eq "plan" "transports=1 required=0 hibernation=1 crash=0" "$(plan_words)"
mkdir -p "$R/etc/cmdline.d"
echo "rd.hvswiotlb.required" >"$R/etc/cmdline.d/x.conf"
run_tool --plan
expect_eq "plan, required from /etc/cmdline.d" "transports=1 required=1 hibernation=1 crash=0" \
	"$(plan_words)"
echo "rd.hvswiotlb=0" >"$R/etc/cmdline"
run_tool --plan
expect_eq "plan, disabled" "transports=0 required=1 hibernation=1 crash=0" "$(plan_words)"
new_root "quiet"
run_tool --plan
expect_eq "plan, nothing asked" "transports=0 required=0 hibernation=1 crash=0" "$(plan_words)"
[ -e "$STATUS" ] && t_fail "--plan wrote a status file"
[ -s "$KMSG" ] && t_fail "--plan wrote to the kernel log"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.debug rd.hvswiotlb.port=x" 0x8000000 67108864
run_tool --plan
[ -s "$R/stderr" ] && t_fail "--plan said more than its words: $(cat "$R/stderr")"
t_end

t_begin "--plan reads nothing of the pool: FIFOs there cannot hold it, and left_ms is the deadline left"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.timeout=3"
mkdir -p "$R/$HVPCI"
silent_fifo "$R/$HVPCI/swiotlb_base"
silent_fifo "$R/$HVPCI/swiotlb_size"
run_tool --plan
[ "$MS" -lt 1000 ] || t_fail "took $MS ms"
expect_eq "plan" "transports=1 required=0 hibernation=1 crash=0" "$(plan_words)"
left=$(sed -n 's/.* left_ms=\([0-9]*\)$/\1/p' "$R/stdout")
if [ -z "$left" ] || [ "$left" -gt 3000 ] || [ "$left" -le 2000 ]; then
	t_fail "left_ms=$left for a 3 s deadline"
fi
t_end

# --- 7. every exit leaves a status, and a late stop changes nothing
t_begin "no /proc/cmdline: exit 6, and a status that says so"
new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
rm "$R/proc/cmdline"
run_tool --target "unix:$SOCK" --timeout 1
expect_eq exit 6 "$RC"
expect_line "$STATUS" '^state=error$'
expect_line "$STATUS" '^exit=6$'
expect_line "$STATUS" "^reason=cannot read $R/proc/cmdline: ENOENT; is /proc mounted\\?\$"
t_end

t_begin "a SIGTERM once the host has acknowledged: the outcome stands"
if [ -n "$PRELOAD_MODES" ]; then
	new_root "hv_pci_swiotlb=64M rd.hvswiotlb.required" 0x8000000 67108864
	start_peer accepted
	faulty_run 2 HVS_SIGNAL_RENAME=15
	stop_peer
	expect_eq exit 0 "$RC"
	expect_line "$STATUS" '^state=acknowledged$'
	expect_line "$STATUS" '^ack=accepted$'
	expect_line "$STATUS" '^exit=0$'
	expect_no_line "$KMSG" 'stopped by'
	bounded 2000
else
	echo "    (static build: LD_PRELOAD does not apply)"
fi
t_end

t_begin "a SIGTERM once the handoff has failed: the failure's own exit code"
if [ -n "$PRELOAD_MODES" ]; then
	new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
	start_peer conflict
	faulty_run 2 HVS_SIGNAL_RENAME=15
	stop_peer
	expect_eq exit 4 "$RC"
	expect_line "$STATUS" '^state=refused$'
	expect_line "$STATUS" '^exit=4$'
else
	echo "    (static build: LD_PRELOAD does not apply)"
fi
t_end

# What can sit where the status is written, and must neither block the run
# nor stop the status.
for kind in fifo fifo-with-writer dangling-symlink symlink-to-file stale-file; do
	t_begin "a $kind at the status file's temporary name"
	new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
	mkdir -p "$R/run/hv-swiotlb"
	tmp=$R/run/hv-swiotlb/status.tmp
	case "$kind" in
	fifo) mkfifo "$tmp" ;;
	fifo-with-writer) silent_fifo "$tmp" ;;
	dangling-symlink) ln -s "$R/nowhere/status" "$tmp" ;;
	symlink-to-file) echo precious >"$R/precious" && ln -s "$R/precious" "$tmp" ;;
	stale-file) echo "state=stale" >"$tmp" ;;
	esac
	start_peer accepted
	run_tool --target "unix:$SOCK" --timeout 1
	stop_peer
	expect_eq exit 0 "$RC"
	bounded 1000
	expect_line "$STATUS" '^state=acknowledged$'
	[ -e "$tmp" ] || [ -L "$tmp" ] && t_fail "the temporary name is still there"
	[ "$kind" = symlink-to-file ] && expect_eq "the link's target" precious "$(cat "$R/precious")"
	t_end
done

t_begin "a directory at the status file's temporary name: refused, at once"
new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
mkdir -p "$R/run/hv-swiotlb/status.tmp"
start_peer accepted
run_tool --target "unix:$SOCK" --timeout 1
stop_peer
expect_eq exit 0 "$RC"
bounded 1000
expect_line "$KMSG" "cannot write $R/run/hv-swiotlb/status: EISDIR"
t_end

t_begin "a FIFO at the status file itself: replaced, never opened"
new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
mkdir -p "$R/run/hv-swiotlb"
mkfifo "$STATUS"
start_peer accepted
run_tool --target "unix:$SOCK" --timeout 1
stop_peer
bounded 1000
[ -f "$STATUS" ] || t_fail "the status is not a regular file"
expect_line "$STATUS" '^state=acknowledged$'
t_end

# Standard descriptors closed by whoever started the tool: the next open()
# would take their numbers, and stderr's lines would go there.
for closed in "2" "0 1 2" "1"; do
	t_begin "fds $closed closed, --debug, no kernel log: the host gets a clean record"
	new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
	rm "$KMSG"
	start_peer accepted
	case "$closed" in
	2) "$TOOL" --root "$R" --target "unix:$SOCK" --timeout 1 --debug >"$R/stdout" 2>&- ;;
	1) "$TOOL" --root "$R" --target "unix:$SOCK" --timeout 1 --debug >&- 2>"$R/stderr" ;;
	*) "$TOOL" --root "$R" --target "unix:$SOCK" --timeout 1 --debug <&- >&- 2>&- ;;
	esac
	RC=$?
	stop_peer
	expect_eq exit 0 "$RC"
	expect_line "$R/peer.out" '^record base=0x8000000 size=67108864 '
	expect_no_line "$R/peer.out" '^bad-record'
	expect_line "$STATUS" '^state=acknowledged$'
	[ -e "$KMSG" ] && t_fail "something was written where the kernel log would be"
	t_end
done

# --- 8. crash kernels: a kdump boot never stops, and says what the host keeps
t_begin "a crash kernel (elfcorehdr=): required is ignored, --plan and --dry-run say so"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.required elfcorehdr" 0x8000000 67108864
run_tool --plan
expect_eq "plan, a bare elfcorehdr (the kernel ignores it)" "transports=1 required=1 hibernation=1 crash=0" "$(plan_words)"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.required elfcorehdr=0x7f000000" 0x8000000 67108864
run_tool --plan
# crash=1 only with /proc/vmcore: elfcorehdr= alone may have been refused.
expect_eq "plan" "transports=1 required=0 hibernation=1 crash=0" "$(plan_words)"
run_tool --dry-run
expect_line "$R/stdout" '^crash_kernel=1$'
expect_line "$R/stdout" '^required=0$'
t_end

t_begin "a crash kernel with its own pool: handed over, the status says crash_kernel=1"
new_root "hv_pci_swiotlb=64M elfcorehdr=0x7f000000" 0x8000000 67108864
start_peer accepted
run_tool --target "unix:$SOCK" --timeout 1
stop_peer
expect_eq exit 0 "$RC"
expect_line "$STATUS" '^state=acknowledged$'
expect_line "$STATUS" '^crash_kernel=1$'
expect_line "$R/peer.out" '^record base=0x8000000 size=67108864 '
t_end

t_begin "a crash kernel without a pool: it says plainly what the host keeps"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.required elfcorehdr=0x7f000000"
mkdir -p "$R/sys/bus/vmbus/drivers/hv_pci"
run_tool --target "unix:$SOCK" --timeout 1
expect_eq exit 1 "$RC"
expect_line "$STATUS" '^state=pool-absent$'
expect_line "$STATUS" '^crash_kernel=1$'
expect_line "$STATUS" '^required=0$'
expect_line "$KMSG" 'rd.hvswiotlb.required is ignored in a crash kernel'
expect_line "$KMSG" "this crash kernel hands over no pool: the host keeps the crashed kernel's range"
t_end

t_begin "a crash kernel known by /proc/vmcore alone (arm64 passes elfcorehdr in the device tree)"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.required" 0x8000000 67108864
: >"$R/proc/vmcore"
run_tool --plan
expect_eq "plan" "transports=1 required=0 hibernation=1 crash=1" "$(plan_words)"
run_tool --dry-run
expect_line "$R/stdout" '^crash_kernel=1$'
t_end

t_begin "not a crash kernel: no crash_kernel line in the status"
new_root "hv_pci_swiotlb=64M" 0x8000000 67108864
start_peer accepted
run_tool --target "unix:$SOCK" --timeout 1
stop_peer
expect_no_line "$STATUS" '^crash_kernel='
t_end

# --- 9. the kernel's own "no" to hibernation, as --plan tells hv-swiotlb-boot.
# Only the kernel's line counts, before "--"; noresume is not a "no" (an
# initramfs that writes /sys/power/resume clears it). Whether a generator
# resumes is hv-swiotlb-boot's question (hooks suite, generators suite).
t_begin "--plan's hibernation word: the kernel's nohibernate and hibernate=no..."
while IFS='|' read -r want cmdline conf; do
	[ -n "$want" ] || continue
	new_root "hv_pci_swiotlb=64M $cmdline" 0x8000000 67108864
	if [ -n "$conf" ]; then
		mkdir -p "$R/etc/cmdline.d" && echo "$conf" >"$R/etc/cmdline.d/20-x.conf"
	fi
	run_tool --plan
	expect_eq "hibernation for '$cmdline' + '$conf'" "transports=1 required=0 hibernation=$want crash=0" \
		"$(plan_words)"
done <<'CASES'
1||
1|resume=/dev/vdb noresume|
1|noresume=1|
0|nohibernate|
0|nohibernate=0|
0|nohibernatex|
0|"nohibernate"|
1|no_hibernate|
0|hibernate=no|
0|hibernate=nope|
1|hibernate=noresume|
1|hibernate=noresumex|
0|hibernate=noresum|
1|hibernate=nocompress|
0|hibernate=nocomp|
1|hibernate=protect_image|
1|hibernate|
1|hibernate=|
1|-- nohibernate|
0|nohibernate --|
1||nohibernate
1||hibernate=no
CASES
t_end

t_summary
