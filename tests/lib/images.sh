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
