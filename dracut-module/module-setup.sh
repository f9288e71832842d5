#!/bin/bash
# dracut module "hv-swiotlb": hand the hv_pci swiotlb pool's range to the
# host from a pre-trigger hook, before udev and the initqueue bring up any
# device, the network or the root.
# See hv-swiotlb(7). Use it as: dracut --add hv-swiotlb

# The binary and the boot script to put in the image. Packagers and tests
# may point elsewhere with HV_SWIOTLB_BINARY and HV_SWIOTLB_BOOT; `make
# install` writes the defaults.
# dracut sets kernel, srcmods, moddir, initdir, hostonly, hostonly_cmdline.
# shellcheck disable=SC2154
hv_swiotlb_binary() {
    echo "${HV_SWIOTLB_BINARY:-@SBINDIR@/hv-swiotlb}"
}
hv_swiotlb_boot() {
    echo "${HV_SWIOTLB_BOOT:-@LIBEXECDIR@/hv-swiotlb-boot}"
}

check() {
    require_binaries "$(hv_swiotlb_binary)" "$(hv_swiotlb_boot)" || return 1
    # A host-only build on a Hyper-V guest whose kernel publishes or asks
    # for the pool takes it in by itself; otherwise only when asked for.
    if [[ $hostonly ]] && [[ -d /sys/bus/vmbus ]]; then
        [[ -e /sys/bus/vmbus/drivers/hv_pci/swiotlb_base ]] && return 0
        grep -Eq '(^|[[:space:]])"?hv[-_]pci[-_]swiotlb=' /proc/cmdline && return 0
    fi
    return 255
}

depends() {
    return 0
}

# Warn, never fail, when the target kernel cannot make the pool at all.
hv_swiotlb_check_kernel() {
    local builtin="$srcmods/modules.builtin" config="/boot/config-$kernel"

    if [[ -r $builtin ]] && ! grep -q '/pci-hyperv\.ko$' "$builtin"; then
        if modinfo -k "$kernel" -F filename pci-hyperv &>/dev/null; then
            dwarn "hv-swiotlb: pci-hyperv is a module in kernel $kernel, and hv_pci_swiotlb= is only read when it is built in (CONFIG_PCI_HYPERV=y): no pool will be made"
        else
            dwarn "hv-swiotlb: kernel $kernel has no pci-hyperv: no pool will be made"
        fi
    fi
    if [[ -r $config ]] && ! grep -q '^CONFIG_CONTIG_ALLOC=y' "$config"; then
        dwarn "hv-swiotlb: kernel $kernel is built without CONFIG_CONTIG_ALLOC and will ignore hv_pci_swiotlb="
    fi
    return 0
}

installkernel() {
    # The vsock core and every host transport, host-only or not: the one
    # the guest will need may not be loaded while the image is built.
    hostonly='' instmods vsock hv_sock vmw_vsock_virtio_transport
    hv_swiotlb_check_kernel
}

install() {
    local opts

    # inst_binary: a static build, or a glibc one with its libraries.
    inst_binary "$(hv_swiotlb_binary)" /usr/sbin/hv-swiotlb
    inst_simple "$(hv_swiotlb_boot)" /usr/lib/hv-swiotlb/hv-swiotlb-boot
    inst_multiple -o modprobe
    # pre-trigger: /proc, /sys, /run and modprobe are there, and vmbus and
    # pci-hyperv are built into every kernel that can make the pool.
    inst_hook pre-trigger 20 "$moddir/hv-swiotlb-hook.sh"
    # A host-only command line keeps this host's own rd.hvswiotlb options.
    if [[ $hostonly_cmdline == yes ]]; then
        opts=$(tr -s '[:space:]' '\n' </proc/cmdline | grep -E '^rd\.hvswiotlb(\.|=|$)' | tr '\n' ' ')
        if [[ $opts ]]; then
            mkdir -p "${initdir}/etc/cmdline.d"
            printf '%s\n' "$opts" >"${initdir}/etc/cmdline.d/91hv-swiotlb.conf"
        fi
    fi
}
