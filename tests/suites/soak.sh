#!/bin/sh
# One hv-swiotlb-recv, run as production runs it, through more than 10,000
# handoffs from 200 guests: with --exec and --state-dir, a stdout nobody
# reads, SIGHUP and SIGCHLD storms, and a spell without a file descriptor
# to spare in the middle. Afterwards every guest was answered by the rules,
# nothing decided was lost across a restart, descriptors and memory are
# back where they were, no process is left behind, the log is bounded, and
# --list shows what was recorded, applied or not, refusing a damaged file.
#
#   tests/soak.sh RECV CLIENT
set -u
RECV=$1
CLIENT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/report.sh
. "$HERE/../lib/report.sh"

GUESTS=200
WARM=2       # boots per guest before the measures are taken
BOOTS=15     # boots per guest in the soak itself
WORK=$(mktemp -d /tmp/hvs-soak-XXXXXX)
RECV_PID=""
BG=""
cleanup() {
	for p in $BG; do kill "$p" 2>/dev/null; done
	[ -n "$RECV_PID" ] && kill "$RECV_PID" 2>/dev/null
	exec 3>&- 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

set --
i=0
while [ $i -lt $GUESTS ]; do set -- "$@" --unix "$WORK/g$i"; i=$((i + 1)); done
# Each range applied by a command that takes a moment and checks what it got.
# shellcheck disable=SC2016 # expanded by the receiver's sh -c, not here
EXEC='sleep 0.01; case "$HVS_SWIOTLB" in 0x8000000,67108864) ;; *) exit 1 ;; esac'

start_recv() { # LOG
	"$RECV" "$@" --state-dir "$WORK/state" --exec "$EXEC" >"$WORK/out.fifo" 2>>"$WORK/$LOG" &
	RECV_PID=$!
	w=0
	until [ "$(grep -c 'listening on' "$WORK/$LOG" 2>/dev/null)" -ge $GUESTS ] || [ $w -ge 500 ]; do
		sleep 0.02
		w=$((w + 1))
	done
}
fds() { find "/proc/$RECV_PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$RECV_PID/status"; }
children() { pgrep -P "$RECV_PID" | wc -l; }

# stdout: a FIFO held open and not read until the end.
mkfifo "$WORK/out.fifo"
exec 3<>"$WORK/out.fifo"
LOG=recv1.log
start_recv "$@"

t_begin "warm-up: $((GUESTS * WARM * 3)) handoffs, every answer by the rules"
"$CLIENT" soak "$WORK/g" $GUESTS $WARM 0 >"$WORK/warm.out" 2>"$WORK/warm.err"
expect_line "$WORK/warm.out" "^accepted=$((GUESTS * WARM))\$"
expect_line "$WORK/warm.out" '^wrong=0$'
t_end
sleep 1
fd0=$(fds)
rss0=$(rss)
log0=$(wc -c <"$WORK/$LOG")
echo "    after the warm-up: $fd0 descriptors, $rss0 KiB resident, $log0 bytes of log"

t_begin "the soak: $((GUESTS * BOOTS * 3)) handoffs under signals and an fd drought"
t0=$(now_ms)
"$CLIENT" soak "$WORK/g" $GUESTS $BOOTS $WARM >"$WORK/soak.out" 2>"$WORK/soak.err" &
soak=$!
# SIGHUP every 100 ms, and SIGCHLD in bursts of 50 that no child sent.
( while kill -0 "$soak" 2>/dev/null; do kill -HUP "$RECV_PID"; sleep 0.1; done ) &
BG="$BG $!"
( while kill -0 "$soak" 2>/dev/null; do
	i=0
	while [ $i -lt 50 ]; do kill -CHLD "$RECV_PID"; i=$((i + 1)); done
	sleep 0.2
done ) &
BG="$BG $!"
# A spell with no descriptor to spare, a third of the way in.
sleep 3
soft=$(prlimit --pid "$RECV_PID" --nofile --noheadings --output SOFT)
prlimit --pid "$RECV_PID" --nofile="$(lowest_free_fd "$RECV_PID"):"
sleep 1.5
prlimit --pid "$RECV_PID" --nofile="$soft:"
wait "$soak"
ms=$(($(now_ms) - t0))
for p in $BG; do wait "$p" 2>/dev/null; done
BG=""
echo "    soak: $(tr '\n' ' ' <"$WORK/soak.out")in $ms ms"
expect_line "$WORK/soak.out" "^accepted=$((GUESTS * BOOTS))\$"
expect_line "$WORK/soak.out" "^duplicate=$((GUESTS * BOOTS))\$"
expect_line "$WORK/soak.out" "^conflict=$((GUESTS * BOOTS))\$"
expect_line "$WORK/soak.out" '^wrong=0$'
kill -0 "$RECV_PID" 2>/dev/null || t_fail "the receiver is gone"
grep -q 'out of file descriptors\|descriptors to watch' "$WORK/$LOG" ||
	t_fail "the fd drought did not bite: the test did not test it"
t_end

t_begin "afterwards: descriptors and memory back, no process left behind"
sleep 1.5
fd1=$(fds)
rss1=$(rss)
echo "    after the soak: $fd1 descriptors, $rss1 KiB resident, $(children) children"
expect_eq "descriptors" "$fd0" "$fd1"
[ "$rss1" -le $((rss0 + 512)) ] || t_fail "resident memory grew from $rss0 to $rss1 KiB"
expect_eq "children" 0 "$(children)"
pgrep -f '^sleep 0\.01' >/dev/null && t_fail "an --exec command is still running"
t_end

t_begin "the log stays bounded"
bytes=$(($(wc -c <"$WORK/$LOG") - log0))
echo "    log: $bytes bytes for $((GUESTS * BOOTS * 3)) handoffs in $ms ms"
# 20 lines per call site per 10 s, and their summaries: about 40 KiB a second at the very most.
[ "$bytes" -le $((ms * 40 + 65536)) ] || t_fail "$bytes bytes of log in $ms ms"
grep -h 'errno [0-9]' "$WORK/$LOG" && t_fail "an errno by its number"
t_end

t_begin "stdout, read at last: every decision, or a count of what was dropped"
timeout 10 cat "$WORK/out.fifo" >"$WORK/events" &
reader=$!
sleep 1.5
kill -TERM "$RECV_PID"
wait "$RECV_PID"
rc=$?
RECV_PID=""
exec 3>&-
wait "$reader"
expect_eq "exit after SIGTERM" 0 "$rc"
got=$(grep -c '"event":"accepted"' "$WORK/events")
dropped=$(sed -n 's/.*"event":"dropped","count":\([0-9]*\).*/\1/p' "$WORK/events" |
	awk '{ s += $1 } END { print s + 0 }')
echo "    stdout: $got events written, $dropped counted as dropped"
expect_eq "events written + dropped" $((GUESTS * (WARM + BOOTS))) $((got + dropped))
[ -e "$WORK/g0" ] && t_fail "the socket files were left behind"
t_end

t_begin "restarted: no decision lost"
mkfifo "$WORK/out.fifo" 2>/dev/null
exec 3<>"$WORK/out.fifo"
LOG=recv2.log
start_recv "$@"
expect_line "$WORK/$LOG" "loaded the ranges of $GUESTS guests from"
"$CLIENT" soak-check "$WORK/g" $GUESTS $((WARM + BOOTS - 1)) >"$WORK/check.out" 2>"$WORK/check.err"
expect_line "$WORK/check.out" "^duplicate=$GUESTS\$"
expect_line "$WORK/check.out" "^conflict=$GUESTS\$"
expect_line "$WORK/check.out" '^wrong=0$'
t_end

t_begin "--list, while it runs: every guest the soak recorded, at its last boot"
"$RECV" --list --json --state-dir "$WORK/state" >"$WORK/list.json" 2>"$WORK/list.err"
expect_eq "exit" 0 "$?"
expect_eq "guests listed" $GUESTS "$(grep -c '"applied":true' "$WORK/list.json")"
# make_boot() in tests/fakes/fake-guest.c: bytes 0-1 the guest, 2-3 the boot, 15 0x42.
last=$(printf '%04x' $((WARM + BOOTS - 1)))
expect_eq "at the last boot, with the soak's range" $GUESTS "$(grep -c "\"boot_id\":\"....${last}-0000-0000-0000-000000000042\",\"base\":\"0x8000000\",\"size\":67108864" "$WORK/list.json")"
"$RECV" --list --state-dir "$WORK/state" "unix:$WORK/g7" >"$WORK/list7.txt"
expect_line "$WORK/list7.txt" "^unix:$WORK/g7 +0007${last}-0000-0000-0000-000000000042 0x08000000 +67108864 .* applied\$"
# Each guest's last record was the soak's conflicting range for that boot:
# kept beside it, not applied (written after the answer: it may lag a little).
refused() {
	"$RECV" --list --json --state-dir "$WORK/state" >"$WORK/list-na.json" 2>/dev/null
	grep -c "\"boot_id\":\"....${last}-0000-0000-0000-000000000042\",\"base\":\"0xc000000\",\"size\":67108864,\"time\":\"[0-9T:Z-]*\",\"applied\":false,\"answer\":\"conflict\"}" "$WORK/list-na.json"
}
w=0
until [ "$(refused)" -ge $GUESTS ] || [ $w -ge 30 ]; do
	sleep 0.1
	w=$((w + 1))
done
expect_eq "guests whose last conflict is listed, not applied" $GUESTS "$(refused)"
expect_eq "lines in all" $((2 * GUESTS)) "$(wc -l <"$WORK/list-na.json")"
t_end

t_begin "--list refuses a damaged file, which the receiver then moves aside"
f=$(grep -l "^peer=unix:$WORK/g9\$" "$WORK"/state/* | grep -v '\.unapplied$' | head -n 1)
printf 'peer=unix:%s/g9\nboot_id=00090010-0000-0000-0000-000000000042\nbase=0x8000000\nsize=67108864\n' "$WORK" >"$f"
"$RECV" --list --json --state-dir "$WORK/state" >"$WORK/list2.json" 2>"$WORK/list2.err"
expect_eq "exit" 2 "$?"
expect_eq "guests listed" $((GUESTS - 1)) "$(grep -c '"applied":true' "$WORK/list2.json")"
expect_line "$WORK/list2.err" "$(basename "$f") is damaged \\(a line is missing or out of place\\): not shown"
[ -f "$f" ] || t_fail "--list moved it"
kill -HUP "$RECV_PID"
sleep 0.5
expect_line "$WORK/$LOG" "$(basename "$f") is damaged .*: moved aside"
kill -TERM "$RECV_PID"
wait "$RECV_PID"
RECV_PID=""
t_end

t_summary
