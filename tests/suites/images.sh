#!/bin/sh
# Real images for Debian's kernel, from a `make install DESTDIR=` tree:
# `dracut --no-hostonly --add hv-swiotlb` and `mkinitramfs`, then
# lsinitrd/lsinitramfs. The machine's own dracut and initramfs-tools
# directories are only read, never written.
#
#   tests/initramfs.sh DESTDIR
set -u
D=$(cd "$1" && pwd) || exit 1
# The binary as installed (stripped as shipped): the images must carry it.
BIN=$D/usr/sbin/hv-swiotlb
# shellcheck source=tests/lib/report.sh
. "$(dirname "$0")/../lib/report.sh"
# shellcheck source=tests/lib/images.sh
. "$(dirname "$0")/../lib/images.sh"

WORK=$(mktemp -d /tmp/hvs-img-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

KVER=$(debian_kver)
MODDIR=$D/usr/lib/dracut/modules.d/50hv-swiotlb
system_dirs_before=$(ls -d /usr/lib/dracut/modules.d/*hv-swiotlb \
	/usr/share/initramfs-tools/hooks/hv-swiotlb 2>/dev/null)

t_begin "a Debian kernel and the installed tree are there"
[ -n "$KVER" ] || t_fail "no kernel under /lib/modules: install linux-image-amd64"
[ -x "$D/usr/sbin/hv-swiotlb" ] || t_fail "no $D/usr/sbin/hv-swiotlb"
[ -f "$MODDIR/module-setup.sh" ] || t_fail "no $MODDIR/module-setup.sh"
t_end
echo "    kernel $KVER"

# dracut reads its modules from $dracutbasedir: the system's, plus ours.
# The images are not compressed (dracut) or barely (mkinitramfs): what is
# in them is the question here, and compressing is most of the time taken.
mkdir -p "$WORK/tmp" "$WORK/conf.d"
dracut_tree "$WORK/dracut" "$MODDIR"
: >"$WORK/dracut.conf"

build_dracut() { # NAME [extra dracut args]
	name=$1
	shift
	dracutbasedir=$WORK/dracut HV_SWIOTLB_BINARY=$D/usr/sbin/hv-swiotlb \
		HV_SWIOTLB_BOOT=$D/usr/lib/hv-swiotlb/hv-swiotlb-boot \
		HV_SWIOTLB_UNITDIR=$D/usr/lib/systemd/system \
		dracut --conf "$WORK/dracut.conf" --confdir "$WORK/conf.d" --tmpdir "$WORK/tmp" \
		--no-hostonly --add hv-swiotlb --kver "$KVER" --no-compress --force "$@" \
		"$WORK/$name.img" \
		>"$WORK/$name.log" 2>&1 || t_fail "dracut failed: $(tail -n 5 "$WORK/$name.log")"
	lsinitrd "$WORK/$name.img" >"$WORK/$name.ls" 2>&1 || t_fail "lsinitrd failed"
	expect_line "$WORK/$name.log" "Including module: hv-swiotlb"
}

t_begin "dracut --no-hostonly --add hv-swiotlb builds an image, with systemd and without"
build_dracut dracut
build_dracut dracut-shell --omit "systemd systemd-initrd dracut-systemd"
t_end

# dracut ignores what a module's install() returns; ours stops the build.
t_begin "dracut fails, and writes no image, when the module cannot install its units"
dracutbasedir=$WORK/dracut HV_SWIOTLB_BINARY=$D/usr/sbin/hv-swiotlb \
	HV_SWIOTLB_BOOT=$D/usr/lib/hv-swiotlb/hv-swiotlb-boot \
	HV_SWIOTLB_UNITDIR=$WORK/no-such-dir \
	dracut --conf "$WORK/dracut.conf" --confdir "$WORK/conf.d" --tmpdir "$WORK/tmp" \
	--no-hostonly --add hv-swiotlb --kver "$KVER" --no-compress --force \
	"$WORK/broken.img" >"$WORK/broken.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] || t_fail "dracut exited 0 without our units"
[ -e "$WORK/broken.img" ] && t_fail "dracut wrote $WORK/broken.img anyway"
expect_line "$WORK/broken.log" "hv-swiotlb: cannot install its initrd units from $WORK/no-such-dir/; the image would not hand the swiotlb pool over, so it is not built"
t_end

t_begin "dracut image: the klibc binary and the boot script, byte for byte"
lsinitrd -f usr/sbin/hv-swiotlb "$WORK/dracut.img" >"$WORK/dracut-bin" 2>/dev/null
cmp -s "$WORK/dracut-bin" "$BIN" || t_fail "usr/sbin/hv-swiotlb differs from $BIN"
lsinitrd -f usr/lib/hv-swiotlb/hv-swiotlb-boot "$WORK/dracut.img" >"$WORK/dracut-boot" 2>/dev/null
cmp -s "$WORK/dracut-boot" "$D/usr/lib/hv-swiotlb/hv-swiotlb-boot" ||
	t_fail "usr/lib/hv-swiotlb/hv-swiotlb-boot differs or is missing"
t_end

t_begin "dracut image with systemd: our two initrd units, enabled, and no shell hook"
for u in hv-swiotlb-initrd.service hv-swiotlb-initrd-resume.service; do
	expect_line "$WORK/dracut.ls" " usr/lib/systemd/system/$u\$"
	expect_line "$WORK/dracut.ls" " usr/lib/systemd/system/initrd\\.target\\.wants/$u -> \\.\\./$u\$"
	lsinitrd -f "usr/lib/systemd/system/$u" "$WORK/dracut.img" >"$WORK/unit" 2>/dev/null
	cmp -s "$WORK/unit" "$D/usr/lib/systemd/system/$u" || t_fail "$u differs"
done
expect_no_line "$WORK/dracut.ls" 'hooks/.*hv-swiotlb'
t_end

t_begin "dracut image with its shell init: the pre-trigger and pre-mount hooks, no unit"
expect_line "$WORK/dracut-shell.ls" ' usr/lib/dracut/hooks/pre-trigger/20-hv-swiotlb-hook\.sh$'
expect_line "$WORK/dracut-shell.ls" ' usr/lib/dracut/hooks/pre-mount/20-hv-swiotlb-resume-hook\.sh$'
lsinitrd -f usr/lib/dracut/hooks/pre-trigger/20-hv-swiotlb-hook.sh "$WORK/dracut-shell.img" \
	>"$WORK/dracut-hook" 2>/dev/null
cmp -s "$WORK/dracut-hook" "$MODDIR/hv-swiotlb-hook.sh" || t_fail "the hook differs"
expect_no_line "$WORK/dracut-shell.ls" 'hv-swiotlb-initrd'
t_end

t_begin "dracut images: the vsock core and both host transports"
for m in vsock hv_sock vmw_vsock_virtio_transport; do
	expect_line "$WORK/dracut.ls" "/kernel/net/vmw_vsock/$m\\.ko(\\.[a-z]+)?\$"
	expect_line "$WORK/dracut-shell.ls" "/kernel/net/vmw_vsock/$m\\.ko(\\.[a-z]+)?\$"
done
t_end

t_begin "dracut warns (and still builds) when the kernel cannot make the pool"
expect_line "$WORK/dracut.log" "hv-swiotlb: pci-hyperv is a module in kernel $KVER"
t_end

# mkinitramfs takes extra hooks and scripts from its configuration directory.
cp -a /etc/initramfs-tools "$WORK/itconf"
mkdir -p "$WORK/itconf/hooks" "$WORK/itconf/scripts/init-premount" \
	"$WORK/itconf/scripts/local-premount"
cp "$D/usr/share/initramfs-tools/hooks/hv-swiotlb" "$WORK/itconf/hooks/"
cp "$D/usr/share/initramfs-tools/scripts/init-premount/hv-swiotlb" \
	"$WORK/itconf/scripts/init-premount/"
cp "$D/usr/share/initramfs-tools/scripts/local-premount/hv-swiotlb" \
	"$WORK/itconf/scripts/local-premount/"

t_begin "mkinitramfs builds an image with the hook"
HV_SWIOTLB_BINARY=$D/usr/sbin/hv-swiotlb HV_SWIOTLB_BOOT=$D/usr/lib/hv-swiotlb/hv-swiotlb-boot \
	mkinitramfs -d "$WORK/itconf" -c zstd -l 1 -o "$WORK/it.img" "$KVER" >"$WORK/it.log" 2>&1 ||
	t_fail "mkinitramfs failed: $(tail -n 5 "$WORK/it.log")"
lsinitramfs "$WORK/it.img" >"$WORK/it.ls" 2>&1 || t_fail "lsinitramfs failed"
t_end

t_begin "initramfs-tools image: binary, boot scripts in init-premount and local-premount, modules"
expect_line "$WORK/it.ls" '^usr/sbin/hv-swiotlb$'
expect_line "$WORK/it.ls" '^scripts/init-premount/hv-swiotlb$'
expect_line "$WORK/it.ls" '^scripts/local-premount/hv-swiotlb$'
expect_line "$WORK/it.ls" '^usr/lib/hv-swiotlb/hv-swiotlb-boot$'
for m in vsock hv_sock vmw_vsock_virtio_transport; do
	expect_line "$WORK/it.ls" "/kernel/net/vmw_vsock/$m\\.ko(\\.[a-z]+)?\$"
done
mkdir -p "$WORK/it-x"
(cd "$WORK/it-x" && unmkinitramfs "$WORK/it.img" . >/dev/null 2>&1)
bin=$(find "$WORK/it-x" -path '*/usr/sbin/hv-swiotlb' | head -n 1)
cmp -s "$bin" "$BIN" || t_fail "usr/sbin/hv-swiotlb differs from $BIN"
order=$(find "$WORK/it-x" -path '*/scripts/init-premount/ORDER' | head -n 1)
expect_line "$order" '/scripts/init-premount/hv-swiotlb'
# After initramfs-tools' own resume script, which it names as a prerequisite.
order=$(find "$WORK/it-x" -path '*/scripts/local-premount/ORDER' | head -n 1)
after_resume=$(sed -n '/local-premount\/resume/,$p' "$order" | grep -c 'local-premount/hv-swiotlb')
expect_eq "local-premount/hv-swiotlb after local-premount/resume" 1 "$after_resume"
expect_line "$WORK/it.log" "W: hv-swiotlb: pci-hyperv is not built into kernel $KVER"
t_end

t_begin "the machine's own generator directories were not touched"
after=$(ls -d /usr/lib/dracut/modules.d/*hv-swiotlb \
	/usr/share/initramfs-tools/hooks/hv-swiotlb 2>/dev/null)
expect_eq "system hv-swiotlb files" "$system_dirs_before" "$after"
t_end

t_summary
