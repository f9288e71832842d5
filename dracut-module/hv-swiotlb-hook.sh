#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut pre-trigger hook (dracut's shell init): hand the hv_pci swiotlb
# pool to the host before udev triggers the devices and the initqueue
# brings up the network or reaches the root, so before any device carries
# traffic; in a boot that may resume from hibernation, hv-swiotlb-boot
# leaves it to the pre-mount hook, after the resume attempt. dracut sources
# this file: it returns, never exits, and returns 0 on every path but a
# required failure, which goes to dracut's emergency shell (honouring
# rd.shell). With systemd in the image, hv-swiotlb-initrd.service does the
# same instead.

# shellcheck source=/dev/null
type emergency_shell >/dev/null 2>&1 || . /lib/dracut-lib.sh

/usr/lib/hv-swiotlb/hv-swiotlb-boot early dracut /usr/sbin/hv-swiotlb ||
    emergency_shell -n hv-swiotlb "hv-swiotlb: the swiotlb pool handoff failed (exit $?) and rd.hvswiotlb.required is set; see /run/hv-swiotlb/status"
return 0
