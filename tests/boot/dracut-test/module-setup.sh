#!/bin/bash
# Test-only dracut module "hv-swiotlb-test": the stand-in kernel module,
# vsock_loopback and the reference receiver, started before the real hook
# (pre-trigger 05, before hv-swiotlb's 20).
#
# With HVTEST_UNIT set to an installed tree (the unit image), it stands in
# for a root filesystem with no initramfs instead: no hv-swiotlb module,
# but the tree's hv-swiotlb.service enabled under sysinit.target, run by
# the initramfs' own systemd, after a set-up unit that does what the hook
# above does. HVTEST_KO and HVTEST_RECV name the files to install.
# shellcheck disable=SC2154 # dracut sets kernel, moddir, initdir, systemdsystemunitdir

check() {
    return 255
}

depends() {
    if [[ $HVTEST_UNIT ]]; then
        echo systemd
    else
        echo hv-swiotlb
    fi
}

installkernel() {
    instmods vsock_loopback vsock hv_sock vmw_vsock_virtio_transport
}

install() {
    inst_simple "$HVTEST_KO" "/lib/modules/$kernel/extra/hv_swiotlb_stub.ko"
    inst_binary "$HVTEST_RECV" /usr/bin/hv-swiotlb-recv
    if [[ ! $HVTEST_UNIT ]]; then
        inst_hook pre-trigger 05 "$moddir/hvtest-start.sh"
        return 0
    fi
    local unit
    unit=$(find "$HVTEST_UNIT/lib/systemd/system" "$HVTEST_UNIT/usr/lib/systemd/system" \
        -name hv-swiotlb.service 2>/dev/null | head -n 1)
    inst_binary "$HVTEST_UNIT/usr/sbin/hv-swiotlb" /usr/sbin/hv-swiotlb
    inst_simple "$HVTEST_UNIT/usr/lib/hv-swiotlb/hv-swiotlb-boot" /usr/lib/hv-swiotlb/hv-swiotlb-boot
    inst_multiple -o modprobe
    inst_simple "$unit" "$systemdsystemunitdir/hv-swiotlb.service"
    inst_simple "$moddir/hvtest-start.sh" /usr/lib/hvtest/hvtest-start.sh
    inst_simple "$moddir/hvtest-setup.service" "$systemdsystemunitdir/hvtest-setup.service"
    inst_simple "$moddir/hvtest-order.conf" \
        "$systemdsystemunitdir/hv-swiotlb.service.d/hvtest-order.conf"
    mkdir -p "$initdir$systemdsystemunitdir/sysinit.target.wants"
    ln -sf ../hv-swiotlb.service "$initdir$systemdsystemunitdir/sysinit.target.wants/"
    ln -sf ../hvtest-setup.service "$initdir$systemdsystemunitdir/sysinit.target.wants/"
}
