#!/bin/sh
# Real boots under QEMU, over the boot matrix: for each Debian suite a root
# made of that suite's packages (tests/boot/distro-root.sh), in which our
# .debs are installed with apt and the suite's own generators build the
# images (tests/boot/distro-images.sh); dracut-ng 102, Azure Linux 3.0's,
# built from its release tarball on this machine (Debian 12, bookworm)
# with bookworm's kernel (tests/boot/build-images.sh, which also makes the
# root disk every guest boots into); then every scenario of every image
# (tests/boot/scenarios.sh). SUITE-lifecycle: that suite's root booted with
# systemd as PID 1, where the packages are installed, upgraded and purged,
# and the README's GRUB step is taken (tests/boot/lifecycle.sh).
#
#   tests/suites/boot.sh BUILD
#
# HVTEST_IMAGES="IMAGE..." builds and boots those images alone, for a
# quick loop: e.g. HVTEST_IMAGES=trixie-dracut-shell tests/run.sh build boot.
# An image is SUITE-GENERATOR; see MATRIX.
set -u
B=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib/report.sh
. "$HERE/../lib/report.sh"

MATRIX="bookworm-dracut-systemd bookworm-dracut-shell bookworm-initramfs-tools bookworm-unit
bookworm-dracut-ng102-systemd bookworm-dracut-ng102-shell
trixie-dracut-systemd trixie-dracut-shell trixie-initramfs-tools trixie-mkosi-initrd
unstable-dracut-systemd unstable-dracut-shell unstable-initramfs-tools unstable-mkosi-initrd
bookworm-lifecycle"
IMAGES=$(echo "${HVTEST_IMAGES:-$MATRIX}" | tr -s ' \n' '  ')
OUT=$B/boot
mkdir -p "$OUT"

# Our .debs: the packages suite's when they are newer than every file
# they are made of, else built here (without their unit tests, which the
# unit suite runs).
DEBS=$B/packages/src
made_of="$TOP/Makefile $TOP/src $TOP/scripts $TOP/dracut-module $TOP/initramfs-tools \
	$TOP/systemd $TOP/mkosi $TOP/debian $TOP/man"
fresh_debs() {
	deb=$(find "$DEBS" -maxdepth 1 -name 'hv-swiotlb_*.deb' 2>/dev/null | head -n 1)
	# shellcheck disable=SC2086 # one word per path
	[ -n "$deb" ] && [ -z "$(find $made_of -newer "$deb" -type f 2>/dev/null | head -n 1)" ]
}
t_begin "our .debs, as dpkg-buildpackage makes them"
if ! fresh_debs; then
	DEBS=$OUT/debs
	rm -rf "$DEBS"
	mkdir -p "$DEBS/src"
	(cd "$TOP" && git ls-files 2>/dev/null | grep -v '^tests/vendor/' | tar -cf - -T -) |
		tar -xf - -C "$DEBS/src"
	(cd "$DEBS/src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) \
		>"$OUT/debs.log" 2>&1 || t_fail "dpkg-buildpackage failed: $(tail -n 5 "$OUT/debs.log")"
fi
ls "$DEBS"/hv-swiotlb_*.deb "$DEBS"/hv-swiotlb-recv_*.deb >/dev/null 2>&1 ||
	t_fail "no .debs in $DEBS"
t_end
# The files the root disk and the host-built images take: the packages'.
tree=$B/stage
[ -d "$B/packages/deb-root" ] && fresh_debs && tree=$B/packages/deb-root

# The root disk and, when asked for, the dracut-ng 102 images.
host_images=""
for i in $IMAGES; do
	case "$i" in bookworm-dracut-ng102-*) host_images="$host_images ${i#bookworm-}" ;; esac
done
t_begin "the root disk${host_images:+ and$host_images}, on this machine"
# shellcheck disable=SC2086 # one word per image
if sh "$HERE/../boot/build-images.sh" "$tree" "$B/glibc/hv-swiotlb-recv" "$OUT" \
	root $host_images >"$OUT/host-images.log" 2>&1; then
	for i in $host_images; do ln -sf "$i.img" "$OUT/bookworm-$i.img"; done
else
	t_fail "$(tail -n 20 "$OUT/host-images.log")"
fi
t_end

# Each suite's root, then its images, every suite at once: mmdebstrap
# and apt wait on the network, the generators on the disk, much of the
# time (measured here: two suites at a time, then the third, took 9.3
# min; all three at once, 7.1 min).
suites=""
for i in $IMAGES; do
	s=${i%%-*}
	case " $suites " in *" $s "*) ;; *) suites="$suites $s" ;; esac
done
build_suite() { # SUITE
	gens=""
	for i in $IMAGES; do
		case "$i" in "$1"-dracut-ng*) ;; "$1"-*) gens="$gens ${i#"$1"-}" ;; esac
	done
	[ -n "$gens" ] || return 0
	root=$(sh "$HERE/../boot/distro-root.sh" "$1" "$B/roots" 2>"$OUT/$1-root.err") || {
		echo "the $1 root: $(tail -n 20 "$OUT/$1-root.err")" >"$OUT/$1.failed"
		return 1
	}
	# shellcheck disable=SC2086 # one word per generator
	HVTEST_RELAY=$OUT/hvtest-relay sh "$HERE/../boot/distro-images.sh" "$1" "$root" "$DEBS" \
		"$OUT" $gens >"$OUT/$1-images.log" 2>&1 || {
		echo "the $1 images: $(tail -n 30 "$OUT/$1-images.log")" >"$OUT/$1.failed"
		return 1
	}
	# The suite's lifecycle guest boots at once, in the background: the
	# other suites' roots and images, made meanwhile, mostly wait on the
	# network and the disk, and the guest needs the processors. Its count
	# is added after the scenarios.
	case " $IMAGES " in *" $1-lifecycle "*)
		(
			sh "$HERE/../boot/lifecycle.sh" "$OUT" "$1" >"$B/boot-$1-lifecycle.log" 2>&1
			: >"$OUT/$1-lifecycle.done"
		) &
		;;
	esac
}
t0=$(now_ms)
pids=""
for s in $suites; do
	rm -f "$OUT/$s.failed" "$OUT/$s-lifecycle.done"
	build_suite "$s" &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
for s in $suites; do
	t_begin "the $s root (mmdebstrap) and its images, by its own generators"
	[ -f "$OUT/$s.failed" ] && t_fail "$(cat "$OUT/$s.failed")"
	t_end
done
echo "    roots and images of$suites: $((($(now_ms) - t0) / 1000)) s"

# debian/control's Build-Depends, as sbuild installs them for a release
# that is not a backport: the first of each set of alternatives alone;
# resolved (apt-get satisfy, simulated) against each suite's own lists.
bdeps=$(perl -MDpkg::Control::Info -e \
	'print Dpkg::Control::Info->new(shift)->get_source->{"Build-Depends"}' "$TOP/debian/control" |
	tr '\n' ' ' | sed 's/|[^,]*//g; s/  */ /g')
for s in $suites; do
	t_begin "Build-Depends resolve in $s as sbuild takes them (first alternatives)"
	chroot "$B/roots/$s/root" apt-get satisfy -s -o Debug::NoLocking=1 "$bdeps" \
		>"$OUT/$s-build-deps.log" 2>&1 ||
		t_fail "apt-get satisfy '$bdeps': $(grep -E '^( |E:)' "$OUT/$s-build-deps.log" | head -n 5)"
	t_end
done
[ "$failed" -eq 0 ] || { t_summary; exit 1; }

# scenarios.sh and lifecycle.sh end with their own counts: add them to
# this one's.
add_counts() { # LOG
	sed '$d' "$1"
	line=$(tail -n 1 "$1")
	case "$line" in
	*" passed, "*" failed")
		passed=$((passed + ${line%% passed*}))
		f=${line#*, }
		failed=$((failed + ${f%% failed}))
		;;
	*) failed=$((failed + 1)); echo "$1 ended without a count: $line" ;;
	esac
}
scenario_images=""
for i in $IMAGES; do
	case "$i" in *-lifecycle) ;; *) scenario_images="$scenario_images $i" ;; esac
done
if [ -n "$scenario_images" ]; then
	# shellcheck disable=SC2086 # one word per image
	sh "$HERE/../boot/scenarios.sh" "$OUT" $scenario_images >"$B/boot-scenarios.log" 2>&1
	add_counts "$B/boot-scenarios.log"
fi
# The lifecycle guests that build_suite started: at most their two boots'
# limits (tests/boot/lifecycle.sh) to wait.
for i in $IMAGES; do
	case "$i" in *-lifecycle) ;; *) continue ;; esac
	w=0
	while [ ! -e "$OUT/${i%-lifecycle}-lifecycle.done" ] && [ $w -lt 1900 ]; do
		sleep 1
		w=$((w + 1))
	done
	add_counts "$B/boot-$i.log"
done
t_summary
