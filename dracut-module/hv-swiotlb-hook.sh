#!/bin/sh
# dracut pre-trigger hook: hand the hv_pci swiotlb pool to the host before
# udev triggers the devices and the initqueue brings up the network or
# reaches the root, so before any device carries traffic. dracut sources
# this file, with systemd (dracut-pre-trigger.service) or its shell init
# alike: it returns, never exits, and returns 0 on every path but a
# required failure, which goes to dracut's emergency shell (honouring
# rd.shell). The work is hv-swiotlb-boot's.

# shellcheck disable=SC3043 # dracut's shells (bash, dash, busybox) have local
# shellcheck source=/dev/null
type emergency_shell >/dev/null 2>&1 || . /lib/dracut-lib.sh

hv_swiotlb_handoff() {
    local rc

    /usr/lib/hv-swiotlb/hv-swiotlb-boot /usr/sbin/hv-swiotlb
    rc=$?
    [ "$rc" -eq 0 ] && return 0
    emergency_shell -n hv-swiotlb "hv-swiotlb: the swiotlb pool handoff failed (exit $rc) and rd.hvswiotlb.required is set; see /run/hv-swiotlb/status"
    return 0
}

hv_swiotlb_handoff
