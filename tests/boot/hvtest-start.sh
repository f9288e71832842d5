# shellcheck shell=sh
# Test-only: load the stand-in for the patched kernel, then start the
# receiver on vsock loopback as hvtest.recv= says (ok, silent or none), or
# (host) the relay to a receiver outside the guest (hvtest-relay.c).
# Used by the dracut test hook (sourced) and the initramfs-tools test
# script (executed); it only defines and calls a function.

hvtest_start() {
    mkdir -p /run/hvtest
    # modprobe takes hv_swiotlb_stub.* options from the kernel command line.
    modprobe hv_swiotlb_stub 2>>/run/hvtest/modprobe.log
    modprobe vsock_loopback 2>>/run/hvtest/modprobe.log
    mode=ok
    # shellcheck disable=SC2013 # words are what we want
    for arg in $(cat /proc/cmdline); do
        case "$arg" in
        hvtest.recv=*) mode=${arg#hvtest.recv=} ;;
        hvtest.status=present)
            # As an initramfs that ran the tool would have left it.
            mkdir -p /run/hv-swiotlb
            echo "state=left-by-the-initramfs" >/run/hv-swiotlb/status
            ;;
        esac
    done
    case "$mode" in
    ok) set -- ;;
    silent) set -- --exec "sleep 300" --conn-timeout 300 ;;
    host)
        modprobe virtio_console 2>>/run/hvtest/modprobe.log
        hvtest-relay guest 18515 org.hvtest.relay 2>/run/hvtest/recv.log &
        hvtest_listening
        return 0
        ;;
    *) return 0 ;;
    esac
    hv-swiotlb-recv --vsock 18515 "$@" >/run/hvtest/recv.json 2>/run/hvtest/recv.log &
    hvtest_listening
}

# Its first line says it listens (dracut images have no grep): up to 5 s.
hvtest_listening() {
    i=0
    while [ $i -lt 100 ] && [ ! -s /run/hvtest/recv.log ]; do
        sleep 0.05
        i=$((i + 1))
    done
    return 0
}

hvtest_start
