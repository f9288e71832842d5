# shellcheck shell=sh
# shellcheck disable=SC2034 # the variables set here are for the callers
# Fixtures shared by the tests that run hv-swiotlb and hv-swiotlb-recv over
# Unix sockets. The caller sets WORK, and GUEST or RECV where it uses them.

HVPCI=sys/bus/vmbus/drivers/hv_pci

# guest_work NAME: a fresh directory for guest trees, on a tmpfs where the
# machine has one at /dev/shm. An initramfs's /run and /dev are never on a
# disk, and a disk's journal would add its own stalls to the timings these
# tests hold the tool to. A slow /run is attacked on purpose (faults.c).
guest_work() {
	gw_base=/tmp
	if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ]; then
		gw_base=/dev/shm
	fi
	mktemp -d "$gw_base/$1-XXXXXX"
}
BOOT_ID=6f1c2a7e-3b44-4c55-8d66-778899aabbcc
n=0

# guest_root DIR CMDLINE [BASE SIZE [BOOT_ID]]: a guest's /proc, /sys, /dev,
# /run and /etc under DIR, for --root; the pool published when given.
guest_root() {
	mkdir -p "$1/proc/sys/kernel/random" "$1/dev" "$1/run" "$1/etc" "$1/$HVPCI"
	printf '%s\n' "$2" >"$1/proc/cmdline"
	echo "${5:-$BOOT_ID}" >"$1/proc/sys/kernel/random/boot_id"
	: >"$1/dev/kmsg"
	if [ $# -ge 4 ]; then
		printf '%s\n' "$3" >"$1/$HVPCI/swiotlb_base"
		printf '%s\n' "$4" >"$1/$HVPCI/swiotlb_size"
	fi
}

# new_root CMDLINE [BASE SIZE]: a fresh tree in $R; STATUS, KMSG, SOCK in it.
new_root() {
	n=$((n + 1))
	R=$WORK/$n
	guest_root "$R" "$@"
	STATUS=$R/run/hv-swiotlb/status
	KMSG=$R/dev/kmsg
	SOCK=$R/sock
}

# guest SOCKET CMDLINE BASE SIZE [BOOT_ID]: $GUEST once, on a fresh tree,
# within GUEST_TIMEOUT (default 5 s); sets GRC, GMS and GSTATUS.
guest() {
	n=$((n + 1))
	G=$WORK/g$n
	guest_root "$G" "$2" "$3" "$4" "${5:-$BOOT_ID}"
	t0=$(now_ms)
	"$GUEST" --root "$G" --target "unix:$1" --timeout "${GUEST_TIMEOUT:-5}" 2>"$G/stderr"
	GRC=$?
	GMS=$(($(now_ms) - t0))
	GSTATUS=$G/run/hv-swiotlb/status
}

# start_recv NAME ARGS...: $RECV in the background until it listens; its log
# in $WORK/NAME.log, its stdout in $ROUT (default $WORK/NAME.json), and the
# words of $RENV (NAME=VALUE) in its environment.
start_recv() {
	RNAME=$1
	shift
	# shellcheck disable=SC2086 # RENV is words of NAME=VALUE
	env ${RENV:-} "$RECV" "$@" >"${ROUT:-$WORK/$RNAME.json}" 2>"$WORK/$RNAME.log" &
	RECV_PID=$!
	wait_listening "$WORK/$RNAME.log"
}

# wait_listening LOG: until a receiver's log says it listens, up to 3 s.
wait_listening() {
	w=0
	until grep -q "listening on" "$1" 2>/dev/null || [ $w -ge 300 ]; do
		sleep 0.01
		w=$((w + 1))
	done
}

# stop_recv: SIGTERM, and its exit status in RECV_RC.
stop_recv() {
	[ -n "${RECV_PID:-}" ] || return 0
	kill -TERM "$RECV_PID" 2>/dev/null
	wait "$RECV_PID"
	RECV_RC=$?
	RECV_PID=""
}

fd_count() {
	find "/proc/$RECV_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

# hostile_paths PREFIX: HP1, HP2, HP3, socket paths under PREFIX whose names
# hold a tab, a newline, and UTF-8 with an escape sequence.
hostile_paths() {
	HP1=$(printf '%s/vm\t1' "$1")
	HP2=$(printf '%s/vm\n2' "$1")
	HP3=$(printf '%s/vm-\303\251t\303\251\033[2J3' "$1")
}
