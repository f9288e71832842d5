#!/bin/sh
# dracut pre-mount hook: hand the hv_pci swiotlb pool to the host before
# the root filesystem is mounted. dracut sources this file: it returns,
# never exits, and returns 0 on every path but a required failure, which
# goes to dracut's emergency shell (honouring rd.shell).

# shellcheck disable=SC3043 # dracut's shells (bash, dash, busybox) have local
# shellcheck source=/dev/null
type getargbool >/dev/null 2>&1 || . /lib/dracut-lib.sh

hv_swiotlb_handoff() {
    local rc cmdline

    getargbool 1 rd.hvswiotlb || return 0
    # Neither published nor asked for: nothing to do, nothing to load.
    # (Shell only: dracut images need not have grep.)
    if [ ! -e /sys/bus/vmbus/drivers/hv_pci/swiotlb_base ]; then
        read -r cmdline </proc/cmdline
        case " $cmdline" in
        *[\ \"]hv[-_]pci[-_]swiotlb=*) ;;
        *) return 0 ;;
        esac
    fi
    # The transport must be there before the first connect; autoloading
    # it from inside connect() is not something to rely on at boot.
    modprobe -q hv_sock 2>/dev/null
    modprobe -q vmw_vsock_virtio_transport 2>/dev/null

    # The tool bounds itself (rd.hvswiotlb.timeout) and logs its outcome.
    /usr/sbin/hv-swiotlb
    rc=$?
    [ "$rc" -eq 0 ] && return 0
    if getargbool 0 rd.hvswiotlb.required; then
        emergency_shell -n hv-swiotlb "hv-swiotlb: the swiotlb pool handoff failed (exit $rc) and rd.hvswiotlb.required is set; see /run/hv-swiotlb/status"
    fi
    return 0
}

hv_swiotlb_handoff
