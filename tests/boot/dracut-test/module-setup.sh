#!/bin/bash
# Test-only dracut module "hv-swiotlb-test": the stand-in kernel module,
# vsock_loopback, the reference receiver and the relay (hvtest-start.sh),
# started before the handoff: in dracut's shell init from a pre-trigger
# hook at 05, before hv-swiotlb's 20; with systemd, from hvtest-setup.service,
# ordered before hv-swiotlb's units.
#
# With HVTEST_UNIT set to an installed tree (the unit image), it stands in
# for a root filesystem with no initramfs instead: no hv-swiotlb module,
# but the tree's hv-swiotlb.service enabled under sysinit.target, run by
# the initramfs' own systemd. HVTEST_KO, HVTEST_RECV and HVTEST_RELAY name
# the files to install; unset, as when a distribution's generator runs it
# in the boot matrix's roots, they are the root's own: the stand-in module
# from its module tree, the receiver its package installed, the relay in
# /usr/lib/hvtest.
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
    instmods vsock_loopback vsock hv_sock vmw_vsock_virtio_transport virtio_console
}

hvtest_systemd_image() {
    [[ -x $initdir$systemdutildir/systemd ]]
}

# The set-up as a unit, before UNIT (one of hv-swiotlb's), which needs it.
hvtest_setup_unit() {
    inst_simple "$moddir/hvtest-start.sh" /usr/lib/hvtest/hvtest-start.sh
    inst_simple "$moddir/hvtest-setup.service" "$systemdsystemunitdir/hvtest-setup.service"
    mkdir -p "$initdir$systemdsystemunitdir/sysinit.target.wants"
    ln -sf ../hvtest-setup.service "$initdir$systemdsystemunitdir/sysinit.target.wants/"
    for unit in "$@"; do
        inst_simple "$moddir/hvtest-order.conf" \
            "$systemdsystemunitdir/$unit.d/hvtest-order.conf"
    done
}

# dracut-ng 108 and later install only systemd-hibernate-resume.service,
# which systemd 255 brought; the systemd of the machine that builds the
# test images (252) has the @-template instead, which its resume generator
# instantiates. Without it such an image cannot resume at all, so the test
# image gets it: the scenarios are about hv-swiotlb, not that mismatch.
hvtest_resume_unit() {
    local dir=$initdir$systemdsystemunitdir
    [[ -e $dir/systemd-hibernate-resume@.service || -e $dir/systemd-hibernate-resume.service ]] &&
        return 0
    [[ -e $dir/../system-generators/systemd-hibernate-resume-generator ]] || return 0
    dwarn "hv-swiotlb-test: adding systemd-hibernate-resume@.service, which this dracut did not install"
    inst_simple "$systemdsystemunitdir/systemd-hibernate-resume@.service"
}

install() {
    if [[ $HVTEST_KO ]]; then
        inst_simple "$HVTEST_KO" "/lib/modules/$kernel/extra/hv_swiotlb_stub.ko"
    else
        instmods hv_swiotlb_stub
    fi
    inst_binary "${HVTEST_RECV:-/usr/sbin/hv-swiotlb-recv}" /usr/bin/hv-swiotlb-recv
    inst_binary "${HVTEST_RELAY:-/usr/lib/hvtest/hvtest-relay}" /usr/bin/hvtest-relay
    if [[ ! $HVTEST_UNIT ]]; then
        if hvtest_systemd_image; then
            hvtest_setup_unit hv-swiotlb-initrd.service
            hvtest_resume_unit
        else
            inst_hook pre-trigger 05 "$moddir/hvtest-start.sh"
        fi
        return 0
    fi
    local unit
    unit=$(find "$HVTEST_UNIT/lib/systemd/system" "$HVTEST_UNIT/usr/lib/systemd/system" \
        -name hv-swiotlb.service 2>/dev/null | head -n 1)
    inst_binary "$HVTEST_UNIT/usr/sbin/hv-swiotlb" /usr/sbin/hv-swiotlb
    inst_simple "$HVTEST_UNIT/usr/lib/hv-swiotlb/hv-swiotlb-boot" /usr/lib/hv-swiotlb/hv-swiotlb-boot
    inst_multiple -o modprobe
    inst_simple "$unit" "$systemdsystemunitdir/hv-swiotlb.service"
    mkdir -p "$initdir$systemdsystemunitdir/sysinit.target.wants"
    ln -sf ../hv-swiotlb.service "$initdir$systemdsystemunitdir/sysinit.target.wants/"
    inst_simple "$moddir/hvtest-realroot.conf" \
        "$systemdsystemunitdir/hv-swiotlb.service.d/hvtest-realroot.conf"
    hvtest_setup_unit hv-swiotlb.service
}
