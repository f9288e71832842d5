#!/bin/sh
# Real images for Debian's kernel, from a `make install DESTDIR=` tree:
# `dracut --no-hostonly --add hv-swiotlb` and `mkinitramfs`, then
# lsinitrd/lsinitramfs. The machine's own dracut and initramfs-tools
# directories are only read, never written.
#
#   tests/initramfs.sh DESTDIR KLIBC_BINARY
set -u
D=$(cd "$1" && pwd) || exit 1
BIN=$2
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-images.sh
. "$(dirname "$0")/lib-images.sh"

WORK=$(mktemp -d /tmp/hvs-img-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

KVER=$(debian_kver)
MODDIR=$D/usr/lib/dracut/modules.d/91hv-swiotlb
system_dirs_before=$(ls -d /usr/lib/dracut/modules.d/*hv-swiotlb \
	/usr/share/initramfs-tools/hooks/hv-swiotlb 2>/dev/null)

t_begin "a Debian kernel and the installed tree are there"
[ -n "$KVER" ] || t_fail "no kernel under /lib/modules: install linux-image-amd64"
[ -x "$D/usr/sbin/hv-swiotlb" ] || t_fail "no $D/usr/sbin/hv-swiotlb"
[ -f "$MODDIR/module-setup.sh" ] || t_fail "no $MODDIR/module-setup.sh"
t_end
echo "    kernel $KVER"

# dracut reads its modules from $dracutbasedir: the system's, plus ours.
mkdir -p "$WORK/tmp" "$WORK/conf.d"
dracut_tree "$WORK/dracut" "$MODDIR"
: >"$WORK/dracut.conf"

t_begin "dracut --no-hostonly --add hv-swiotlb builds an image"
dracutbasedir=$WORK/dracut HV_SWIOTLB_BINARY=$D/usr/sbin/hv-swiotlb \
	HV_SWIOTLB_BOOT=$D/usr/lib/hv-swiotlb/hv-swiotlb-boot \
	dracut --conf "$WORK/dracut.conf" --confdir "$WORK/conf.d" --tmpdir "$WORK/tmp" \
	--no-hostonly --add hv-swiotlb --kver "$KVER" --force "$WORK/dracut.img" \
	>"$WORK/dracut.log" 2>&1 || t_fail "dracut failed: $(tail -n 5 "$WORK/dracut.log")"
lsinitrd "$WORK/dracut.img" >"$WORK/dracut.ls" 2>&1 || t_fail "lsinitrd failed"
expect_line "$WORK/dracut.log" "Including module: hv-swiotlb"
t_end

t_begin "dracut image: the klibc binary, byte for byte"
lsinitrd -f usr/sbin/hv-swiotlb "$WORK/dracut.img" >"$WORK/dracut-bin" 2>/dev/null
cmp -s "$WORK/dracut-bin" "$BIN" || t_fail "usr/sbin/hv-swiotlb differs from $BIN"
t_end

t_begin "dracut image: the hook in pre-trigger, before udev and the initqueue"
expect_line "$WORK/dracut.ls" ' usr/lib/dracut/hooks/pre-trigger/20-hv-swiotlb-hook\.sh$'
lsinitrd -f usr/lib/dracut/hooks/pre-trigger/20-hv-swiotlb-hook.sh "$WORK/dracut.img" \
	>"$WORK/dracut-hook" 2>/dev/null
cmp -s "$WORK/dracut-hook" "$MODDIR/hv-swiotlb-hook.sh" || t_fail "the hook differs"
lsinitrd -f usr/lib/hv-swiotlb/hv-swiotlb-boot "$WORK/dracut.img" >"$WORK/dracut-boot" 2>/dev/null
cmp -s "$WORK/dracut-boot" "$D/usr/lib/hv-swiotlb/hv-swiotlb-boot" ||
	t_fail "usr/lib/hv-swiotlb/hv-swiotlb-boot differs or is missing"
expect_no_line "$WORK/dracut.ls" 'hooks/pre-mount/.*hv-swiotlb'
# In the systemd flavour the hooks run from dracut-pre-trigger.service.
if grep -q ' usr/lib/systemd/systemd$\| usr/lib/systemd/system/initrd.target$' "$WORK/dracut.ls"; then
	expect_line "$WORK/dracut.ls" 'dracut-pre-trigger\.service$'
fi
t_end

t_begin "dracut image: the vsock core and both host transports"
for m in vsock hv_sock vmw_vsock_virtio_transport; do
	expect_line "$WORK/dracut.ls" "/kernel/net/vmw_vsock/$m\\.ko(\\.[a-z]+)?\$"
done
t_end

t_begin "dracut warns (and still builds) when the kernel cannot make the pool"
expect_line "$WORK/dracut.log" "hv-swiotlb: pci-hyperv is a module in kernel $KVER"
t_end

# mkinitramfs takes extra hooks and scripts from its configuration directory.
cp -a /etc/initramfs-tools "$WORK/itconf"
mkdir -p "$WORK/itconf/hooks" "$WORK/itconf/scripts/init-premount"
cp "$D/usr/share/initramfs-tools/hooks/hv-swiotlb" "$WORK/itconf/hooks/"
cp "$D/usr/share/initramfs-tools/scripts/init-premount/hv-swiotlb" \
	"$WORK/itconf/scripts/init-premount/"

t_begin "mkinitramfs builds an image with the hook"
HV_SWIOTLB_BINARY=$D/usr/sbin/hv-swiotlb HV_SWIOTLB_BOOT=$D/usr/lib/hv-swiotlb/hv-swiotlb-boot \
	mkinitramfs -d "$WORK/itconf" -o "$WORK/it.img" "$KVER" >"$WORK/it.log" 2>&1 ||
	t_fail "mkinitramfs failed: $(tail -n 5 "$WORK/it.log")"
lsinitramfs "$WORK/it.img" >"$WORK/it.ls" 2>&1 || t_fail "lsinitramfs failed"
t_end

t_begin "initramfs-tools image: binary, boot script in init-premount, modules"
expect_line "$WORK/it.ls" '^usr/sbin/hv-swiotlb$'
expect_line "$WORK/it.ls" '^scripts/init-premount/hv-swiotlb$'
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
expect_line "$WORK/it.log" "W: hv-swiotlb: pci-hyperv is not built into kernel $KVER"
t_end

t_begin "the machine's own generator directories were not touched"
after=$(ls -d /usr/lib/dracut/modules.d/*hv-swiotlb \
	/usr/share/initramfs-tools/hooks/hv-swiotlb 2>/dev/null)
expect_eq "system hv-swiotlb files" "$system_dirs_before" "$after"
t_end

t_summary
