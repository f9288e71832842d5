#!/bin/sh
# The lifecycle guest's root disk (tests/boot/lifecycle.sh boots it): a
# working copy of a suite's root that tests/boot/distro-images.sh made,
# where our guest package is installed and its image built, turned into
# the Debian system a host operator and a guest administrator have:
#   - the receiver's package not installed, nor its user (the guest
#     installs version N, then N+1, a repack of the same package one
#     version up, then purges it, all under systemd as PID 1);
#   - grub-pc installed (its /etc/default/grub is the package's), for the
#     README's GRUB step, and that step and the README's checks after a
#     reboot, taken from README.md as they are written there;
#   - hvtest-lifecycle.service, which runs tests/boot/lifecycle-guest once
#     the system is up, then powers off.
# /proc, /sys and /dev, which distro-images.sh mounted in WORK, are
# unmounted: mke2fs copies the tree as it is.
#
#   tests/boot/lifecycle-disk.sh WORK DEBS OUT SUITE
#
# Writes OUT/SUITE-lifecycle.ext4.
set -eu
W=$1
DEBS=$(cd "$2" && pwd)
OUT=$(cd "$3" && pwd)
SUITE=$4
HERE=$(cd "$(dirname "$0")" && pwd)
README=$HERE/../../README.md
T=$W/usr/local/lib/hvtest

in_root() {
	chroot "$W" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# The receiver as a host that never had it: no package, no user.
in_root apt-get purge -y hv-swiotlb-recv
if in_root getent passwd hv-swiotlb >/dev/null; then in_root userdel hv-swiotlb; fi
if in_root getent group hv-swiotlb >/dev/null; then in_root groupdel hv-swiotlb; fi
# GRUB as Debian installs it (downloaded with the root, not installed).
in_root apt-get install -y --no-download grub-pc
test -f "$W/etc/default/grub"

# Version N, and N+1: the same package one version up, as the next
# upload would be (same maintainer scripts, same files).
rm -rf "$T"
mkdir -p "$T/debs/N" "$T/debs/N1"
cp "$DEBS"/hv-swiotlb-recv_*.deb "$T/debs/N/"
n=$(find "$T/debs/N" -name 'hv-swiotlb-recv_*.deb' | head -n 1)
v=$(dpkg-deb -f "$n" Version)
rm -rf "$OUT/$SUITE-lifecycle-repack"
dpkg-deb -R "$n" "$OUT/$SUITE-lifecycle-repack"
sed -i "s/^Version: .*/Version: $v+hvtest1/" "$OUT/$SUITE-lifecycle-repack/DEBIAN/control"
dpkg-deb --root-owner-group -b "$OUT/$SUITE-lifecycle-repack" "$T/debs/N1/" >/dev/null
rm -rf "$OUT/$SUITE-lifecycle-repack"
dpkg --compare-versions "$(dpkg-deb -f "$T"/debs/N1/*.deb Version)" gt "$v"

install -m 0755 "$HERE/lifecycle-guest" "$T/lifecycle-guest"
install -m 0755 "$HERE/lifecycle-backend" "$T/backend"

# The README's GRUB step: its code lines under "GRUB (Debian, Ubuntu)",
# with the size the stand-in module can allocate (a buddy allocation: 4
# MiB at most) in place of the README's.
grub=$(sed -n '/^- GRUB (Debian, Ubuntu)/,/^- grubby/p' "$README" | sed -n 's/^      //p')
case "$grub" in *hv_pci_swiotlb=64M*update-grub*) ;; *)
	echo "lifecycle-disk.sh: README.md's GRUB step is not the sed and update-grub it was:" >&2
	echo "$grub" >&2
	exit 1 ;;
esac
printf '%s\n' "set -ex" "$grub" | sed 's/hv_pci_swiotlb=64M/hv_pci_swiotlb=4M/' >"$T/readme-grub.sh"
# Its checks after a reboot, the guest's: each command as written, its
# output after a line that names it.
checks=$(sed -n '/^    # the guest$/,/^    # the host$/p' "$README" | sed -n 's/^    \([^#].*\)/\1/p' |
	sed 's/[[:space:]]*#.*$//')
[ "$(echo "$checks" | wc -l)" -ge 3 ] || { echo "lifecycle-disk.sh: README.md has no guest checks" >&2; exit 1; }
echo "$checks" | while IFS= read -r c; do
	printf 'echo "== %s"\n%s\necho "== rc $?"\n' "$c" "$c"
done >"$T/readme-check.sh"

cat >"$W/etc/systemd/system/hvtest-lifecycle.service" <<'EOF'
# Test-only: the packages' lifecycle, once the system is up; then off.
[Unit]
Description=hv-swiotlb test: the packages' lifecycle under systemd
After=multi-user.target
SuccessAction=poweroff-force
FailureAction=poweroff-force

[Service]
Type=oneshot
ExecStart=/usr/local/lib/hvtest/lifecycle-guest
StandardOutput=journal+console
TimeoutStartSec=900

[Install]
WantedBy=multi-user.target
EOF
mkdir -p "$W/etc/systemd/system/multi-user.target.wants"
ln -sf ../hvtest-lifecycle.service "$W/etc/systemd/system/multi-user.target.wants/"

for m in "$W/dev" "$W/sys" "$W/proc"; do
	if mountpoint -q "$m"; then umount -l "$m"; fi
done
rm -f "$OUT/$SUITE-lifecycle.ext4"
mke2fs -q -t ext4 -d "$W" "$OUT/$SUITE-lifecycle.ext4" 3G
echo "the lifecycle disk of $SUITE: $OUT/$SUITE-lifecycle.ext4"
