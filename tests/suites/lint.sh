#!/bin/sh
# Lint: every shell file through shellcheck, every man page through
# mandoc, every systemd unit through systemd-analyze verify, and every C
# file through gcc and clang with -Werror (the build's warnings, as
# errors, for both compilers, whatever flags the build itself had).
#
#   tests/lint.sh [BUILD]
set -u
B=$(cd "${1:-build}" 2>/dev/null && pwd)
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib/report.sh
. tests/lib/report.sh

shell_files=$(
	{
		git ls-files --cached --others --exclude-standard 2>/dev/null || find . -type f -not -path './build/*'
	} | while read -r f; do
		[ -f "$f" ] || continue
		case "$f" in
		*.sh | .ci/run) echo "$f" ;;
		*) head -c 32 "$f" | grep -q '^#!.*sh' && echo "$f" ;;
		esac
	done | sort -u
)
for f in $shell_files; do
	t_begin "shellcheck $f"
	out=$(shellcheck -x "$f" 2>&1) || t_fail "$out"
	t_end
done

for f in man/*.[1-9]; do
	[ -f "$f" ] || continue
	t_begin "mandoc -Tlint $f"
	out=$(mandoc -Tlint -Wwarning "$f" 2>&1)
	[ -z "$out" ] || t_fail "$out"
	t_end
done

# The units as installed, in a root that has the binaries they run (the
# staging tree) and the system units they name: any word of
# systemd-analyze verify is a failure.
if [ -n "$B" ] && [ -d "$B/stage" ]; then
	VR=$(mktemp -d /tmp/hvs-verify-XXXXXX)
	cp -a "$B/stage/." "$VR/"
	for u in sysinit.target network-pre.target shutdown.target emergency.target \
		multi-user.target sockets.target systemd-modules-load.service initrd.target \
		local-fs-pre.target initrd-root-fs.target systemd-udev-trigger.service \
		systemd-udevd.service; do
		cp /lib/systemd/system/$u "$VR/usr/lib/systemd/system/" 2>/dev/null
	done
	# What ExecReload= runs, as every system has it.
	mkdir -p "$VR/bin"
	cp /bin/kill "$VR/bin/"
	# A template is verified as an instance: a VM relayed at /run/vm1.hvsock.
	UD=$VR/usr/lib/systemd/system
	for t in "$UD"/hv-swiotlb*@.*; do
		[ -f "$t" ] || continue
		b=$(basename "$t")
		cp "$t" "$UD/${b%%@*}@run-vm1.hvsock.${b##*.}"
	done
	for unit in "$UD"/hv-swiotlb*.service "$UD"/hv-swiotlb*.socket; do
		case "$unit" in *@.*) continue ;; esac
		# The initrd's units are checked as systemd in an initrd sees them.
		initrd=0
		case "$unit" in *-initrd*) initrd=1 ;; esac
		t_begin "systemd-analyze verify $(basename "$unit")$([ $initrd = 1 ] && echo ' (in an initrd)')"
		out=$(SYSTEMD_IN_INITRD=$initrd systemd-analyze verify --man=no --root="$VR" "$unit" 2>&1) ||
			t_fail "exit $?"
		[ -z "$out" ] || t_fail "$out"
		t_end
	done
	# The receivers' confinement as systemd itself scores it: no worse than
	# systemd's own most confined daemons (timesyncd 2.3, networkd 2.8).
	for unit in hv-swiotlb-recv.service hv-swiotlb-recv@run-vm1.hvsock.service; do
		t_begin "systemd-analyze security --offline=true $unit: exposure at most 1.5"
		systemd-analyze security --offline=true --root="$VR" --man=no "$UD/$unit" \
			>"$VR/security.txt" 2>&1
		score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p' "$VR/security.txt")
		echo "    $unit: $score"
		[ -n "$score" ] || t_fail "no score: $(tail -n 3 "$VR/security.txt")"
		awk -v s="${score:-99}" 'BEGIN { exit !(s <= 1.5) }' ||
			t_fail "exposure $score: $(grep '✗' "$VR/security.txt")"
		t_end
	done
	# The user the units run as is the one their sysusers.d file makes.
	t_begin "systemd-sysusers makes the user and group the receiver's units name"
	mkdir -p "$VR/etc"
	systemd-sysusers --root="$VR" >"$VR/sysusers.log" 2>&1 || t_fail "$(cat "$VR/sysusers.log")"
	for unit in "$UD"/hv-swiotlb-recv*.service; do
		u=$(sed -n 's/^User=//p' "$unit")
		g=$(sed -n 's/^Group=//p' "$unit")
		[ -n "$u" ] || t_fail "$(basename "$unit") has no User="
		grep -q "^$u:" "$VR/etc/passwd" || t_fail "no user $u in what sysusers made"
		grep -q "^$g:" "$VR/etc/group" || t_fail "no group $g in what sysusers made"
	done
	t_end
	rm -rf "$VR"
fi

# The mkosi-initrd drop-in: Debian's mkosi (14) predates mkosi-initrd and
# its drop-ins, so no mkosi here can read it. What can be checked: INI that
# mkosi's parser takes (no key or section twice, no [Match], which mkosi 14
# would take for a setting), and only keys mkosi 24 to 26 all know.
t_begin "mkosi/50-hv-swiotlb.conf: a drop-in mkosi-initrd 24 to 26 reads"
out=$(python3 - mkosi/50-hv-swiotlb.conf <<'PY' 2>&1
import configparser, sys
c = configparser.RawConfigParser(strict=True, interpolation=None)
c.optionxform = str
c.read(sys.argv[1])
known = {"Content": {"Packages", "KernelModulesInclude"}}
for section in c.sections():
    for key in c[section]:
        if key not in known.get(section, ()):
            print("unknown to some mkosi: [%s] %s" % (section, key))
if c.get("Content", "Packages", fallback="") != "hv-swiotlb":
    print("Packages= is not hv-swiotlb")
mods = c.get("Content", "KernelModulesInclude", fallback="").split()
for m in ("hv_sock", "vmw_vsock_virtio_transport"):
    if not any(m in x for x in mods):
        print("KernelModulesInclude= lacks " + m)
PY
) || t_fail "$out"
[ -z "$out" ] || t_fail "$out"
t_end

for cc in gcc clang; do
	t_begin "$cc -Wall -Wextra -Werror: every C file"
	for f in src/common/*.c src/guest/*.c src/host/*.c tests/fakes/*.c tests/boot/*.c \
		tests/difftest/*.c tests/unit/*.c tests/fuzz/*.c; do
		case "$f" in
		src/host/* | tests/unit/test_recv.c | tests/unit/test_vectors.c | \
			tests/unit/test_unapplied.c | tests/fuzz/fuzz_record.c | tests/fuzz/fuzz_recv_stream.c | \
			tests/fuzz/fuzz_state.c) inc=src/host ;;
		*) inc=src/guest ;;
		esac
		case "$f" in tests/fuzz/*) [ "$cc" = clang ] || continue ;; esac
		out=$($cc -std=gnu99 -D_GNU_SOURCE -Isrc/common -I"$inc" -Wall -Wextra -Wshadow \
			-Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wformat=2 \
			-Wno-format-nonliteral -Werror -fsyntax-only "$f" 2>&1) ||
			t_fail "$f: $(echo "$out" | head -n 5)"
	done
	t_end
done

t_summary
