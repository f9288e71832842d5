# shellcheck shell=sh
# Shared by the scripts that build initramfs images for tests and benches.

# The newest Debian kernel with modules installed (not the running one).
debian_kver() {
	find /lib/modules -mindepth 2 -maxdepth 2 -name modules.dep |
		sed 's|^/lib/modules/||; s|/modules.dep$||' | sort -V | tail -n 1
}

# dracut_tree DIR MODULE_DIR...: a dracut base directory at DIR made of
# links to the system's, with the given module directories added, for
# dracutbasedir=DIR. The system's own directory is never written.
dracut_tree() {
	tree=$1
	shift
	mkdir -p "$tree/modules.d"
	for f in /usr/lib/dracut/*; do
		[ "${f##*/}" = modules.d ] || ln -s "$f" "$tree/"
	done
	for m in /usr/lib/dracut/modules.d/* "$@"; do
		ln -s "$m" "$tree/modules.d/"
	done
}
