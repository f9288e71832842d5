#!/bin/sh
# Boot scenarios, for each image of the boot matrix: the handoff, its
# bound, its diagnosis and the emergency path, observed on a real boot
# under QEMU. Two guests boot at a time (one per core); the serial logs of
# failed scenarios are kept in OUT/failed/.
#
#   tests/boot/scenarios.sh OUT IMAGE...
#
# IMAGE is SUITE-GENERATOR (bookworm-dracut-shell, trixie-mkosi-initrd,
# ...): OUT/IMAGE.img, booted with the kernel OUT/IMAGE.kernel names (the
# suite's own, tests/boot/distro-images.sh), else this machine's
# (tests/boot/build-images.sh, which also makes the root disk). Which
# scenarios an image boots depends on its generator and suite (see
# scenarios_of); HVTEST_ONLY="NAME..." boots those scenarios alone, as
# make bench does.
set -u
OUT=$(cd "$1" && pwd) || exit 1
shift
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/report.sh
. "$HERE/../lib/report.sh"

KVER=$(cat "$OUT/kver")
kernel_of() { # IMAGE
	if [ -f "$OUT/$1.kernel" ]; then cat "$OUT/$1.kernel"; else echo "/boot/vmlinuz-$KVER"; fi
}
LOGS=$OUT/logs
rm -rf "$LOGS" "$OUT/failed"
mkdir -p "$LOGS"
GENERATORS=$*
TIMEOUT_S=3
BASE="root=/dev/vda rw rd.hvswiotlb.cid=1 rd.hvswiotlb.timeout=$TIMEOUT_S"
POOL="hv_pci_swiotlb=4M hv_swiotlb_stub.size=4M"
# A boot that may resume from the swap disk /dev/vdb; the root read-only,
# for the restored kernel finds the disk as it left it. pm_debug_messages:
# the kernel says when user space asks it to look for an image.
# hibernate=noresume: the kernel makes no attempt of its own, the
# generator still resumes (its write to /sys/power/resume clears it), and
# the handoff must wait for that attempt all the same.
RESUME="ro resume=/dev/vdb hibernate=noresume pm_debug_messages $POOL rd.hvswiotlb.debug"

# name|kernel command line beyond $BASE
# ok boots with noresume, as a VM that never hibernates would: dracut's
# resume module is in these images, and without noresume it may resume
# from any partition with a hibernation signature, so the handoff would
# rightly wait for that (the resume scenarios); ok checks the early order.
SCENARIOS="
ok|$POOL rd.hvswiotlb.debug noresume
no-receiver|$POOL hvtest.recv=none
silent-receiver|$POOL hvtest.recv=silent
fail-alloc|$POOL hv_swiotlb_stub.fail=alloc
fail-contig|$POOL hv_swiotlb_stub.fail=contig
fail-create|$POOL hv_swiotlb_stub.fail=create
fail-publish|$POOL hv_swiotlb_stub.fail=publish
fail-nodriver|$POOL hv_swiotlb_stub.fail=nodriver
legacy|hv_pci_swiotlb=0x8000000,4M hv_swiotlb_stub.legacy=0x8000000,4M
disabled|$POOL rd.hvswiotlb=0
not-asked|hv_swiotlb_stub.size=0
required|$POOL hvtest.recv=none rd.hvswiotlb.required rd.shell=0 rd.emergency=poweroff
resume|$RESUME
resume-noimage|$RESUME
"
# The unit image: hv-swiotlb.service under systemd as PID 1, no hook.
UNIT_SCENARIOS="
unit-ok|$POOL rd.hvswiotlb.debug
unit-skip|$POOL hvtest.status=present
unit-required|$POOL hvtest.recv=none rd.hvswiotlb.required rd.shell=0 rd.emergency=poweroff
"

# Which scenarios each image boots. Every generator of every suite: the
# handoff, the required stop and hibernation. The rest of the glue's
# scenarios (where and when the handoff runs, what does not stop a boot)
# on one suite, bookworm, in each generator: they depend on our glue, not
# on the suite's versions. The tool's diagnosis of the kernel's log lines,
# which no generator changes, on the fastest image. mkosi-initrd images
# are systemd initrds without a resume device set up by a generator of
# ours to compare: the handoff and the required stop.
CORE="ok required resume"
GLUE="$CORE no-receiver disabled not-asked resume-noimage"
DIAGNOSIS="silent-receiver fail-alloc fail-contig fail-create fail-publish fail-nodriver legacy"
scenarios_of() { # IMAGE
	case "$1" in
	bookworm-initramfs-tools) echo "$GLUE $DIAGNOSIS" ;;
	bookworm-dracut-systemd | bookworm-dracut-shell) echo "$GLUE" ;;
	*-unit) echo "unit-ok unit-skip unit-required" ;;
	*-mkosi-initrd) echo "ok required" ;;
	*) echo "$CORE" ;;
	esac
}

boot_one() { # GENERATOR NAME CMDLINE
	kernel=$(kernel_of "$1")
	case "$2" in
	resume)
		sh "$HERE/hibernate.sh" "$kernel" "$OUT/$1.img" "$OUT/root.ext4" "$BASE $3" \
			"$LOGS/$1.$2" "$OUT/hvtest-relay" "$OUT/hv-swiotlb-recv"
		# The first run's log, for the checks that read one log.
		cp "$LOGS/$1.$2.2.log" "$LOGS/$1.$2.log" 2>/dev/null
		;;
	resume-noimage)
		# A swap disk with no image on it: the resume attempt finds none.
		truncate -s 64M "$LOGS/$1.$2.swap"
		mkswap "$LOGS/$1.$2.swap" >/dev/null 2>&1
		sh "$HERE/boot.sh" "$kernel" "$OUT/$1.img" "$OUT/root.ext4" "$BASE $3" \
			"$LOGS/$1.$2.log" 180 -drive "file=$LOGS/$1.$2.swap,format=raw,if=virtio"
		rm -f "$LOGS/$1.$2.swap"
		;;
	*)
		sh "$HERE/boot.sh" "$kernel" "$OUT/$1.img" "$OUT/root.ext4" "$BASE $3" \
			"$LOGS/$1.$2.log" 180
		;;
	esac
}

# The next line of the plan, to whichever worker asks first.
next_boot() {
	while ! mkdir "$LOGS/.lock" 2>/dev/null; do sleep 0.05; done
	n=$(cat "$LOGS/.next")
	echo $((n + 1)) >"$LOGS/.next"
	rmdir "$LOGS/.lock"
	sed -n "${n}p" "$LOGS/plan"
}
worker() {
	while line=$(next_boot) && [ -n "$line" ]; do
		gen=${line%%|*}
		rest=${line#*|}
		boot_one "$gen" "${rest%%|*}" "${rest#*|}"
	done
}

# Boot every scenario of every generator, two at a time (one per core),
# the two-boot hibernation scenarios first, so that the rest fill in.
boot_all() {
	for gen in $GENERATORS; do
		list=$SCENARIOS
		case "$gen" in *-unit) list=$UNIT_SCENARIOS ;; esac
		wanted=" $(scenarios_of "$gen") "
		echo "$list" | while IFS='|' read -r name cmdline; do
			[ -n "$name" ] || continue
			case "$wanted" in *" $name "*) ;; *) continue ;; esac
			case " ${HVTEST_ONLY:-$name} " in *" $name "*) ;; *) continue ;; esac
			echo "$gen|$name|$cmdline"
		done
	done >"$LOGS/plan.all"
	{ grep '^[^|]*|resume|' "$LOGS/plan.all"; grep -v '^[^|]*|resume|' "$LOGS/plan.all"; } >"$LOGS/plan"
	echo 1 >"$LOGS/.next"
	worker &
	worker &
	wait
}

# What a boot left: marked lines of the serial log.
status_of() { sed -n "s|^HVTEST-FILE /run/hv-swiotlb/status: ||p" "$L" | tr -d '\r'; }
resumed_of() { sed -n "s|^HVTEST-FILE /run/hv-swiotlb/resumed-status: ||p" "$L" | tr -d '\r'; }
kmsg_has() { grep -q "^HVTEST-KMSG .*$1" "$L"; }
expect_status() { # KEY=VALUE...
	for kv in "$@"; do
		status_of | grep -qx -- "$kv" || t_fail "status has no '$kv' ($(status_of | tr '\n' ' '))"
	done
}
expect_kmsg() { kmsg_has "$1" || t_fail "the kernel log has no line matching '$1'"; }
expect_root() { grep -q '^HVTEST-DONE' "$L" || t_fail "the boot did not reach the real root"; }
status_value() { status_of | sed -n "s/^$1=//p"; }
# The handoff's time, bounded by the deadline and a small margin.
expect_bounded() {
	ms=$(status_value elapsed_ms)
	if [ -z "$ms" ] || [ "$ms" -gt $((TIMEOUT_S * 1000 + 250)) ]; then
		t_fail "the handoff took '${ms}' ms, more than the ${TIMEOUT_S} s deadline"
	fi
}

# The console line number where a pattern first shows ("" if none).
console_line() { sed 's/\x1b\[[0-9;]*m//g' "$L" | grep -a -n -m 1 -E "$1" | cut -d: -f1; }

# Kernel-log time of the first line matching a pattern ("" if none).
klog_time() { sed -n "s/^\[ *\([0-9.]*\)\] .*$1.*/\1/p" "$L" | tr -d '\r' | head -n 1; }
before() { [ -n "$1" ] && [ -n "$2" ] && [ "$(echo "$1 $2" | awk '{ print ($1 < $2) }')" = 1 ]; }

# The handoff came before the root was mounted, and with dracut (the hook
# runs at pre-trigger) before udev brought up any device: the first
# virtio block or network line. initramfs-tools runs it after udev, in
# init-premount, before any root or network configuration.
expect_order() {
	t_hand=$(sed -n 's/^HVTEST-KMSG \[ *\([0-9.]*\)\] hv-swiotlb: handed .*/\1/p' "$L" | tr -d '\r' | head -n 1)
	t_root=$(klog_time 'EXT4-fs (vda): mounted')
	t_blk=$(klog_time 'virtio_blk virtio[0-9]*: \[vda\]')
	t_net=$(klog_time 'virtio_net virtio[0-9]*')
	t_ip=$(klog_time 'IP-Config')
	before "$t_hand" "$t_root" || t_fail "handoff at '$t_hand' s is not before the root mount at '$t_root' s"
	case "$gen" in
	*-dracut-*)
		before "$t_hand" "$t_blk" ||
			t_fail "handoff at '$t_hand' s is not before the root device appeared at '$t_blk' s"
		[ -z "$t_net" ] || before "$t_hand" "$t_net" ||
			t_fail "handoff at '$t_hand' s is not before the network device at '$t_net' s"
		;;
	esac
	[ -z "$t_ip" ] || before "$t_hand" "$t_ip" ||
		t_fail "handoff at '$t_hand' s is not before the network was configured at '$t_ip' s"
	echo "    $gen: handed over at $t_hand s; root device $t_blk s, network ${t_net:--} s, root mounted $t_root s"
}

check() { # GENERATOR NAME
	gen=$1
	L=$LOGS/$1.$2.log
	case "$2" in
	ok)
		expect_root
		expect_status state=acknowledged ack=accepted verdict=ok
		# The receiver got exactly the range the kernel published.
		pub=$(sed -n 's/.*hv_pci: reserved swiotlb pool \[0x0*\([0-9a-f]*\)\.\..*/0x\1/p' "$L" | head -n 1)
		expect_eq "published base" "$pub" "$(status_value base)"
		json=$(sed -n 's|^HVTEST-FILE /run/hvtest/recv.json: ||p' "$L" | tr -d '\r')
		case "$json" in
		*"\"base\":\"$pub\",\"size\":4194304"*) ;;
		*) t_fail "the receiver recorded '$json', not base $pub size 4194304" ;;
		esac
		expect_order
		expect_kmsg 'hv-swiotlb: \[+[0-9]*ms\] attempt 1: connected'
		expect_kmsg 'hv-swiotlb: \[+[0-9]*ms\] done, exit 0'
		;;
	no-receiver)
		expect_root
		expect_status state=unreachable exit=3
		expect_bounded
		expect_kmsg 'hv-swiotlb: handoff to vsock:1:18515 failed after .*the boot goes on without it'
		;;
	silent-receiver)
		expect_root
		expect_status state=unreachable exit=3
		expect_bounded
		expect_kmsg 'no acknowledgement came before the deadline'
		;;
	fail-alloc | fail-contig | fail-create | fail-publish | fail-nodriver)
		want=$(echo "$2" | sed 's/fail-alloc/alloc-failed/; s/fail-contig/no-contig-alloc/;
			s/fail-create/pool-create-failed/; s/fail-publish/publish-failed/;
			s/fail-nodriver/no-hv-pci/')
		expect_root
		expect_status state=pool-absent "verdict=$want" exit=1
		expect_kmsg "hv-swiotlb: no pool to hand over ($want)"
		;;
	legacy)
		expect_root
		expect_status state=pool-absent verdict=legacy-param
		expect_kmsg 'is the legacy <base>,<size> form, which the kernel refuses (the kernel logged'
		;;
	disabled)
		expect_root
		expect_status state=disabled exit=0
		grep -q '^HVTEST-FILE /run/hvtest/recv.json: ' "$L" && t_fail "the receiver got a record"
		;;
	not-asked)
		expect_root
		expect_status state=none verdict=none exit=0
		kmsg_has 'hv-swiotlb:' && t_fail "hv-swiotlb logged something with nothing asked for"
		grep -q '^HVTEST-FILE /run/hvtest/recv.json: ' "$L" && t_fail "the receiver got a record"
		;;
	resume) check_resume ;;
	resume-noimage)
		expect_root
		expect_status state=acknowledged ack=accepted verdict=ok
		expect_kmsg 'hv-swiotlb: this boot may resume from hibernation (.*): the handoff waits'
		# After user space asked the kernel to look for an image, before the root.
		t_hand=$(sed -n 's/^HVTEST-KMSG \[ *\([0-9.]*\)\] hv-swiotlb: handed .*/\1/p' "$L" | tr -d '\r' | head -n 1)
		# A debug-level line: in the kernel log the root printed, not on the console.
		t_look=$(sed -n 's/^HVTEST-KMSG \[ *\([0-9.]*\)\] PM: hibernation: Hibernation image partition [0-9:]* present.*/\1/p' "$L" |
			tr -d '\r' | head -n 1)
		t_root=$(klog_time 'EXT4-fs (vda): mounted')
		before "$t_look" "$t_hand" ||
			t_fail "handoff at '$t_hand' s is not after the resume attempt at '$t_look' s"
		before "$t_hand" "$t_root" ||
			t_fail "handoff at '$t_hand' s is not before the root mount at '$t_root' s"
		echo "    $gen: resume attempt $t_look s, handed over $t_hand s, root mounted $t_root s"
		;;
	unit-ok)
		expect_root
		expect_status state=acknowledged ack=accepted verdict=ok
		expect_kmsg 'hv-swiotlb: handed \[0x[0-9a-f]*\.\.0x[0-9a-f]*) (4194304 bytes) to vsock:1:18515: accepted'
		lsinitrd "$OUT/$gen.img" 2>/dev/null | grep -q 'hooks/pre-trigger/.*hv-swiotlb' &&
			t_fail "the unit image has the hook: the unit is not what ran"
		# systemd ran it before sysinit.target, as the unit says (dracut's
		# own units here have no default dependencies, so the console, not
		# the root mount, is the measure).
		done_at=$(console_line 'Finished hv-swiotlb\.servic')
		sysinit_at=$(console_line 'Reached target sysinit\.target')
		if [ -z "$done_at" ] || [ -z "$sysinit_at" ] || [ "$done_at" -ge "$sysinit_at" ]; then
			t_fail "hv-swiotlb.service finished at console line '$done_at', sysinit.target at '$sysinit_at'"
		fi
		;;
	unit-skip)
		expect_root
		expect_status state=left-by-the-initramfs
		kmsg_has 'hv-swiotlb:' && t_fail "the unit ran although the initramfs had"
		grep -q '^HVTEST-FILE /run/hvtest/recv.json: ' "$L" && t_fail "the receiver got a record"
		;;
	required | unit-required)
		grep -q '^HVTEST-ROOT-REACHED' "$L" && t_fail "the boot went on to the real root"
		grep -q 'hv-swiotlb: the swiotlb pool handoff failed (exit 3) and rd.hvswiotlb.required is set' "$L" ||
			t_fail "the console does not show why the boot stopped"
		case "$gen" in
		*systemd* | *-unit | *-mkosi-initrd)
			# systemd runs a unit: its failure isolates emergency.target.
			[ -n "$(console_line 'Failed to start hv-swiotlb')" ] ||
				t_fail "the console does not show the unit's failure"
			[ -n "$(console_line 'Reached target emergency\.target')" ] ||
				t_fail "the console does not show the emergency target"
			;;
		esac
		grep -q '^HVTEST-TIMEOUT' "$L" && t_fail "the guest did not power off or reboot"
		;;
	esac
}

# Hibernate and resume (hibernate.sh): the first run hands its range over
# and hibernates; the second run's fresh kernel, with a pool elsewhere,
# resumes the image. The fresh kernel's range must never reach the
# receiver, and the receiver must end up holding the restored kernel's
# range and boot id, which it hands over again (a duplicate).
pool_of() { # LOG: the first pool the stand-in reserved, as 0x<hex>
	sed -n 's/.*hv_pci: reserved swiotlb pool \[0x0*\([0-9a-f]*\)\.\..*/0x\1/p' "$1" | head -n 1
}
check_resume() {
	L1=$LOGS/$gen.resume.1.log
	L2=$LOGS/$gen.resume.2.log
	W=$LOGS/$gen.resume.d
	grep -q '^HVTEST-HIBERNATING' "$L1" || t_fail "the first boot did not hibernate"
	grep -q '^HVTEST-RESUMED 0' "$L2" || t_fail "the second boot did not resume the image"
	p1=$(pool_of "$L1")
	p2=$(pool_of "$L2")
	id1=$(sed -n 's/^HVTEST-BOOT-ID //p' "$L1" | tr -d '\r' | head -n 1)
	id_end=$(sed -n 's/^HVTEST-BOOT-ID //p' "$L2" | tr -d '\r' | tail -n 1)
	if [ -z "$p1" ] || [ -z "$p2" ] || [ "$p1" = "$p2" ]; then
		t_fail "the fresh kernel's pool '$p2' is not elsewhere than the first '$p1': this proves nothing"
	fi
	expect_eq "the restored system's boot id" "$id1" "$id_end"
	# The fresh kernel left the handoff for after the resume attempt.
	grep -q 'hv-swiotlb: this boot may resume from hibernation' "$L2" ||
		t_fail "the fresh kernel did not say it left the handoff for later"
	sed -n '1,/PM: hibernation: resume from hibernation/p' "$L2" | grep -q 'hv-swiotlb: handed' &&
		t_fail "the fresh kernel handed its range over before the resume"
	# What the receiver applied: the first boot's range, once, never the fresh one's.
	json=$W/recv.json
	expect_eq "ranges the receiver applied" 1 "$(grep -c '"event":"accepted"' "$json")"
	grep -q "\"base\":\"$p2\"" "$json" && t_fail "the receiver applied the fresh kernel's range $p2"
	grep -q "\"boot_id\":\"$id1\",\"base\":\"$p1\"" "$json" ||
		t_fail "the receiver did not apply $p1 for boot $id1: $(cat "$json")"
	# What it holds at the end: the restored kernel's range and boot id.
	held=$(cat "$W"/state/* 2>/dev/null | tr '\n' ' ')
	case "$held" in
	*"boot_id=$id1 "*"base=$p1 "*) ;;
	*) t_fail "the receiver holds '$held', not boot $id1 with $p1" ;;
	esac
	# The restored kernel announced its range again, and heard duplicate.
	grep -q '^HVTEST-RE-ANNOUNCED 0' "$L2" || t_fail "the sleep hook did not run"
	# Its outcome beside the boot's own record, which stays: the
	# first boot's range, accepted.
	L=$L2
	resumed_of | tail -n 20 | grep -qx 'ack=duplicate' ||
		t_fail "the re-announcement was not a duplicate: $(resumed_of | tail -n 12 | tr '\n' ' ')"
	if ! status_of | tail -n 20 | grep -qx "base=$p1" ||
		! status_of | tail -n 20 | grep -qx 'ack=accepted'; then
		t_fail "the boot's own status was not kept: $(status_of | tail -n 12 | tr '\n' ' ')"
	fi
	echo "    $gen: boot $id1 handed $p1 and hibernated; the fresh kernel's $p2 stayed; restored, duplicate"
}

t0=$(now_ms)
boot_all
echo "    booted $(wc -l <"$LOGS/plan") guests in $((($(now_ms) - t0) / 1000)) s"
while IFS='|' read -r gen name cmdline; do
	t_begin "$gen: $name"
	check "$gen" "$name"
	if [ "$t_bad" -ne 0 ]; then
		mkdir -p "$OUT/failed"
		cp "$LOGS/$gen.$name.log" "$OUT/failed/"
		echo "    serial log kept: $OUT/failed/$gen.$name.log"
		# What CI shows of it: the tool's lines and the receiver's.
		grep -a -e '^HVTEST-KMSG .*hv-swiotlb' -e '^HVTEST-FILE /run/hvtest/recv.log' \
			"$LOGS/$gen.$name.log" | tr -d '\r' | tail -n 25 | sed 's/^/      | /'
	fi
	t_end
done <"$LOGS/plan"
t_summary
