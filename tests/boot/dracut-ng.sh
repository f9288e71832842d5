#!/bin/sh
# Build dracut-ng VERSION from its upstream release tarball, once, for the
# boot tests: Azure Linux 3.0 ships 102, which no Debian suite has (the
# boot matrix covers Debian's own dracut-ng builds). Nothing is installed:
# dracut-ng runs from its build directory, with dracutbasedir pointing at
# it (tests/boot/build-images.sh). dracut-ng is never patched; what it
# needs that this system lacks shows in the build's log.
#
#   tests/boot/dracut-ng.sh VERSION CACHE
#
# The tarball is tests/vendor/dracut-ng-VERSION.tar.gz, kept in this
# repository unchanged from dracut-ng's release (a git archive of the
# tag) and checked against tests/vendor/SHA256SUMS before it is used. The
# build lands in CACHE/dracut-ng-VERSION and is kept while that checksum
# stays the same. Prints the build directory.
set -eu
VERSION=$1
CACHE=$2
HERE=$(cd "$(dirname "$0")" && pwd)
VENDOR=$HERE/../vendor
TARBALL=$VENDOR/dracut-ng-$VERSION.tar.gz
if [ ! -f "$TARBALL" ]; then
	echo "dracut-ng.sh: no $TARBALL: tests/vendor/ has the release tarballs the tests build" >&2
	exit 1
fi
SUM=$(sha256sum "$TARBALL" | cut -d' ' -f1)
WANT=$(sed -n "s/^\([0-9a-f]*\)  dracut-ng-$VERSION\.tar\.gz\$/\1/p" "$VENDOR/SHA256SUMS")
if [ -z "$WANT" ] || [ "$SUM" != "$WANT" ]; then
	echo "dracut-ng.sh: $TARBALL has sha256 $SUM, tests/vendor/SHA256SUMS says '$WANT': a damaged or replaced tarball is never built" >&2
	exit 1
fi
mkdir -p "$CACHE"
DIR=$(cd "$CACHE" && pwd)/dracut-ng-$VERSION
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
