#!/bin/sh
# The packages a distribution ships, built as it builds them from a copy of
# this tree: dpkg-buildpackage and lintian, the trigger, the drop-in and the
# units, the contents against `make install`; rpmbuild and the RPMs' files.
# The unpacked Debian packages are left in BUILD/packages/deb-root, where
# the boot tests take the files of the images they boot.
#
#   tests/packages.sh BUILD
set -u
B=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib/report.sh
. "$HERE/../lib/report.sh"

VERSION=$(sed -n 's/^VERSION := //p' "$TOP/Makefile")
# The Debian version: the upstream one and a Debian revision (3.0 (quilt)).
DEBVER=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
P=$B/packages
rm -rf "$P"
mkdir -p "$P/src"
SRC=$P/src/hv-swiotlb-$VERSION

t_begin "a copy of the tree, as a release tarball has it"
mkdir -p "$SRC"
(cd "$TOP" && { git ls-files -co --exclude-standard 2>/dev/null || find . -type f; } |
	grep -v '^build/' | tar -cf - -T -) | tar -xf - -C "$SRC" || t_fail "copy failed"
[ -f "$SRC/debian/rules" ] || t_fail "no debian/rules"
t_end

# The files make install generates (units, module-setup.sh, the hook) name
# the paths of that very install, whatever an earlier one in the tree named.
t_begin "make install twice, other paths: the second names only its own"
I=$P/installs
mkdir -p "$I"
make -s -C "$TOP" install DESTDIR="$I/a" WERROR=-Werror >"$I/a.log" 2>&1 ||
	t_fail "make install: $(tail -n 3 "$I/a.log")"
make -s -C "$TOP" install DESTDIR="$I/b" PREFIX=/usr LIBEXECDIR=/usr/lib/hv-swiotlb \
	SYSTEMDUNITDIR=/usr/lib/systemd/system WERROR=-Werror >"$I/b.log" 2>&1 ||
	t_fail "make install: $(tail -n 3 "$I/b.log")"
# The generated files; the man pages' examples may name /usr/local.
stale=$(grep -rl '/usr/local' "$I/b" 2>/dev/null | grep -v '/share/man/')
[ -z "$stale" ] || t_fail "the second install names /usr/local in: $stale"
expect_line "$I/b/usr/lib/systemd/system/hv-swiotlb.service" \
	'^ExecStart=/usr/lib/hv-swiotlb/hv-swiotlb-boot now /usr/sbin/hv-swiotlb$'
expect_line "$(find "$I/a" -name hv-swiotlb.service | head -n 1)" \
	'^ExecStart=/usr/local/lib/hv-swiotlb/hv-swiotlb-boot now /usr/local/sbin/hv-swiotlb$'
expect_line "$I/b/usr/lib/dracut/modules.d/50hv-swiotlb/module-setup.sh" \
	'HV_SWIOTLB_BINARY:-/usr/sbin/hv-swiotlb'
# The pages name the paths of their own install, as the units do.
expect_line "$I/b/usr/share/man/man7/hv-swiotlb.7" '^\.It Pa /usr/lib/hv-swiotlb/hv-swiotlb-boot$'
expect_line "$(find "$I/a" -name hv-swiotlb.7 | head -n 1)" \
	'^\.It Pa /usr/local/lib/hv-swiotlb/hv-swiotlb-boot$'
expect_line "$I/b/usr/share/man/man7/hv-swiotlb.7" '^\.It Pa /usr/lib/systemd/system/hv-swiotlb\.service$'
left=$(grep -rlE '@[A-Z]+DIR@' "$I/a" "$I/b" 2>/dev/null)
[ -z "$left" ] || t_fail "an @...DIR@ left unsubstituted in: $left"
t_end

t_begin "dpkg-buildpackage -us -uc builds the 3.0 (quilt) source and both packages"
case "$DEBVER" in
"$VERSION"-*) ;;
*) t_fail "debian/changelog's $DEBVER is not the Makefile's $VERSION with a Debian revision" ;;
esac
# The upstream tarball, as a release has it: the tree without debian/.
tar -czf "$P/src/hv-swiotlb_$VERSION.orig.tar.gz" -C "$P/src" --exclude="hv-swiotlb-$VERSION/debian" \
	"hv-swiotlb-$VERSION"
(cd "$SRC" && dpkg-buildpackage -us -uc) >"$P/dpkg-buildpackage.log" 2>&1 ||
	t_fail "failed: $(tail -n 5 "$P/dpkg-buildpackage.log")"
DEB=$P/src/hv-swiotlb_${DEBVER}_amd64.deb
RDEB=$P/src/hv-swiotlb-recv_${DEBVER}_amd64.deb
DSC=$P/src/hv-swiotlb_${DEBVER}.dsc
[ -f "$DSC" ] || t_fail "no $(basename "$DSC")"
expect_line "$DSC" '^Format: 3\.0 \(quilt\)$'
[ -f "$P/src/hv-swiotlb_${DEBVER}.debian.tar.xz" ] || t_fail "no debian.tar.xz"
[ -f "$DEB" ] || t_fail "no $(basename "$DEB")"
[ -f "$RDEB" ] || t_fail "no $(basename "$RDEB")"
grep -i 'warning' "$P/dpkg-buildpackage.log" && t_fail "the build warned"
t_end

t_begin "dpkg-buildpackage ran make unit (dh_auto_test), which nocheck leaves out"
expect_line "$P/dpkg-buildpackage.log" '^[[:space:]]*(/usr/bin/)?make( -j[0-9]+)? unit GUEST_LIBC=klibc$'
expect_line "$P/dpkg-buildpackage.log" '^[0-9]+ passed, 0 failed$'
(cd "$SRC" && DEB_BUILD_OPTIONS=nocheck make -s -n -f debian/rules override_dh_auto_test) \
	>"$P/nocheck.txt" 2>&1
expect_no_line "$P/nocheck.txt" 'make.* unit'
(cd "$SRC" && DEB_BUILD_OPTIONS='' make -s -n -f debian/rules override_dh_auto_test) \
	>"$P/check.txt" 2>&1
expect_line "$P/check.txt" 'make.* unit'
t_end

t_begin "the binaries are stripped at install: -dbgsym packages, the klibc tool in budget"
DBG=$(find "$P/src" -maxdepth 1 -name "hv-swiotlb-dbgsym_${DEBVER}_*.*deb" | head -n 1)
[ -n "$DBG" ] || t_fail "no hv-swiotlb-dbgsym package"
[ -n "$(find "$P/src" -maxdepth 1 -name "hv-swiotlb-recv-dbgsym_${DEBVER}_*.*deb")" ] ||
	t_fail "no hv-swiotlb-recv-dbgsym package"
t_end

t_begin "lintian: no error, no warning without an override that says why"
lintian --pedantic -I -E --show-overrides "$P/src/hv-swiotlb_${DEBVER}_amd64.changes" \
	>"$P/lintian.log" 2>&1
sed 's/^/      | /' "$P/lintian.log"
# Every tag, down to pedantic and experimental, is fixed or overridden with why.
grep -E '^[EWIPX]: ' "$P/lintian.log" && t_fail "see above"
# The source package is in it, so lintian checked it too.
expect_line "$P/src/hv-swiotlb_${DEBVER}_amd64.changes" " hv-swiotlb_${DEBVER}\\.dsc$"
expect_line "$P/lintian.log" '^O: hv-swiotlb: statically-linked-binary \[usr/sbin/hv-swiotlb\]$'
t_end

ctrl() { dpkg-deb --ctrl-tarfile "$1" | tar -xOf - "./$2" 2>/dev/null; }
t_begin "hv-swiotlb: the update-initramfs trigger, the unit enabled, the drop-in"
ctrl "$DEB" triggers >"$P/triggers"
expect_line "$P/triggers" '^activate-noawait update-initramfs$'
expect_eq "trigger lines" 1 "$(grep -c '^activate' "$P/triggers")"
ctrl "$DEB" postinst >"$P/postinst"
expect_line "$P/postinst" "deb-systemd-helper enable 'hv-swiotlb.service'"
t_end

# The receiver is left to the administrator to enable (dh_installsystemd
# --no-enable; deb-systemd-invoke starts no disabled unit), but what runs is
# restarted after an upgrade, template instances too, and stopped at removal;
# purge removes the state directory. The user it runs as is made first.
t_begin "hv-swiotlb-recv: its user made, restarted on upgrade, stopped on removal, purged"
ctrl "$RDEB" postinst >"$P/postinst-recv"
ctrl "$RDEB" prerm >"$P/prerm-recv"
ctrl "$RDEB" postrm >"$P/postrm-recv"
expect_line "$P/postinst-recv" "if deb-systemd-helper debian-installed 'hv-swiotlb-recv.service'"
expect_line "$P/postinst-recv" "_dh_action=restart"
expect_line "$P/postinst-recv" "systemctl try-restart 'hv-swiotlb-recv@\\*\\.service'"
expect_line "$P/postinst-recv" "systemd-sysusers.* hv-swiotlb-recv\\.conf"
# The user exists before anything is restarted as it.
u=$(grep -n 'systemd-sysusers' "$P/postinst-recv" | head -n 1 | cut -d: -f1)
r=$(grep -n '_dh_action=restart' "$P/postinst-recv" | head -n 1 | cut -d: -f1)
[ "${u:-99999}" -lt "${r:-0}" ] || t_fail "postinst restarts (line $r) before it makes the user (line $u)"
expect_line "$P/prerm-recv" "systemctl stop 'hv-swiotlb-recv@\\*\\.socket'"
expect_line "$P/prerm-recv" "deb-systemd-invoke stop 'hv-swiotlb-recv.service'"
expect_line "$P/postrm-recv" "rm -rf /var/lib/hv-swiotlb$"
for f in postinst-recv prerm-recv postrm-recv; do
	sh -n "$P/$f" || t_fail "$f is not valid sh"
done
t_end

# Both packages unpacked, for the comparison and for the boot tests.
D=$P/deb-root
mkdir -p "$D"
dpkg-deb -x "$DEB" "$D"
dpkg-deb -x "$RDEB" "$D"

t_begin "the packages hold exactly what make install installs (docs aside)"
# INSTALL_VARS as debian/rules has them, its own make expanding them.
# shellcheck disable=SC2016 # $(INSTALL_VARS) is make's, not the shell's
vars=$(cd "$SRC" && printf 'include debian/rules\nhvs-print-vars:\n\t@echo $(INSTALL_VARS)\n' |
	make -s --no-print-directory -f - hvs-print-vars)
# shellcheck disable=SC2086 # one word per variable
make -s -C "$SRC" install DESTDIR="$P/make-root" $vars >"$P/make-install.log" 2>&1 ||
	t_fail "make install: $(tail -n 3 "$P/make-install.log")"
(cd "$D" && find . -type f | grep -v '^\./usr/share/doc/\|^\./usr/share/lintian/' |
	sed 's/\.gz$//' | sort) >"$P/deb.list"
(cd "$P/make-root" && find . -type f | sort) >"$P/make.list"
diff -u "$P/make.list" "$P/deb.list" >"$P/list.diff" || t_fail "$(cat "$P/list.diff")"
# Scripts, units and the drop-in byte for byte; binaries by kind.
while read -r f; do
	case "$f" in
	*/sbin/* | */bin/* | */man/*) continue ;;
	esac
	cmp -s "$P/make-root/$f" "$D/$f" || t_fail "$f differs"
done <"$P/make.list"
file "$D/usr/sbin/hv-swiotlb" | grep -q 'statically linked' ||
	t_fail "usr/sbin/hv-swiotlb is not static: $(file "$D/usr/sbin/hv-swiotlb")"
file "$D/usr/sbin/hv-swiotlb" | grep -q ', stripped' ||
	t_fail "usr/sbin/hv-swiotlb is not stripped: $(file "$D/usr/sbin/hv-swiotlb")"
size=$(wc -c <"$D/usr/sbin/hv-swiotlb")
echo "    the shipped klibc tool: $size bytes"
[ "$size" -le 28672 ] || t_fail "the shipped usr/sbin/hv-swiotlb has $size bytes, over 28 KiB"
expect_line "$D/usr/lib/dracut/dracut.conf.d/90-hv-swiotlb.conf" '^add_dracutmodules\+=" hv-swiotlb "$'
[ -f "$D/lib/systemd/system/hv-swiotlb.service" ] || t_fail "no hv-swiotlb.service"
[ -x "$D/usr/share/initramfs-tools/hooks/hv-swiotlb" ] || t_fail "no initramfs-tools hook"
[ -x "$D/usr/lib/dracut/modules.d/50hv-swiotlb/module-setup.sh" ] || t_fail "no dracut module"
t_end

t_begin "rpmbuild --nodeps builds the spec, the dracut module in it"
tar -czf "$P/hv-swiotlb-$VERSION.tar.gz" -C "$P/src" --exclude=debian/.debhelper \
	--exclude="hv-swiotlb-$VERSION/build" "hv-swiotlb-$VERSION"
mkdir -p "$P/rpm/SOURCES"
cp "$P/hv-swiotlb-$VERSION.tar.gz" "$P/rpm/SOURCES/"
# Debian's rpm makes no debuginfo packages; Fedora's redhat-rpm-config has
# every spec make one, with these macros, which the build here loads.
cat >"$P/rpm/debuginfo.macros" <<'MACROS'
%_enable_debug_packages 1
%install %{?_enable_debug_packages:%{?buildsubdir:%{debug_package}}}\
%%install\
%{nil}
MACROS
cp "$SRC/systemd/host/hv-swiotlb-recv.sysusers" "$P/rpm/SOURCES/"
# Debian's rpm has no systemd-rpm-macros, which the spec requires (it stops
# without them, below). Stand-ins, in the HOME rpmbuild and rpmlint read:
# the distributions' directories, and each scriptlet macro a no-op command
# naming itself and its arguments, so that what is checked is which
# scriptlet of ours calls which macro for which units, not what systemd's
# own macros then run.
mkdir -p "$P/rpmhome"
cat >"$P/rpmhome/.rpmmacros" <<'MACROS'
%_unitdir /usr/lib/systemd/system
%_systemd_util_dir /usr/lib/systemd
%_sysusersdir /usr/lib/sysusers.d
%systemd_requires Requires(post): systemd
%systemd_post() : systemd_post %{?*}
%systemd_preun() : systemd_preun %{?*}
%systemd_postun() : systemd_postun %{?*}
%systemd_postun_with_restart() : systemd_postun_with_restart %{?*}
%sysusers_create_package() : sysusers_create_package %1 %(sed -n 's/^u /u /p' %2)
MACROS
HOME=$P/rpmhome rpmbuild --nodeps -bb --with musl --define "_topdir $P/rpm" \
	--load "$P/rpm/debuginfo.macros" "$SRC/rpm/hv-swiotlb.spec" >"$P/rpmbuild.log" 2>&1 ||
	t_fail "rpmbuild: $(tail -n 5 "$P/rpmbuild.log")"
RPM=$(find "$P/rpm/RPMS" -name "hv-swiotlb-$VERSION-*.rpm" | head -n 1)
RRPM=$(find "$P/rpm/RPMS" -name "hv-swiotlb-recv-$VERSION-*.rpm" | head -n 1)
rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$RPM" >"$P/rpm.list" 2>/dev/null
rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$RRPM" >"$P/rpm-recv.list" 2>/dev/null
echo "    $(basename "$RPM"):"
sed 's/^/      /' "$P/rpm.list"
echo "    $(basename "$RRPM"):"
sed 's/^/      /' "$P/rpm-recv.list"
expect_line "$P/rpm.list" '^d[-rwx]+ /usr/lib/dracut/modules\.d/50hv-swiotlb$'
expect_line "$P/rpm.list" ' /usr/lib/dracut/modules\.d/50hv-swiotlb/module-setup\.sh$'
expect_line "$P/rpm.list" ' /usr/lib/dracut/modules\.d/50hv-swiotlb/hv-swiotlb-hook\.sh$'
expect_line "$P/rpm.list" ' /usr/lib/dracut/dracut\.conf\.d/90-hv-swiotlb\.conf$'
expect_line "$P/rpm.list" ' /usr/libexec/hv-swiotlb/hv-swiotlb-boot$'
expect_line "$P/rpm.list" ' /usr/lib/systemd/system/hv-swiotlb\.service$'
expect_no_line "$P/rpm.list" 'initramfs-tools'
expect_line "$P/rpm-recv.list" ' /usr/sbin/hv-swiotlb-recv$'
expect_line "$P/rpm-recv.list" ' /usr/lib/systemd/system/hv-swiotlb-recv\.service$'
rpm -qp --scripts "$RPM" 2>/dev/null | grep -q 'dracut -f' && t_fail "a scriptlet runs dracut"
t_end

t_begin "rpm: systemd scriptlets for every unit, the user made before the files; no macros, no build"
rpm -qp --scripts "$RPM" >"$P/rpm.scripts" 2>/dev/null
rpm -qp --scripts "$RRPM" >"$P/rpm-recv.scripts" 2>/dev/null
sed 's/^/      | /' "$P/rpm-recv.scripts"
expect_line "$P/rpm.scripts" '^: systemd_post hv-swiotlb\.service$'
expect_line "$P/rpm.scripts" '^: systemd_preun hv-swiotlb\.service$'
expect_line "$P/rpm-recv.scripts" '^: sysusers_create_package hv-swiotlb-recv u hv-swiotlb '
expect_line "$P/rpm-recv.scripts" '^: systemd_post hv-swiotlb-recv\.service$'
expect_line "$P/rpm-recv.scripts" '^: systemd_postun_with_restart hv-swiotlb-recv\.service$'
# The template instances, which the macros do not take: stopped at
# removal (preun), restarted after an upgrade (postun).
sed -n '/^preuninstall scriptlet/,/^[a-z]* scriptlet/p' "$P/rpm-recv.scripts" >"$P/rpm-recv.preun"
sed -n '/^postuninstall scriptlet/,/^[a-z]* scriptlet/p' "$P/rpm-recv.scripts" >"$P/rpm-recv.postun"
expect_line "$P/rpm-recv.preun" "systemctl stop 'hv-swiotlb-recv@\*\.socket'"
expect_line "$P/rpm-recv.postun" "systemctl try-restart 'hv-swiotlb-recv@\*\.service'"
# The user first: preinstall is the scriptlet that makes it.
sed -n '/^preinstall scriptlet/,/^[a-z]* scriptlet/p' "$P/rpm-recv.scripts" >"$P/rpm-recv.pre"
expect_line "$P/rpm-recv.pre" 'sysusers_create_package'
# Without systemd-rpm-macros the spec stops, naming what is missing.
rpmspec -P --define "_topdir $P/rpm" "$SRC/rpm/hv-swiotlb.spec" >"$P/spec-nomacros.txt" 2>&1 &&
	t_fail "the spec parsed without systemd-rpm-macros"
expect_line "$P/spec-nomacros.txt" 'BuildRequires: systemd-rpm-macros'
# musl by the distribution's default (Fedora), or as asked; never probed.
HOME=$P/rpmhome rpmspec -P --define "_topdir $P/rpm" "$SRC/rpm/hv-swiotlb.spec" \
	>"$P/spec-default.txt" 2>&1
HOME=$P/rpmhome rpmspec -P --define "_topdir $P/rpm" --define 'fedora 42' \
	"$SRC/rpm/hv-swiotlb.spec" >"$P/spec-fedora.txt" 2>&1
expect_line "$P/spec-default.txt" 'GUEST_LIBC=glibc'
expect_no_line "$P/spec-default.txt" 'musl-gcc'
expect_line "$P/spec-fedora.txt" 'GUEST_LIBC=musl'
expect_line "$P/spec-fedora.txt" '^BuildRequires: +musl-gcc'
expect_no_line "$SRC/rpm/hv-swiotlb.spec" '%\('
t_end

t_begin "rpmbuild ran %check (make unit), which --without check leaves out"
expect_line "$P/rpmbuild.log" '^Executing\(%check\)'
expect_line "$P/rpmbuild.log" '^[0-9]+ passed, 0 failed$'
HOME=$P/rpmhome rpmspec -P --define "_topdir $P/rpm" --without check "$SRC/rpm/hv-swiotlb.spec" \
	>"$P/spec-nocheck.txt" 2>&1
expect_no_line "$P/spec-nocheck.txt" 'make.* unit'
t_end

t_begin "rpm: stripped at install, the debug information in a debuginfo package"
DRPM=$(find "$P/rpm/RPMS" -name "hv-swiotlb-debuginfo-$VERSION-*.rpm" | head -n 1)
if [ -z "$DRPM" ]; then
	t_fail "no hv-swiotlb-debuginfo package: $(ls "$P/rpm/RPMS"/*/)"
else
	rpm -qpl "$DRPM" >"$P/rpm-debuginfo.list" 2>/dev/null
	expect_line "$P/rpm-debuginfo.list" '/usr/lib/debug/usr/sbin/hv-swiotlb-.*\.debug$'
	expect_line "$P/rpm-debuginfo.list" '/usr/lib/debug/usr/sbin/hv-swiotlb-recv-.*\.debug$'
fi
mkdir -p "$P/rpm-root"
(cd "$P/rpm-root" && rpm2cpio "$RPM" | cpio -idm --quiet)
file "$P/rpm-root/usr/sbin/hv-swiotlb" | grep -q ', stripped' ||
	t_fail "the RPM's hv-swiotlb is not stripped: $(file "$P/rpm-root/usr/sbin/hv-swiotlb")"
t_end

t_begin "rpmlint: no error on the spec and the built packages, with the spec's own filters"
# Signing and the Packager tag are the build system's: not for a local build.
cp "$SRC/rpm/hv-swiotlb.rpmlintrc" "$P/rpmlintrc"
printf '%s\n' 'addFilter("no-signature")' 'addFilter("no-packager-tag")' >>"$P/rpmlintrc"
# The packages the spec makes; the debuginfo one is rpm's own doing.
# The spec beside its sources, where rpmlint looks for them.
cp "$SRC/rpm/hv-swiotlb.spec" "$P/rpm/SOURCES/"
HOME=$P/rpmhome rpmlint -r "$P/rpmlintrc" "$P/rpm/SOURCES/hv-swiotlb.spec" "$RPM" "$RRPM" \
	>"$P/rpmlint.log" 2>&1
sed 's/^/      | /' "$P/rpmlint.log"
grep -E ': E: ' "$P/rpmlint.log" && t_fail "see above"
expect_line "$P/rpmlint.log" ' 0 errors'
t_end

t_summary
