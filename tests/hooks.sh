#!/bin/sh
# The dracut hook and the initramfs-tools boot script under busybox sh, in
# a chroot where hv-swiotlb, modprobe, /proc/cmdline and sysfs are stubs:
# options parsed, the required path taken, every skip path returns 0.
# The dracut hook runs with dracut's real dracut-lib.sh.
#
#   tests/hooks.sh DESTDIR
set -u
D=$(cd "$1" && pwd) || exit 1
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

WORK=$(mktemp -d /tmp/hvs-hooks-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
BUSYBOX=$(command -v busybox)
DRACUT_LIB=$(find /usr/lib/dracut/modules.d/ -path '*base/dracut-lib.sh' | head -n 1)
HOOK=$D/usr/lib/dracut/modules.d/91hv-swiotlb/hv-swiotlb-pre-mount.sh
SCRIPT=$D/usr/share/initramfs-tools/scripts/init-premount/hv-swiotlb

# new_root CMDLINE TOOL_RC [published]: a fresh chroot in $R.
new_root() {
	R=$WORK/root
	rm -rf "$R"
	mkdir -p "$R/bin" "$R/sbin" "$R/usr/sbin" "$R/proc" "$R/run" "$R/etc/cmdline.d" \
		"$R/lib" "$R/scripts" "$R/sys/bus/vmbus/drivers/hv_pci" "$R/tmp"
	mkdir -p "$R/dev"
	mknod -m 666 "$R/dev/null" c 1 3
	cp "$BUSYBOX" "$R/bin/busybox"
	# klibc's sh, which initramfs-tools images use when busybox is absent.
	cp /usr/lib/klibc/bin/sh "$R/bin/klibc-sh"
	cp /usr/lib/klibc-*.so "$R/lib/"
	# No grep: dracut images do not have it, so the hook must not need it.
	for applet in sh cat mkdir printf echo rm ln tr sed; do
		ln -s busybox "$R/bin/$applet"
	done
	printf '%s\n' "$1" >"$R/proc/cmdline"
	echo "$2" >"$R/tool-rc"
	[ "${3:-}" = published ] && echo 0x8000000 >"$R/sys/bus/vmbus/drivers/hv_pci/swiotlb_base"
	# hv-swiotlb: records the call, writes what the real one would about
	# rd.hvswiotlb.required, and exits as told.
	cat >"$R/usr/sbin/hv-swiotlb" <<'STUB'
#!/bin/sh
echo "hv-swiotlb $*" >>/log
mkdir -p /run/hv-swiotlb
req=0
case " $(cat /proc/cmdline) " in *" rd.hvswiotlb.required "*) req=1 ;; esac
printf 'state=stub\nrequired=%s\n' "$req" >/run/hv-swiotlb/status
exit "$(cat /tool-rc)"
STUB
	# busybox sh prefers its own applets to PATH, so modprobe is stubbed
	# as a shell function that the runners below define first.
	printf 'modprobe() { echo "modprobe $*" >>/log; }\n' >"$R/stubs.sh"
	chmod +x "$R/usr/sbin/hv-swiotlb"
	: >"$R/log"
}

# dracut: source dracut-lib.sh, stub emergency_shell, source the hook.
run_dracut_hook() {
	cp "$DRACUT_LIB" "$(dirname "$DRACUT_LIB")/dracut-dev-lib.sh" "$R/lib/"
	# getarg in dracut 059 asks dracut-util (a small glibc program).
	mkdir -p "$R/lib64" "$R/lib/x86_64-linux-gnu"
	cp /usr/lib/dracut/dracut-util "$R/bin/"
	cp /lib/x86_64-linux-gnu/libc.so.6 "$R/lib/x86_64-linux-gnu/"
	cp /lib64/ld-linux-x86-64.so.2 "$R/lib64/"
	ln -s dracut-util "$R/bin/dracut-getarg"
	ln -s dracut-util "$R/bin/dracut-getargs"
	cp "$HOOK" "$R/hook.sh"
	cat >"$R/run.sh" <<'RUN'
. /lib/dracut-lib.sh
. /stubs.sh
emergency_shell() { echo "emergency_shell $*" >>/log; }
. /hook.sh
echo "hook returned $?" >>/log
RUN
	PATH=/bin:/sbin:/usr/sbin chroot "$R" /bin/sh /run.sh >"$WORK/out" 2>&1
	RC=$?
}

# initramfs-tools: run in a shell of its own (its exit is its status),
# with a stub panic in /scripts/functions.
run_it_script() {
	cp "$SCRIPT" "$R/script"
	printf 'panic() { echo "panic $*" >>/log; }\n' >"$R/scripts/functions"
	PATH=/bin:/sbin:/usr/sbin chroot "$R" "$IT_SHELL" -c '. /stubs.sh; . /script' \
		>"$WORK/out" 2>&1
	RC=$?
}

ran_tool() { expect_line "$R/log" '^hv-swiotlb $'; }
not_ran() { expect_no_line "$R/log" '^(hv-swiotlb|modprobe)'; }

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

	t_begin "$gen: pool published, handoff ok: transports loaded, tool run, returns 0"
	new_root "quiet hv_pci_swiotlb=64M" 0 published
	$run
	expect_eq "exit" 0 "$RC"
	ran_tool
	expect_line "$R/log" '^modprobe -q hv_sock$'
	expect_line "$R/log" '^modprobe -q vmw_vsock_virtio_transport$'
	expect_no_line "$R/log" "$stop_word"
	[ "$gen" = dracut ] && expect_line "$R/log" '^hook returned 0$'
	t_end

	t_begin "$gen: nothing published or asked for: nothing runs, returns 0"
	new_root "quiet" 0
	$run
	expect_eq "exit" 0 "$RC"
	not_ran
	[ "$gen" = dracut ] && expect_line "$R/log" '^hook returned 0$'
	t_end

	t_begin "$gen: asked for on the command line only: the tool runs"
	new_root "quiet hv-pci-swiotlb=64M" 0
	$run
	ran_tool
	t_end

	t_begin "$gen: rd.hvswiotlb=0: nothing runs, returns 0"
	new_root "hv_pci_swiotlb=64M rd.hvswiotlb=0" 0 published
	$run
	expect_eq "exit" 0 "$RC"
	not_ran
	t_end

	t_begin "$gen: rd.hvswiotlb=0 then rd.hvswiotlb: the last one wins"
	new_root "hv_pci_swiotlb=64M rd.hvswiotlb=0 rd.hvswiotlb" 0 published
	$run
	ran_tool
	t_end

	t_begin "$gen: handoff fails, not required: logged by the tool, boot goes on"
	new_root "hv_pci_swiotlb=64M" 3 published
	$run
	expect_eq "exit" 0 "$RC"
	ran_tool
	expect_no_line "$R/log" "$stop_word"
	[ "$gen" = dracut ] && expect_line "$R/log" '^hook returned 0$'
	t_end

	t_begin "$gen: handoff fails with rd.hvswiotlb.required: $stop_word"
	new_root "hv_pci_swiotlb=64M rd.hvswiotlb.required" 3 published
	$run
	expect_line "$R/log" "^$stop_word .*hv-swiotlb: the swiotlb pool handoff failed \\(exit 3\\) and rd.hvswiotlb.required is set"
	t_end

	t_begin "$gen: rd.hvswiotlb.required but the handoff worked: no $stop_word"
	new_root "hv_pci_swiotlb=64M rd.hvswiotlb.required" 0 published
	$run
	expect_no_line "$R/log" "$stop_word"
	t_end
done

t_begin "dracut: rd.hvswiotlb.required from /etc/cmdline.d counts"
new_root "hv_pci_swiotlb=64M" 4 published
echo "rd.hvswiotlb.required" >"$R/etc/cmdline.d/90-hv.conf"
run_dracut_hook
expect_line "$R/log" '^emergency_shell -n hv-swiotlb '
t_end

t_begin "dracut: rd.hvswiotlb=0 from /etc/cmdline.d counts"
new_root "hv_pci_swiotlb=64M" 0 published
echo "rd.hvswiotlb=0" >"$R/etc/cmdline.d/90-hv.conf"
run_dracut_hook
not_ran
t_end

t_begin "dracut: the hook is sourced and returns; it never exits the shell"
grep -nE '^[^#]*(^|[;&|[:space:]])exit([[:space:]]|$)' "$HOOK" &&
	t_fail "the hook contains exit"
t_end

# module-setup.sh: check() with dracut's helpers stubbed.
t_begin "module-setup.sh check(): only on request, unless host-only on Hyper-V"
out=$(bash -c '
	require_binaries() { [ -x "$1" ]; }
	. "$1"
	HV_SWIOTLB_BINARY=/bin/sh
	hostonly=""; check; echo "no-hostonly=$?"
	HV_SWIOTLB_BINARY=/nonexistent; check; echo "no-binary=$?"
' sh "$D/usr/lib/dracut/modules.d/91hv-swiotlb/module-setup.sh")
case "$out" in *"no-hostonly=255"*) ;; *) t_fail "check() without host-only: $out" ;; esac
case "$out" in *"no-binary=1"*) ;; *) t_fail "check() without the binary: $out" ;; esac
if [ ! -d /sys/bus/vmbus ]; then
	out=$(bash -c 'require_binaries() { :; }; . "$1"; hostonly=yes; check; echo "rc=$?"' \
		sh "$D/usr/lib/dracut/modules.d/91hv-swiotlb/module-setup.sh")
	expect_eq "check() host-only off Hyper-V" "rc=255" "$out"
fi
t_end

t_summary
