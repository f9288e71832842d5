#!/bin/sh
# mkosi-initrd's image in a boot matrix root, with our drop-in as our
# package installed it (/usr/lib/mkosi-initrd/mkosi.conf.d/50-hv-swiotlb.conf)
# and the test additions as an administrator adds files: a drop-in, an
# extra tree and a package directory under /etc/mkosi-initrd. mkosi-initrd
# builds from packages: it takes ours from that package directory (a local
# repository it makes with reprepro in mkosi 25, apt-ftparchive from 26
# on) and the rest from the suite's archive, with the root's apt lists.
#
#   tests/boot/mkosi-initrd.sh ROOT KVER DEBS-IN-ROOT IMAGE-IN-ROOT
#
# ROOT is a mount point of its own (mkosi's sandbox makes / a slave mount,
# which only a mount point can be) with /proc, /sys and /dev mounted.
set -eu
W=$1
KVER=$2
DEBS=$3
IMAGE=$4
C=$W/etc/mkosi-initrd
rm -rf "$C"
mkdir -p "$C/mkosi.conf.d" "$C/mkosi.packages" "$W/usr/lib/firmware"
cp "$W$DEBS"/hv-swiotlb_*.deb "$W$DEBS"/hv-swiotlb-recv_*.deb "$C/mkosi.packages/"

# The test set-up (tests/boot/dracut-test/): the same files dracut's test
# module installs in a systemd image, as an extra tree, and the stand-in
# for dracut's rd.emergency=poweroff (tests/boot/mkosi-test/).
X=$C/mkosi.extra
T=$W/usr/lib/dracut/modules.d/99hv-swiotlb-test
install -D -m 0644 "$T/hvtest-start.sh" "$X/usr/lib/hvtest/hvtest-start.sh"
install -D -m 0644 "$T/hvtest-setup.service" "$X/usr/lib/systemd/system/hvtest-setup.service"
mkdir -p "$X/usr/lib/systemd/system/sysinit.target.wants"
ln -sf ../hvtest-setup.service "$X/usr/lib/systemd/system/sysinit.target.wants/"
install -D -m 0644 "$T/hvtest-order.conf" \
	"$X/usr/lib/systemd/system/hv-swiotlb-initrd.service.d/hvtest-order.conf"
install -D -m 0755 "$W/usr/lib/hvtest/hvtest-relay" "$X/usr/bin/hvtest-relay"
install -D -m 0644 "$(dirname "$0")/mkosi-test/hvtest-emergency-poweroff.service" \
	"$X/usr/lib/systemd/system/hvtest-emergency-poweroff.service"
mkdir -p "$X/usr/lib/systemd/system/emergency.target.wants"
ln -sf ../hvtest-emergency-poweroff.service "$X/usr/lib/systemd/system/emergency.target.wants/"

# KernelModulesInclude=: regular expressions, which mkosi 25 and 27 both
# read (27 as its KernelModules=); the stand-in is in updates/hvtest/.
cat >"$C/mkosi.conf.d/90-hvtest.conf" <<'EOF'
# Test-only: the receiver, the stand-in module, vsock loopback and the
# test VM's drivers.
[Content]
Packages=hv-swiotlb-recv
KernelModulesInclude=
        /hv_swiotlb_stub\.ko
        /vsock_loopback\.ko
        /virtio_console\.ko
        /virtio_pci\.ko
        /virtio_blk\.ko
        /virtio_net\.ko
        /ext4\.ko
EOF

# This machine's kernel may have no /proc/modules: see the shim.
# Beside mkosi: a .pth file runs once its own directory is on the path.
site=$(chroot "$W" python3 -c 'import mkosi, os; print(os.path.dirname(os.path.dirname(mkosi.__file__)))')
install -D -m 0644 "$(dirname "$0")/mkosi-test/hvtest_mkosi_shim.py" "$W$site/hvtest_mkosi_shim.py"
echo "import hvtest_mkosi_shim" >"$W$site/hvtest-mkosi-shim.pth"
chroot "$W" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
	mkosi-initrd --kernel-version "$KVER" --kernel-image "/boot/vmlinuz-$KVER" \
	-t cpio -O /tmp/mkosi-out -o initrd.img
cp "$W/tmp/mkosi-out/initrd.img" "$W$IMAGE"
