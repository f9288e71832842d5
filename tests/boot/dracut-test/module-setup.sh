#!/bin/bash
# Test-only dracut module "hv-swiotlb-test": the stand-in kernel module,
# vsock_loopback and the reference receiver, started before the real hook
# (pre-trigger 05, before hv-swiotlb's 20).
# HVTEST_KO and HVTEST_RECV name the files to install.
# shellcheck disable=SC2154 # dracut sets kernel, moddir, initdir

check() {
    return 255
}

depends() {
    echo hv-swiotlb
}

installkernel() {
    instmods vsock_loopback
}

install() {
    inst_simple "$HVTEST_KO" "/lib/modules/$kernel/extra/hv_swiotlb_stub.ko"
    inst_binary "$HVTEST_RECV" /usr/bin/hv-swiotlb-recv
    inst_hook pre-trigger 05 "$moddir/hvtest-start.sh"
}
