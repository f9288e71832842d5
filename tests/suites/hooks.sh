#!/bin/sh
# The dracut hook and the initramfs-tools boot script under busybox sh (and
# klibc's sh), in a chroot with the real, static hv-swiotlb from DESTDIR:
# the tool is the only parser of its options, and the hooks do what its
# --plan says. /proc/cmdline, /etc/cmdline.d and sysfs are fixture files;
# modprobe is a stub; the handoff goes to a scripted host over a Unix
# socket (a wrapper adds --target), never to AF_VSOCK. The dracut hook runs
# with dracut's real dracut-lib.sh.
#
#   tests/hooks.sh DESTDIR PEER
set -u
D=$(cd "$1" && pwd) || exit 1
PEER=$2
# shellcheck source=tests/lib/report.sh
. "$(dirname "$0")/../lib/report.sh"

WORK=$(mktemp -d /tmp/hvs-hooks-XXXXXX)
PEER_PID=""
trap 'stop_peer; unmount_proc; rm -rf "$WORK"' EXIT
BUSYBOX=$(command -v busybox)
DRACUT_LIB=$(find /usr/lib/dracut/modules.d/ -path '*base/dracut-lib.sh' | head -n 1)
DRACUT_RESUME=$(dirname "$(find /usr/lib/dracut/modules.d/ -path '*resume/parse-resume.sh' | head -n 1)")
HOOK=$D/usr/lib/dracut/modules.d/50hv-swiotlb/hv-swiotlb-hook.sh
RESUME_HOOK=$D/usr/lib/dracut/modules.d/50hv-swiotlb/hv-swiotlb-resume-hook.sh
SCRIPT=$D/usr/share/initramfs-tools/scripts/init-premount/hv-swiotlb
RESUME_SCRIPT=$D/usr/share/initramfs-tools/scripts/local-premount/hv-swiotlb
SLEEP_HOOK=$(find "$D/usr/lib/systemd/system-sleep" "$D/lib/systemd/system-sleep" -name hv-swiotlb \
	2>/dev/null | head -n 1)

# new_root CMDLINE HOST [published]: a fresh chroot in $R, and a scripted
# host in MODE accepted, refuse (conflict) or none.
new_root() {
	stop_peer
	R=$WORK/root
	rm -rf "$R"
	mkdir -p "$R/bin" "$R/sbin" "$R/usr/sbin" "$R/proc/sys/kernel/random" "$R/run" \
		"$R/etc/cmdline.d" "$R/lib" "$R/scripts" "$R/sys/bus/vmbus/drivers/hv_pci" \
		"$R/tmp" "$R/dev"
	mknod -m 666 "$R/dev/null" c 1 3
	# A kernel that can hibernate, as initramfs-tools' resume checks.
	mkdir -p "$R/sys/power"
	: >"$R/sys/power/resume"
	: >"$R/dev/kmsg"
	cp "$BUSYBOX" "$R/bin/busybox"
	# klibc's sh, which initramfs-tools images use when busybox is absent.
	cp /usr/lib/klibc/bin/sh "$R/bin/klibc-sh"
	cp /usr/lib/klibc-*.so "$R/lib/"
	# No grep: dracut images do not have it, so the hook must not need it.
	for applet in sh cat mkdir printf echo rm ln tr sed mv env; do
		ln -s busybox "$R/bin/$applet"
	done
	printf '%s\n' "$1" >"$R/proc/cmdline"
	echo 6f1c2a7e-3b44-4c55-8d66-778899aabbcc >"$R/proc/sys/kernel/random/boot_id"
	if [ "${3:-}" = published ]; then
		echo 0x8000000 >"$R/sys/bus/vmbus/drivers/hv_pci/swiotlb_base"
		echo 67108864 >"$R/sys/bus/vmbus/drivers/hv_pci/swiotlb_size"
	fi
	# The real tool, every call recorded; the handoff goes to /host.sock.
	cp "$D/usr/sbin/hv-swiotlb" "$R/usr/sbin/hv-swiotlb.real"
	cat >"$R/usr/sbin/hv-swiotlb" <<'WRAP'
#!/bin/sh
echo "hv-swiotlb $*" >>/log
case " $* " in
*" --plan "*) exec /usr/sbin/hv-swiotlb.real "$@" ;;
*) exec /usr/sbin/hv-swiotlb.real "$@" --target unix:/host.sock ;;
esac
WRAP
	chmod +x "$R/usr/sbin/hv-swiotlb"
	# The real hv-swiotlb-boot, sourced by a wrapper that stubs modprobe
	# first: busybox sh runs its own modprobe applet whatever PATH says.
	mkdir -p "$R/usr/lib/hv-swiotlb"
	cp "$D/usr/lib/hv-swiotlb/hv-swiotlb-boot" "$R/usr/lib/hv-swiotlb/hv-swiotlb-boot.real"
	printf '#!/bin/sh\n. /stubs.sh\n. /usr/lib/hv-swiotlb/hv-swiotlb-boot.real\n' \
		>"$R/usr/lib/hv-swiotlb/hv-swiotlb-boot"
	chmod +x "$R/usr/lib/hv-swiotlb/hv-swiotlb-boot"
	# busybox sh prefers its own applets to PATH, so modprobe is stubbed
	# as a shell function that the runners below define first.
	printf 'modprobe() { echo "modprobe $*" >>/log; }\n' >"$R/stubs.sh"
	: >"$R/log"
	case "$2" in
	accepted) start_peer accepted ;;
	refuse) start_peer conflict ;;
	esac
}

start_peer() {
	"$PEER" --listen "$R/host.sock" --mode "$1" --out "$WORK/peer.out" --max-wait 30000 &
	PEER_PID=$!
	w=0
	while [ ! -S "$R/host.sock" ] && [ $w -lt 200 ]; do sleep 0.01; w=$((w + 1)); done
}

stop_peer() {
	[ -n "$PEER_PID" ] || return 0
	kill "$PEER_PID" 2>/dev/null
	wait "$PEER_PID" 2>/dev/null
	PEER_PID=""
}

status() { sed -n "s/^$1=//p" "$R/run/hv-swiotlb/status" 2>/dev/null; }

# dracut: source dracut-lib.sh, stub emergency_shell, source the hook
# (the pre-trigger one, or the one given).
run_dracut_hook() {
	cp "$DRACUT_LIB" "$(dirname "$DRACUT_LIB")/dracut-dev-lib.sh" "$R/lib/"
	# getarg in dracut 059 asks dracut-util (a small glibc program).
	mkdir -p "$R/lib64" "$R/lib/x86_64-linux-gnu"
	cp /usr/lib/dracut/dracut-util "$R/bin/"
	cp /lib/x86_64-linux-gnu/libc.so.6 "$R/lib/x86_64-linux-gnu/"
	cp /lib64/ld-linux-x86-64.so.2 "$R/lib64/"
	ln -sf dracut-util "$R/bin/dracut-getarg"
	ln -sf dracut-util "$R/bin/dracut-getargs"
	cp "${1:-$HOOK}" "$R/hook.sh"
	# An image with dracut's resume module: its parse-resume.sh, this
	# machine's own, runs first, once, as the cmdline hook it is.
	if [ "${RESUME_MODULE:-0}" = 1 ] && [ ! -e "$R/cmdline-ran" ]; then
		mkdir -p "$R/lib/dracut/hooks/initqueue/finished" "$R/lib/dracut/hooks/initqueue/settled" \
			"$R/lib/dracut/hooks/initqueue/timeout" "$R/lib/dracut/hooks/pre-mount" \
			"$R/lib/dracut/hooks/emergency" "$R/etc/udev/rules.d"
		cp "$DRACUT_RESUME/parse-resume.sh" "$R/cmdline-hook.sh"
		cp "$DRACUT_RESUME/resume.sh" "$R/lib/dracut/resume.sh"
		: >"$R/cmdline-ran"
	fi
	cat >"$R/run.sh" <<'RUN'
. /lib/dracut-lib.sh
. /stubs.sh
emergency_shell() { echo "emergency_shell $*" >>/log; }
if [ -e /cmdline-hook.sh ]; then
	. /cmdline-hook.sh
	rm -f /cmdline-hook.sh
fi
. /hook.sh
echo "hook returned $?" >>/log
RUN
	PATH=/bin:/sbin:/usr/sbin chroot "$R" /bin/sh /run.sh >"$WORK/out" 2>&1
	RC=$?
}

# initramfs-tools: run in a shell of its own (its exit is its status),
# with a stub panic in /scripts/functions; init-premount's script, or the
# one given. init exports BOOT and resume: IT_BOOT and IT_RESUME.
run_it_script() {
	cp "${1:-$SCRIPT}" "$R/script"
	printf 'panic() { echo "panic $*" >>/log; }\n' >"$R/scripts/functions"
	# Without busybox, an initramfs-tools image's /bin/sh is klibc's.
	[ "$IT_SHELL" = /bin/klibc-sh ] && ln -sf klibc-sh "$R/bin/sh"
	PATH=/bin:/sbin:/usr/sbin BOOT=${IT_BOOT:-local} resume=${IT_RESUME:-} \
		chroot "$R" "$IT_SHELL" -c '. /stubs.sh; . /script' >"$WORK/out" 2>&1
	RC=$?
}

# The handoff's run: the deadline the plan left, as --timeout.
ran_tool() { expect_line "$R/log" '^hv-swiotlb --timeout [0-9]*\.[0-9][0-9][0-9]$'; }
loaded() { expect_line "$R/log" '^modprobe -q hv_sock$'; expect_line "$R/log" '^modprobe -q vmw_vsock_virtio_transport$'; }
not_loaded() { expect_no_line "$R/log" '^modprobe'; }

for gen in dracut initramfs-tools initramfs-tools/klibc-sh; do
	run=run_it_script
	stop_word=panic
	IT_SHELL=/bin/sh
	case "$gen" in
	dracut)
		run=run_dracut_hook
		stop_word=emergency_shell
		;;
	*/klibc-sh) IT_SHELL=/bin/klibc-sh ;;
	esac

	t_begin "$gen: pool published, host accepts: transports loaded first, handed over, returns 0"
	new_root "quiet hv_pci_swiotlb=64M" accepted published
	$run
	expect_eq "exit" 0 "$RC"
	expect_line "$R/log" '^hv-swiotlb --plan$'
	loaded
	ran_tool
	expect_eq "status" acknowledged "$(status state)"
	expect_no_line "$R/log" "$stop_word"
	# The order: ask, load, hand over.
	expect_eq "order" "hv-swiotlb --plan|modprobe -q hv_sock|modprobe -q vmw_vsock_virtio_transport|hv-swiotlb --timeout" \
		"$(tr '\n' '|' <"$R/log" | sed 's/|hook returned 0|$//; s/|$//; s/ [0-9.]*$//')"
	t_end

	t_begin "$gen: nothing published or asked for: no module loaded, state=none, returns 0"
	new_root "quiet" none
	$run
	expect_eq "exit" 0 "$RC"
	not_loaded
	expect_eq "status" none "$(status state)"
	[ -s "$R/dev/kmsg" ] && t_fail "the kernel log got: $(cat "$R/dev/kmsg")"
	t_end

	t_begin "$gen: asked for but not published: diagnosed, boot goes on (the plan reads no pool: modules loaded)"
	new_root "quiet hv-pci-swiotlb=64M" none
	$run
	expect_eq "exit" 0 "$RC"
	loaded
	expect_eq "status" pool-absent "$(status state)"
	expect_no_line "$R/log" "$stop_word"
	t_end

	t_begin "$gen: rd.hvswiotlb=0: nothing loaded or sent, state=disabled (written at last)"
	new_root "hv_pci_swiotlb=64M rd.hvswiotlb=0" accepted published
	$run
	expect_eq "exit" 0 "$RC"
	not_loaded
	expect_eq "status" disabled "$(status state)"
	t_end

	t_begin "$gen: rd.hvswiotlb=0 then rd.hvswiotlb: the last one wins"
	new_root "hv_pci_swiotlb=64M rd.hvswiotlb=0 rd.hvswiotlb" accepted published
	$run
	loaded
	expect_eq "status" acknowledged "$(status state)"
	t_end

	t_begin "$gen: the host refuses, not required: logged by the tool, boot goes on"
	new_root "hv_pci_swiotlb=64M" refuse published
	$run
	expect_eq "exit" 0 "$RC"
	expect_eq "status" refused "$(status state)"
	expect_no_line "$R/log" "$stop_word"
	t_end

	t_begin "$gen: no host, rd.hvswiotlb.required: $stop_word, bounded by the deadline"
	new_root "hv_pci_swiotlb=64M rd.hvswiotlb.required rd.hvswiotlb.timeout=0.5" none published
	t0=$(now_ms)
	$run
	ms=$(($(now_ms) - t0))
	expect_line "$R/log" "^$stop_word .*hv-swiotlb: the swiotlb pool handoff failed \\(exit 3\\) and rd.hvswiotlb.required is set"
	expect_eq "status" unreachable "$(status state)"
	[ "$ms" -lt 2000 ] || t_fail "the hook took $ms ms for a 0.5 s deadline"
	t_end

	t_begin "$gen: rd.hvswiotlb.required but the handoff worked: no $stop_word"
	new_root "hv_pci_swiotlb=64M rd.hvswiotlb.required" accepted published
	$run
	expect_no_line "$R/log" "$stop_word"
	t_end

	t_begin "$gen: a quoted required= with a glob in it is read by the tool, not the shell"
	new_root 'hv_pci_swiotlb=64M "rd.hvswiotlb.required=*" rd.hvswiotlb.timeout=0.3' none published
	: >"$R/rd.hvswiotlb.required=x" # a file the glob would match
	$run
	expect_line "$R/log" "^$stop_word "
	t_end
done

t_begin "dracut: rd.hvswiotlb.required from /etc/cmdline.d counts"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.timeout=0.3" none published
echo "rd.hvswiotlb.required" >"$R/etc/cmdline.d/90-hv.conf"
run_dracut_hook
expect_line "$R/log" '^emergency_shell -n hv-swiotlb '
t_end

t_begin "dracut: rd.hvswiotlb=0 from /etc/cmdline.d counts"
new_root "hv_pci_swiotlb=64M" accepted published
echo "rd.hvswiotlb=0" >"$R/etc/cmdline.d/90-hv.conf"
run_dracut_hook
not_loaded
expect_eq "status" disabled "$(status state)"
t_end

t_begin "dracut: the hook is sourced and returns; it never exits the shell"
grep -nE '^[^#]*(^|[;&|[:space:]])exit([[:space:]]|$)' "$HOOK" &&
	t_fail "the hook contains exit"
t_end


# --- resume from hibernation: the early handoff waits for the attempt,
# whenever the image's generator may resume (hv-swiotlb-boot asks it).
handoffs() { grep -c '^hv-swiotlb --timeout' "$R/log"; }
waited() { expect_line "$R/dev/kmsg" "^<6>hv-swiotlb: this boot may resume from hibernation \\($1.*\\): the handoff waits"; }

t_begin "dracut, resume module, resume=: pre-trigger waits, pre-mount hands over"
RESUME_MODULE=1
new_root "hv_pci_swiotlb=64M resume=/dev/vdb" accepted published
run_dracut_hook
expect_eq "handoffs after pre-trigger" 0 "$(handoffs)"
[ -e "$R/run/hv-swiotlb/status" ] && t_fail "pre-trigger left a status"
waited "dracut's parse-resume.sh set up a resume"
run_dracut_hook "$RESUME_HOOK"
expect_eq "handoffs after pre-mount" 1 "$(handoffs)"
expect_eq "status" acknowledged "$(status state)"
t_end

# dracut's parse-resume.sh resumes from any partition with a hibernation
# signature when no resume= names one (its 99-resume.rules).
t_begin "dracut, resume module, no resume=: it still may resume (any swsuspend device), so it waits"
new_root "hv_pci_swiotlb=64M" accepted published
run_dracut_hook
expect_eq "handoffs after pre-trigger" 0 "$(handoffs)"
run_dracut_hook "$RESUME_HOOK"
expect_eq "handoffs" 1 "$(handoffs)"
t_end

t_begin "dracut, resume module, resume= hibernate=noresume: dracut still resumes, so it waits"
new_root "hv_pci_swiotlb=64M resume=/dev/vdb hibernate=noresume" accepted published
run_dracut_hook
expect_eq "handoffs" 0 "$(handoffs)"
t_end

t_begin "dracut, resume module, noresume only in /etc/cmdline.d: dracut reads it, no wait"
new_root "hv_pci_swiotlb=64M resume=/dev/vdb" accepted published
echo "noresume" >"$R/etc/cmdline.d/10-noresume.conf"
run_dracut_hook
expect_eq "handoffs" 1 "$(handoffs)"
t_end

t_begin "dracut, resume module, resume= with nohibernate: the kernel says no, no wait"
new_root "hv_pci_swiotlb=64M resume=/dev/vdb nohibernate" accepted published
run_dracut_hook
expect_eq "handoffs" 1 "$(handoffs)"
t_end

t_begin "dracut, resume module, resume= in a kdump crash kernel (/proc/vmcore): hands over early"
new_root "hv_pci_swiotlb=64M resume=/dev/vdb elfcorehdr=0x7f000000" accepted published
: >"$R/proc/vmcore"
run_dracut_hook
expect_eq "handoffs after pre-trigger" 1 "$(handoffs)"
expect_eq "status" acknowledged "$(status state)"
waited_not() { expect_no_line "$R/dev/kmsg" 'may resume'; }
waited_not
t_end

t_begin "dracut, resume module, resume=, elfcorehdr= but no /proc/vmcore (the kernel refused it): it waits"
new_root "hv_pci_swiotlb=64M resume=/dev/vdb elfcorehdr=0x7f000000" accepted published
run_dracut_hook
expect_eq "handoffs after pre-trigger" 0 "$(handoffs)"
t_end

t_begin "dracut, resume module, after the resume attempt, required and no host: emergency_shell"
new_root "hv_pci_swiotlb=64M resume=/dev/vdb rd.hvswiotlb.required rd.hvswiotlb.timeout=0.3" \
	none published
run_dracut_hook
expect_no_line "$R/log" '^emergency_shell'
run_dracut_hook "$RESUME_HOOK"
expect_line "$R/log" '^emergency_shell -n hv-swiotlb .*\(exit 3\) and rd.hvswiotlb.required is set'
expect_line "$R/dev/kmsg" '^<3>hv-swiotlb: the swiotlb pool handoff failed \(exit 3\) and rd.hvswiotlb.required is set'
t_end
RESUME_MODULE=0

t_begin "dracut, no resume module, resume=: nothing in the image resumes, pre-trigger hands over"
new_root "hv_pci_swiotlb=64M resume=/dev/vdb" accepted published
run_dracut_hook
run_dracut_hook "$RESUME_HOOK"
expect_eq "handoffs" 1 "$(handoffs)"
expect_no_line "$R/dev/kmsg" 'may resume'
t_end

t_begin "dracut: HV_SWIOTLB_RESUME=yes in init's environment (from the command line) is no option"
new_root "hv_pci_swiotlb=64M HV_SWIOTLB_RESUME=yes" accepted published
HV_SWIOTLB_RESUME=yes
export HV_SWIOTLB_RESUME
run_dracut_hook
unset HV_SWIOTLB_RESUME
expect_eq "handoffs after pre-trigger" 1 "$(handoffs)"
t_end

# A systemd initrd: hv-swiotlb-initrd.service runs "early systemd".
run_systemd_unit() { # MODE
	PATH=/bin:/sbin:/usr/sbin chroot "$R" /bin/sh -c \
		". /stubs.sh; . /usr/lib/hv-swiotlb/hv-swiotlb-boot.real $1 systemd /usr/sbin/hv-swiotlb" \
		>"$WORK/out" 2>&1
	RC=$?
}
for unit in "sysinit.target.wants/systemd-hibernate-resume@dev-vdb.service" \
	"sysinit.target.wants/systemd-hibernate-resume.service"; do
	t_begin "systemd: the resume generator enabled ${unit#*/}: it waits"
	new_root "hv_pci_swiotlb=64M resume=/dev/vdb" accepted published
	mkdir -p "$R/run/systemd/generator/${unit%/*}"
	ln -s /usr/lib/systemd/system/systemd-hibernate-resume@.service "$R/run/systemd/generator/$unit"
	run_systemd_unit early
	expect_eq "exit" 0 "$RC"
	expect_eq "handoffs" 0 "$(handoffs)"
	waited "systemd-hibernate-resume-generator enabled a resume unit"
	t_end
done

t_begin "systemd: no resume unit from the generator: hands over early"
new_root "hv_pci_swiotlb=64M resume=/dev/vdb" accepted published
mkdir -p "$R/run/systemd/generator/local-fs.target.wants"
run_systemd_unit early
expect_eq "handoffs" 1 "$(handoffs)"
t_end

t_begin "run by a unit (INVOCATION_ID), the outcome is one line on its standard output; not otherwise"
new_root "hv_pci_swiotlb=64M resume=/dev/vdb" accepted published
mkdir -p "$R/run/systemd/generator/local-fs.target.wants"
INVOCATION_ID=5f0c2d4e8a1b4c3d9e7f6a5b4c3d2e1f
export INVOCATION_ID
run_systemd_unit early
unset INVOCATION_ID
sed -n 's/^hv-swiotlb: state=/    hv-swiotlb: state=/p' "$WORK/out"
expect_eq "outcome lines" 1 "$(sed -n '/^hv-swiotlb: state=/p' "$WORK/out" | wc -l)"
expect_line "$WORK/out" '^hv-swiotlb: state=acknowledged .*base=0x8000000 size=67108864 .*target=unix:/host\.sock .*ack=accepted'
new_root "hv_pci_swiotlb=64M resume=/dev/vdb" accepted published
mkdir -p "$R/run/systemd/generator/local-fs.target.wants"
run_systemd_unit early
expect_eq "handoffs" 1 "$(handoffs)"
expect_no_line "$WORK/out" '^hv-swiotlb: state='
t_end

t_begin "systemd: dracut-ng's parse-resume.sh left its rules (a dracut-ng systemd image): it waits"
new_root "hv_pci_swiotlb=64M" accepted published
mkdir -p "$R/run/systemd/generator" "$R/etc/udev/rules.d"
: >"$R/etc/udev/rules.d/99-resume.rules"
run_systemd_unit early
expect_eq "handoffs" 0 "$(handoffs)"
t_end

t_begin "systemd: no generator output at all: it cannot be told, so it waits"
new_root "hv_pci_swiotlb=64M" accepted published
run_systemd_unit early
expect_eq "handoffs" 0 "$(handoffs)"
t_end

t_begin "hv-swiotlb-boot decide: the decision and its cause, and nothing else done"
new_root "hv_pci_swiotlb=64M" accepted published
mkdir -p "$R/run/systemd/generator"
run_systemd_unit decide
expect_eq "decide" "resume=0 systemd enabled no resume unit (no resume=, HibernateLocation or resume support, or a bare noresume)" "$(cat "$WORK/out")"
expect_eq "handoffs" 0 "$(handoffs)"
not_loaded
t_end

# initramfs-tools' own resume script is in the image.
with_resume_script() {
	mkdir -p "$R/scripts/local-premount" && : >"$R/scripts/local-premount/resume"
}

IT_BOOT=""
IT_RESUME=""
for IT_SHELL in /bin/sh /bin/klibc-sh; do
	t_begin "initramfs-tools ($IT_SHELL): \$resume with a local root: init-premount waits, local-premount hands over"
	new_root "hv_pci_swiotlb=64M" accepted published
	with_resume_script
	IT_RESUME=/dev/vdb
	run_it_script
	expect_eq "exit" 0 "$RC"
	expect_eq "handoffs after init-premount" 0 "$(handoffs)"
	waited "initramfs-tools resumes in local-premount"
	run_it_script "$RESUME_SCRIPT"
	IT_RESUME=""
	expect_eq "exit" 0 "$RC"
	expect_eq "handoffs after local-premount" 1 "$(handoffs)"
	expect_eq "status" acknowledged "$(status state)"
	t_end
done

t_begin "initramfs-tools: \$resume with boot=zfs (zfs-initramfs runs local-premount): it waits"
new_root "hv_pci_swiotlb=64M" accepted published
with_resume_script
IT_BOOT=zfs
IT_RESUME=/dev/vdb
run_it_script
expect_eq "handoffs" 0 "$(handoffs)"
IT_BOOT=""
IT_RESUME=""
t_end

t_begin "initramfs-tools: \$resume with an nfs root (no resume there): init-premount hands over"
new_root "hv_pci_swiotlb=64M" accepted published
with_resume_script
IT_BOOT=nfs
IT_RESUME=/dev/vdb
run_it_script
IT_BOOT=""
IT_RESUME=""
expect_eq "handoffs" 1 "$(handoffs)"
t_end

t_begin "initramfs-tools: no \$resume (noresume or RESUME=none): init-premount hands over"
new_root "hv_pci_swiotlb=64M resume=/dev/vdb" accepted published
with_resume_script
run_it_script
expect_eq "handoffs" 1 "$(handoffs)"
run_it_script "$RESUME_SCRIPT"
expect_eq "handoffs, local-premount after it" 1 "$(handoffs)"
t_end

t_begin "initramfs-tools: local-premount, required, no host: panic"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.required rd.hvswiotlb.timeout=0.3" none published
with_resume_script
IT_RESUME=/dev/vdb
run_it_script
run_it_script "$RESUME_SCRIPT"
IT_RESUME=""
expect_line "$R/log" '^panic hv-swiotlb: the swiotlb pool handoff failed \(exit 3\)'
t_end

# --- one deadline: the plan and the handoff share rd.hvswiotlb.timeout.
# The glibc build under the fault shim (LD_PRELOAD), with this machine's
# libc in the chroot: the pool's read hangs, in every run of the tool.
GLIBC_TOOL=$(dirname "$PEER")/hv-swiotlb
FAULTS=$(dirname "$PEER")/libhvs-faults.so
hang_root() { # CMDLINE HANG-PATH
	new_root "$1" none published
	for lib in $(ldd "$GLIBC_TOOL" "$FAULTS" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p' | sort -u); do
		mkdir -p "$R${lib%/*}" && cp "$lib" "$R$lib"
	done
	cp "$GLIBC_TOOL" "$R/usr/sbin/hv-swiotlb.real"
	cp "$FAULTS" "$R/lib/libhvs-faults.so"
	sed -i "s|exec /usr/sbin/hv-swiotlb.real \"\$@\"|exec env LD_PRELOAD=/lib/libhvs-faults.so HVS_HANG_PATH=$2 HVS_HANG_MODE=forever /usr/sbin/hv-swiotlb.real \"\$@\" --cmdline-file /cmdline|" \
		"$R/usr/sbin/hv-swiotlb"
	# The shim finds what a descriptor reads through /proc/self/fd: the
	# chroot gets a real /proc, and the tool its command line from /cmdline.
	cp "$R/proc/cmdline" "$R/cmdline"
	mount -t proc proc "$R/proc" && PROC_MOUNTED=$R/proc
}
PROC_MOUNTED=""
unmount_proc() { [ -z "$PROC_MOUNTED" ] || umount "$PROC_MOUNTED"; PROC_MOUNTED=""; }
if [ -x "$GLIBC_TOOL" ] && [ -e "$FAULTS" ]; then
	t_begin "dracut: the pool's read hangs, rd.hvswiotlb.required: the hook stops the boot, within one deadline"
	hang_root "hv_pci_swiotlb=64M rd.hvswiotlb.required rd.hvswiotlb.timeout=0.5" \
		/sys/bus/vmbus/drivers/hv_pci/swiotlb_size
	t0=$(now_ms)
	run_dracut_hook
	ms=$(($(now_ms) - t0))
	expect_line "$R/log" '^emergency_shell -n hv-swiotlb .*\(exit 3\) and rd.hvswiotlb.required is set'
	expect_eq "status" stalled "$(status state)"
	# The deadline, the tool's grace (15 ms) and two execs of the tool and
	# one of the shell in a chroot, with room for a loaded machine.
	[ "$ms" -le 800 ] || t_fail "the hook held the boot $ms ms for a 0.5 s deadline"
	echo "    (held $ms ms for a 500 ms deadline)"
	unmount_proc
	t_end
else
	echo "    (the one-deadline test needs the glibc build and its fault shim)"
fi

# --plan exits 3 and prints nothing, as when its deadline cut it short.
plan_cannot_finish() {
	sed -i 's|^\*" --plan "\*) exec .*|*" --plan "*) exit 3 ;;|' "$R/usr/sbin/hv-swiotlb"
}

t_begin "dracut: a plan that cannot finish, rd.hvswiotlb.required on the command line: fails closed"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.required" none published
plan_cannot_finish
run_dracut_hook
expect_line "$R/log" '^emergency_shell -n hv-swiotlb .*\(exit 3\)'
expect_line "$R/dev/kmsg" '^<3>hv-swiotlb: hv-swiotlb --plan failed \(exit 3\) and rd.hvswiotlb.required is on the command line'
expect_eq "handoffs" 0 "$(handoffs)"
run_dracut_hook "$RESUME_HOOK"
expect_eq "handoffs after pre-mount" 0 "$(handoffs)"
t_end

t_begin "dracut: a plan that cannot finish: a glob on the command line is a word, never file names"
new_root 'hv_pci_swiotlb=64M rd.hvswiotlb.requir*' none published
: >"$R/rd.hvswiotlb.required" # what the glob would match in /
plan_cannot_finish
run_dracut_hook
expect_no_line "$R/log" '^emergency_shell'
t_end

t_begin "dracut: a plan that cannot finish, required nowhere: logged, the boot goes on"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.required=0" none published
plan_cannot_finish
run_dracut_hook
expect_no_line "$R/log" '^emergency_shell'
expect_line "$R/dev/kmsg" '^<4>hv-swiotlb: hv-swiotlb --plan failed \(exit 3\): no handoff in this boot'
t_end

# The systemd-sleep hook, run as systemd-sleep runs it: "pre|post TYPE".
for when in post/hibernate post/hybrid-sleep post/suspend-then-hibernate pre/hibernate \
	post/suspend; do
	t_begin "systemd-sleep hook: $when"
	new_root "hv_pci_swiotlb=64M" accepted published
	mkdir -p "$R/run/hv-swiotlb"
	printf 'state=acknowledged\nthe=boot record\n' >"$R/run/hv-swiotlb/status"
	cp "$SLEEP_HOOK" "$R/sleep-hook"
	PATH=/bin:/sbin:/usr/sbin chroot "$R" /bin/sh -c ". /stubs.sh; . /sleep-hook ${when%/*} ${when#*/}" \
		>"$WORK/out" 2>&1
	RC=$?
	expect_eq "exit" 0 "$RC"
	case "$when" in
	post/suspend | pre/*) expect_eq "handoffs" 0 "$(handoffs)" ;;
	*)
		expect_eq "handoffs" 1 "$(handoffs)"
		expect_eq "the boot's record, kept" "state=acknowledged|the=boot record|" \
			"$(tr '\n' '|' <"$R/run/hv-swiotlb/status")"
		expect_eq "the re-announcement, beside it" acknowledged \
			"$(sed -n 's/^state=//p' "$R/run/hv-swiotlb/resumed-status")"
		expect_line "$R/dev/kmsg" 'restored from hibernation: handing this kernel.s range over again'
		;;
	esac
	t_end
done

t_begin "systemd-sleep hook: the boot script is gone (package half-removed): exit 0"
new_root "hv_pci_swiotlb=64M" accepted published
rm "$R/usr/lib/hv-swiotlb/hv-swiotlb-boot"
sed "s|@LIBEXECDIR@|/usr/lib/hv-swiotlb|g; s|@SBINDIR@|/usr/sbin|g" "$SLEEP_HOOK" >"$R/sleep-hook"
PATH=/bin:/sbin:/usr/sbin chroot "$R" /bin/sh /sleep-hook post hibernate >"$WORK/out" 2>&1
expect_eq "exit" 0 "$?"
expect_eq "handoffs" 0 "$(handoffs)"
t_end

t_begin "systemd-sleep hook: no host, required: it fails nothing, bounded"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.required rd.hvswiotlb.timeout=0.3" none published
cp "$SLEEP_HOOK" "$R/sleep-hook"
PATH=/bin:/sbin:/usr/sbin chroot "$R" /bin/sh -c ". /stubs.sh; . /sleep-hook post hibernate" \
	>"$WORK/out" 2>&1
expect_eq "exit" 0 "$?"
expect_eq "status" unreachable "$(sed -n 's/^state=//p' "$R/run/hv-swiotlb/resumed-status")"
t_end

# module-setup.sh: check() with dracut's helpers stubbed.
t_begin "module-setup.sh check(): only on request, unless host-only on Hyper-V"
out=$(bash -c '
	require_binaries() { [ -x "$1" ]; }
	. "$1"
	HV_SWIOTLB_BINARY=/bin/sh
	hostonly=""; check; echo "no-hostonly=$?"
	HV_SWIOTLB_BINARY=/nonexistent; check; echo "no-binary=$?"
' sh "$D/usr/lib/dracut/modules.d/50hv-swiotlb/module-setup.sh")
case "$out" in *"no-hostonly=255"*) ;; *) t_fail "check() without host-only: $out" ;; esac
case "$out" in *"no-binary=1"*) ;; *) t_fail "check() without the binary: $out" ;; esac
if [ ! -d /sys/bus/vmbus ]; then
	out=$(bash -c 'require_binaries() { :; }; . "$1"; hostonly=yes; check; echo "rc=$?"' \
		sh "$D/usr/lib/dracut/modules.d/50hv-swiotlb/module-setup.sh")
	expect_eq "check() host-only off Hyper-V" "rc=255" "$out"
fi
t_end

t_summary
