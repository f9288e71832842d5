# shellcheck shell=sh
# Shared by the scripts that build initramfs images for tests and benches.

# The newest Debian kernel with modules installed (not the running one).
debian_kver() {
	find /lib/modules -mindepth 2 -maxdepth 2 -name modules.dep |
		sed 's|^/lib/modules/||; s|/modules.dep$||' | sort -V | tail -n 1
}

# dracut_tree DIR MODULE_DIR...: a dracut base directory at DIR made of
# links to the system's (or, with DRACUT_BASE set, to that dracut's, such
# as a dracut-ng build directory), with the given module directories
# added, for dracutbasedir=DIR. The original is never written.
dracut_tree() {
	tree=$1
	base=${DRACUT_BASE:-/usr/lib/dracut}
	shift
	mkdir -p "$tree/modules.d"
	for f in "$base"/* "$base"/.??*; do
		[ -e "$f" ] || continue
		[ "${f##*/}" = modules.d ] || ln -s "$f" "$tree/"
	done
	for m in "$base"/modules.d/* "$@"; do
		ln -s "$m" "$tree/modules.d/"
	done
}

# The test VM's devices and root filesystem, and no other driver: a generic
# image would unpack and probe every module of the kernel at every boot
# (over 30 MB, 3 s under TCG), for nothing the scenarios look at.
# shellcheck disable=SC2034 # for the scripts that source this file
HVTEST_DRIVERS="virtio_pci virtio_blk virtio_net virtio_console"

# The helpers below take their files from tests/boot/, which their callers
# (the scripts there) name as HERE.

# hvtest_dracut_module DIR: the test-only dracut module hv-swiotlb-test
# (tests/boot/dracut-test/ and hvtest-start.sh), copied to DIR.
hvtest_dracut_module() {
	mkdir -p "$1"
	cp "$HERE/dracut-test/module-setup.sh" "$HERE/hvtest-start.sh" \
		"$HERE/dracut-test/hvtest-setup.service" "$HERE/dracut-test/hvtest-order.conf" \
		"$HERE/dracut-test/hvtest-realroot.conf" "$1/"
}

# hvtest_initramfs_tools CONFDIR: the test-only hook and init-top script
# (tests/boot/initramfs-tools-test/ and hvtest-start.sh) in an
# initramfs-tools configuration directory, and a conf.d drop-in that keeps
# to the listed modules, as dracut's images do, at zstd -1.
hvtest_initramfs_tools() {
	mkdir -p "$1/hooks" "$1/scripts/init-top" "$1/conf.d"
	install -m 0755 "$HERE/initramfs-tools-test/hook" "$1/hooks/hv-swiotlb-test"
	{
		cat <<'HEAD'
#!/bin/sh
# Test-only init-top script; see tests/boot/hvtest-start.sh.
PREREQ=""
prereqs() { echo "$PREREQ"; }
case "$1" in prereqs) prereqs; exit 0 ;; esac
HEAD
		cat "$HERE/hvtest-start.sh"
		echo "exit 0"
	} >"$1/scripts/init-top/hv-swiotlb-test"
	chmod 0755 "$1/scripts/init-top/hv-swiotlb-test"
	printf '%s\n' '# Test-only: the test VM'"'"'s drivers (the test hook), no others.' \
		'MODULES=list' 'COMPRESS=zstd' 'COMPRESSLEVEL=1' >"$1/conf.d/hvtest"
}
