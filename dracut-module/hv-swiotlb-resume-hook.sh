#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut pre-mount hook (dracut's shell init), after dracut's own resume
# attempt (the initqueue's udev rule, or pre-mount/10-resume.sh): the
# handoff of a boot that may resume from hibernation, which the pre-trigger
# hook left for now; nothing when that hook handed the range over already.
# Sourced, like hv-swiotlb-hook.sh: returns, never exits.

# shellcheck source=/dev/null
type emergency_shell >/dev/null 2>&1 || . /lib/dracut-lib.sh

/usr/lib/hv-swiotlb/hv-swiotlb-boot after-resume /usr/sbin/hv-swiotlb ||
    emergency_shell -n hv-swiotlb "hv-swiotlb: the swiotlb pool handoff failed (exit $?) and rd.hvswiotlb.required is set; see /run/hv-swiotlb/status"
return 0
