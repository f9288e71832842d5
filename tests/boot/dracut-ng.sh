#!/bin/sh
# Build dracut-ng VERSION from its upstream release tarball, once, for the
# boot tests: Azure Linux 3.0 ships 102, and 111 is the newest. Nothing is
# installed: dracut-ng runs from its build directory, with dracutbasedir
# pointing at it (tests/boot/build-images.sh). dracut-ng is never patched;
# what it needs that this system lacks shows in the build's log.
#
#   tests/boot/dracut-ng.sh VERSION CACHE
#
# The tarball is $HVTEST_VENDOR/dracut-ng-VERSION.tar.gz (default: the
# vendor directory beside this tree, ../shared/vendor). The build lands in
# CACHE/dracut-ng-VERSION and is kept while the tarball's checksum stays
# the same. Prints the build directory.
set -eu
VERSION=$1
CACHE=$2
HERE=$(cd "$(dirname "$0")" && pwd)
VENDOR=${HVTEST_VENDOR:-$HERE/../../../shared/vendor}
TARBALL=$VENDOR/dracut-ng-$VERSION.tar.gz
if [ ! -f "$TARBALL" ]; then
	echo "dracut-ng.sh: no $TARBALL: put dracut-ng's release tarball there, or set HVTEST_VENDOR" >&2
	exit 1
fi
mkdir -p "$CACHE"
DIR=$(cd "$CACHE" && pwd)/dracut-ng-$VERSION
SUM=$(sha256sum "$TARBALL" | cut -d' ' -f1)
if [ -f "$DIR/.hvtest-built" ] && [ "$(cat "$DIR/.hvtest-built")" = "$SUM" ]; then
	echo "$DIR"
	exit 0
fi
rm -rf "$DIR"
mkdir -p "$DIR"
# A git archive: one top directory, dracut-ng-VERSION.
tar -xzf "$TARBALL" -C "$DIR" --strip-components=1
(
	cd "$DIR"
	./configure --disable-documentation
	make -j2
) >"$DIR.log" 2>&1 || {
	echo "dracut-ng.sh: building dracut-ng $VERSION failed; the end of $DIR.log:" >&2
	tail -n 20 "$DIR.log" >&2
	exit 1
}
echo "$SUM" >"$DIR/.hvtest-built"
echo "$DIR"
