#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut module "hv-swiotlb": hand the hv_pci swiotlb pool's range to the
# host before udev and the initqueue bring up any device, the network or
# the root; in a boot that may resume from hibernation, after the resume
# attempt instead. See hv-swiotlb(7). Use it as: dracut --add hv-swiotlb
#
# Its number, 50, is one that every dracut we know orders the same way: it
# is in the 50-59 range dracut-ng (108 and later) reserves for modules from
# outside its tree, and it sorts after the systemd module (00systemd in
# dracut 059 and dracut-ng 102, 10systemd since 108), whose files install()
# looks for, in both numberings. The work is not ordered by the number:
# the hooks are by their own priorities (pre-trigger 20, pre-mount 20) and
# the units by their Before=/After=.
#
# Only what dracut.modules(7) documents as the modules' interface is relied
# on (inst_binary, inst_simple, inst_hook, inst_multiple, instmods,
# require_binaries; $hostonly, $hostonly_cmdline, $moddir, and $initdir,
# which every module writes to). Where something else is used, there is a
# fallback: dracut_module_included, left out of that list by dracut-ng 110,
# is replaced by the systemd module's own binary in the image; dwarn and
# dfatal (dracut-logger.sh) by standard error; $systemdutildir,
# $systemdsystemunitdir and $srcmods by their usual values.

# The binary, the boot script and the units to put in the image. Packagers
# and tests may point elsewhere with HV_SWIOTLB_BINARY, HV_SWIOTLB_BOOT and
# HV_SWIOTLB_UNITDIR; `make install` writes the defaults.
# dracut sets kernel, moddir, initdir, hostonly and hostonly_cmdline.
# shellcheck disable=SC2154
hv_swiotlb_binary() {
    echo "${HV_SWIOTLB_BINARY:-@SBINDIR@/hv-swiotlb}"
}
hv_swiotlb_boot() {
    echo "${HV_SWIOTLB_BOOT:-@LIBEXECDIR@/hv-swiotlb-boot}"
}
hv_swiotlb_unit() {
    echo "${HV_SWIOTLB_UNITDIR:-@SYSTEMDUNITDIR@}/$1"
}

hv_swiotlb_say() { # LEVEL MESSAGE: dwarn or dfatal where dracut has them
    if type "d$1" &>/dev/null; then
        "d$1" "hv-swiotlb: $2"
    else
        echo "dracut: hv-swiotlb: $2" >&2
    fi
}
hv_swiotlb_unitdir() {
    echo "${systemdsystemunitdir:-/usr/lib/systemd/system}"
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
    local builtin="${srcmods:-/lib/modules/$kernel}/modules.builtin" config="/boot/config-$kernel"

    if [[ -r $builtin ]] && ! grep -q '/pci-hyperv\.ko$' "$builtin"; then
        if modinfo -k "$kernel" -F filename pci-hyperv &>/dev/null; then
            hv_swiotlb_say warn "pci-hyperv is a module in kernel $kernel, and hv_pci_swiotlb= is only read when it is built in (CONFIG_PCI_HYPERV=y): no pool will be made"
        else
            hv_swiotlb_say warn "kernel $kernel has no pci-hyperv: no pool will be made"
        fi
    fi
    if [[ -r $config ]] && ! grep -q '^CONFIG_CONTIG_ALLOC=y' "$config"; then
        hv_swiotlb_say warn "kernel $kernel is built without CONFIG_CONTIG_ALLOC and will ignore hv_pci_swiotlb="
    fi
    return 0
}

installkernel() {
    # The vsock core and every host transport, host-only or not: the one
    # the guest will need may not be loaded while the image is built.
    hostonly='' instmods vsock hv_sock vmw_vsock_virtio_transport
    hv_swiotlb_check_kernel
}

# systemd runs this image's init: units instead of dracut's shell hooks.
hv_swiotlb_systemd_image() {
    if type dracut_module_included &>/dev/null; then
        dracut_module_included systemd
    else
        [[ -x $initdir${systemdutildir:-/usr/lib/systemd}/systemd ]]
    fi
}

hv_swiotlb_install_units() {
    local unit dir
    dir=$(hv_swiotlb_unitdir)

    for unit in hv-swiotlb-initrd.service hv-swiotlb-initrd-resume.service; do
        inst_simple "$(hv_swiotlb_unit "$unit")" "$dir/$unit" || return 1
        mkdir -p "$initdir$dir/initrd.target.wants"
        ln -sf "../$unit" "$initdir$dir/initrd.target.wants/$unit"
    done
}

# dracut takes no notice of what install() returns: an image without the
# handoff would be written and dracut would exit 0. A module that cannot
# install what it is for stops the build instead, as dracut itself does
# when a module's installkernel() fails (dfatal, exit 1; dracut's EXIT
# trap removes the unfinished image).
hv_swiotlb_cannot() {
    hv_swiotlb_say fatal "$1; the image would not hand the swiotlb pool over, so it is not built"
    exit 1
}

install() {
    local opts

    # inst_binary: a static build, or a glibc one with its libraries.
    inst_binary "$(hv_swiotlb_binary)" /usr/sbin/hv-swiotlb ||
        hv_swiotlb_cannot "cannot install $(hv_swiotlb_binary)"
    inst_simple "$(hv_swiotlb_boot)" /usr/lib/hv-swiotlb/hv-swiotlb-boot ||
        hv_swiotlb_cannot "cannot install $(hv_swiotlb_boot)"
    inst_multiple -o modprobe
    if hv_swiotlb_systemd_image; then
        hv_swiotlb_install_units ||
            hv_swiotlb_cannot "cannot install its initrd units from $(hv_swiotlb_unit '')"
    else
        # pre-trigger: /proc, /sys, /run and modprobe are there, and vmbus
        # and pci-hyperv are built into every kernel that can make the
        # pool. pre-mount: after dracut's resume (the initqueue's udev
        # rule, or pre-mount/10-resume.sh), before the root is mounted.
        inst_hook pre-trigger 20 "$moddir/hv-swiotlb-hook.sh" ||
            hv_swiotlb_cannot "cannot install its pre-trigger hook"
        inst_hook pre-mount 20 "$moddir/hv-swiotlb-resume-hook.sh" ||
            hv_swiotlb_cannot "cannot install its pre-mount hook"
    fi
    # A host-only command line keeps this host's own rd.hvswiotlb options.
    if [[ $hostonly_cmdline == yes ]]; then
        opts=$(tr -s '[:space:]' '\n' </proc/cmdline | grep -E '^rd\.hvswiotlb(\.|=|$)' | tr '\n' ' ')
        if [[ $opts ]]; then
            mkdir -p "${initdir}/etc/cmdline.d"
            printf '%s\n' "$opts" >"${initdir}/etc/cmdline.d/50hv-swiotlb.conf"
        fi
    fi
}
