#!/bin/sh
# The resume decision against the generators that actually resume: the
# same generated cases (tests/generators/cases.awk) go to hv-swiotlb-boot
# and to each generator's own resume code, run in a Debian root of its
# version (the boot matrix's roots: tests/boot/distro-root.sh):
#   dracut 059, 106, 112; systemd 252, 257, 262; initramfs-tools 0.142,
#   0.148, 0.151 (bookworm, trixie, unstable).
# The truth of a case: the generator arranges a resume, the kernel allows
# hibernation (its own handlers decide: tests/generators/kernel-
# hibernation.c, from Debian's linux-source), and it is no crash kernel
# (/proc/vmcore: the kernel refuses an image made with another amount of
# memory). A case where the truth is "resumes" and hv-swiotlb-boot would
# not wait is a failure; the other disagreement, a wait for nothing, is
# safe but late, and is counted by cause.
#
#   tests/suites/generators.sh BUILD [CASES]
set -u
B=$(cd "$1" && pwd) || exit 1
N=${2:-10000}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
G=$TOP/tests/generators
# shellcheck source=tests/lib/report.sh
. "$HERE/../lib/report.sh"
W=$B/generators
TOOL=$B/stage/usr/sbin/hv-swiotlb
BOOT=$B/stage/usr/lib/hv-swiotlb/hv-swiotlb-boot
SUITES=${HVTEST_GENERATOR_SUITES:-bookworm trixie unstable}
rm -rf "$W"
mkdir -p "$W"

t_begin "the cases, hv-swiotlb --plan for each, and the kernel's own verdict on hibernation"
awk -v n="$N" -v seed=20261206 -f "$G/cases.awk" >"$W/cases.tsv" || t_fail "cases.awk failed"
# --plan reads the line, /etc/cmdline.d and /proc/vmcore of a root: one per
# case, two at a time.
plans() { # FROM TO
	r=$W/plan-root-$1
	mkdir -p "$r/proc" "$r/etc/cmdline.d"
	sed -n "$1,$2p" "$W/cases.tsv" | while IFS='	' read -r id cmdline dd conf efi module vmcore; do
		printf '%s\n' "$cmdline" >"$r/proc/cmdline"
		if [ "$dd" = - ]; then : >"$r/etc/cmdline.d/10-case.conf"; else printf '%s\n' "$dd" >"$r/etc/cmdline.d/10-case.conf"; fi
		if [ "$vmcore" = 1 ]; then : >"$r/proc/vmcore"; else rm -f "$r/proc/vmcore"; fi
		printf '%s\t%s\n' "$id" "$("$TOOL" --plan --root "$r")"
		: "$conf $efi $module"
	done >"$W/plans-$1"
}
half=$((N / 2))
plans 1 "$half" &
plans $((half + 1)) "$N"
wait
cat "$W/plans-1" "$W/plans-$((half + 1))" >"$W/plans.tsv"
# Every case with its plan words as an eighth column.
awk -F'\t' 'NR == FNR { plan[$1] = $2; next } { print $0 "\t" plan[$1] }' \
	"$W/plans.tsv" "$W/cases.tsv" >"$W/cases+plan.tsv"
bad=$(awk -F'\t' '$8 !~ /^transports=[01] required=[01] hibernation=[01] crash=[01] left_ms=[0-9]+$/' \
	"$W/cases+plan.tsv" | head -n 3)
[ -z "$bad" ] || t_fail "--plan printed something else: $bad"
# The kernel's verdict, from its own code.
TAR=$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' 2>/dev/null | sort -V | tail -n 1)
if [ -z "$TAR" ]; then
	sh "$TOP/scripts/deps.sh" linux-source >/dev/null 2>&1 || true
	TAR=$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' 2>/dev/null | sort -V | tail -n 1)
fi
if [ -z "$TAR" ]; then
	t_fail "no linux-source: the kernel's own verdict cannot be had"
else
	# shellcheck disable=SC2015 # either step failing is the same failure
	sh "$TOP/tests/difftest/extract.sh" "$TAR" "$W/kernel" &&
		cc -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -I"$W/kernel" \
			-o "$W/kernel-hibernation" "$G/kernel-hibernation.c" "$W/kernel/kernel_parse.c" \
			2>"$W/kernel-cc.log" ||
		t_fail "the kernel's hibernation code does not compile: $(head -n 5 "$W/kernel-cc.log")"
	cut -f2 "$W/cases.tsv" | "$W/kernel-hibernation" >"$W/kernel.txt"
	[ "$(wc -l <"$W/kernel.txt")" -eq "$N" ] || t_fail "the kernel's verdicts are not one per case"
	echo "    $(grep -c '^0$' "$W/kernel.txt") of $N cases have hibernation forbidden by the kernel ($(basename "$TAR"))"
fi
t_end

# run_family SUITE FAMILY: the family's code from SUITE's root, in an
# overlay of it, in a mount namespace of its own: the root stays as built.
# A third and fourth argument: another boot script, and the directory's
# suffix for its run.
run_family() {
	suite=$1
	family=$2
	boot_script=${3:-$BOOT}
	cases=${5:-$W/cases+plan.tsv}
	root=$(cat "$W/$suite-root" 2>/dev/null)
	if [ -z "$root" ]; then
		echo "no $suite root: $(tail -n 3 "$W/$suite-root.err")" >"$W/$suite-$family.err"
		return 1
	fi
	d=$W/$suite-$family${4:-}
	mkdir -p "$d/upper" "$d/work" "$d/merged" "$d/hvs"
	cp "$G/in-root.sh" "$d/hvs/"
	cp "$boot_script" "$d/hvs/hv-swiotlb-boot"
	cp "$cases" "$d/hvs/cases.tsv"
	shell=/bin/sh
	env=""
	case "$family" in
	dracut)
		# dracut-lib.sh and what it sources, where dracut puts them (/lib).
		lib=$(cd "$root" && find usr/lib/dracut/modules.d -path '*base/dracut-lib.sh' | head -n 1)
		res=$(cd "$root" && find usr/lib/dracut/modules.d -path '*resume/parse-resume.sh' | head -n 1)
		mkdir -p "$d/upper/usr/lib"
		cp "$root/${lib%/*}"/dracut-*lib.sh "$d/upper/usr/lib/"
		# getarg asks dracut-util, installed as dracut-getarg(s) in images.
		mkdir -p "$d/upper/usr/bin"
		ln -sf /usr/lib/dracut/dracut-util "$d/upper/usr/bin/dracut-getarg"
		ln -sf /usr/lib/dracut/dracut-util "$d/upper/usr/bin/dracut-getargs"
		env="DRACUT_LIB=/lib/dracut-lib.sh PARSE_RESUME=/$res DRACUT_RESUME_SH=/${res%/*}/resume.sh"
		version=$(chroot "$root" dpkg-query -W -f "\${Version}" dracut-core)
		;;
	systemd)
		env="GENERATOR=/usr/lib/systemd/system-generators/systemd-hibernate-resume-generator"
		version=$(chroot "$root" dpkg-query -W -f "\${Version}" systemd)
		# HibernateLocation as systemd-sleep writes it (UTF-16 JSON), for
		# this root's os-release, so that its generator takes it.
		# shellcheck disable=SC1091
		(. "$root/etc/os-release" && printf '{"uuid":"0b9e0b6e-8a1f-4ad6-9f6b-2b0c5f3e4a11","offset":0,"kernelVersion":"%s","osReleaseId":"%s","osReleaseVersionId":"%s"}' \
			"$(uname -r)" "$ID" "${VERSION_ID:-}") |
			python3 -c 'import sys; sys.stdout.buffer.write(b"\x07\0\0\0" + sys.stdin.read().encode("utf-16-le"))' \
				>"$d/hvs/HibernateLocation"
		;;
	initramfs-tools)
		deb=$(find "$root/var/cache/apt/archives" -name 'initramfs-tools-core_*.deb' | head -n 1)
		version=$(dpkg-deb -f "$deb" Version)
		rm -rf "$d/it"
		dpkg-deb -x "$deb" "$d/it"
		mkdir -p "$d/upper/scripts" "$d/upper/conf" "$d/upper/usr/bin"
		cp -r "$d/it/usr/share/initramfs-tools/scripts/." "$d/upper/scripts/"
		cp "$d/it/etc/initramfs-tools/initramfs.conf" "$d/upper/conf/"
		cp "$d/it/usr/share/initramfs-tools/scripts/local-premount/resume" "$d/hvs/it-resume"
		# init's option parsing, as it stands in this version's init: its
		# first pass (quiet), then from its defaults to what it makes of
		# resume= and noresume.
		awk '/^for x in \$\(cat \/proc\/cmdline\)/ && !first { on = 1; first = 1 }
			on { print } on && /^export quiet$/ { on = 0 }
			/^export ROOT=/ { on2 = 1 } on2 { print }
			on2 && /^\tresume=\$\{RESUME:-\}/ { getline; print; exit }' \
			"$d/it/usr/share/initramfs-tools/init" >"$d/hvs/it-parse.sh"
		# shellcheck disable=SC2016 # the text as it stands in init
		if ! grep -q '^export quiet$' "$d/hvs/it-parse.sh" ||
			! grep -qF 'resume=${RESUME:-}' "$d/hvs/it-parse.sh"; then
			echo "no option parsing found in $deb's init" >"$W/$suite-$family.err"
			return 1
		fi
		# initramfs-tools' /bin/resume is klibc's: here it says it was reached.
		printf '#!/bin/sh\n: >/hvs/attempt\n' >"$d/upper/usr/bin/resume"
		chmod +x "$d/upper/usr/bin/resume"
		shell="/bin/busybox sh"
		;;
	esac
	echo "$version" >"$d/version"
	proc="mount -t tmpfs proc-fake $d/merged/proc"
	[ "$family" = systemd ] && proc="mount -t proc proc $d/merged/proc"
	# shellcheck disable=SC2086 # env and shell are word lists
	unshare -m sh -c "
		set -e
		mount --make-rprivate /
		mount -t overlay overlay -o lowerdir=$root,upperdir=$d/upper,workdir=$d/work $d/merged
		$proc
		mount -t tmpfs sys $d/merged/sys
		mount -t tmpfs run $d/merged/run
		mount -t tmpfs tmp $d/merged/tmp
		mkdir -p $d/merged/hvs
		mount --bind $d/hvs $d/merged/hvs
		chroot $d/merged env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin $env $shell /hvs/in-root.sh $family /hvs/cases.tsv /hvs/out
	" >"$d/log" 2>&1 || { echo "the run in $suite's root failed: $(tail -n 5 "$d/log")" >"$W/$suite-$family${4:-}.err"; return 1; }
}

# The roots, as the boot suite left them (or built now, all at once: the
# same script and cache, so never two builders of one root).
for s in $SUITES; do
	(sh "$TOP/tests/boot/distro-root.sh" "$s" "$B/roots" >"$W/$s-root" 2>"$W/$s-root.err" ||
		rm -f "$W/$s-root") &
done
wait

# Every (root, generator) pair, two at a time.
JOBS=""
for s in $SUITES; do
	for f in dracut systemd initramfs-tools; do
		JOBS="$JOBS $s:$f"
	done
done
start=$(date +%s)
# shellcheck disable=SC2086 # one word per job
set -- $JOBS
while [ $# -gt 0 ]; do
	run_family "${1%:*}" "${1#*:}" &
	p1=$!
	if [ $# -gt 1 ]; then
		run_family "${2%:*}" "${2#*:}"
		shift
	fi
	wait "$p1"
	shift
done
echo "    (all generators ran in $(($(date +%s) - start)) s)"

# judge SUITE FAMILY: the counts, by direction; late ones by cause.
judge() {
	d=$W/$1-$2${3:-}
	t_begin "$2 $(cat "$d/version" 2>/dev/null) ($1): $N cases, never a resume the handoff does not wait for"
	if [ -s "$W/$1-$2${3:-}.err" ]; then
		t_fail "$(cat "$W/$1-$2${3:-}.err")"
		t_end
		return
	fi
	[ "$(wc -l <"$d/hvs/out")" -eq "$N" ] || t_fail "$(wc -l <"$d/hvs/out") results for $N cases"
	# ID GEN DEC-WORD CAUSE... ; kernel verdict and vmcore joined by line.
	cut -f7 "$W/cases.tsv" | paste -d' ' "$W/kernel.txt" - "$d/hvs/out" | awk -v logf="$d/disagreements" \
		-v label="$2 $(cat "$d/version") ($1)" '
	{
		kernel = $1; vmcore = $2; id = $3; gen = $4; dec = $5
		cause = ""; for (i = 6; i <= NF; i++) cause = cause (i > 6 ? " " : "") $i
		truth = gen == 1 && kernel == 1 && vmcore == 0
		if (dec != "resume=0" && dec != "resume=1") { bad++; print "no decision for case " id ": " $0 > logf; next }
		waits = dec == "resume=1"
		if (truth && waits) both_wait++
		else if (!truth && !waits) both_early++
		else if (truth && !waits) { unsafe++; print "UNSAFE case " id ": the generator resumes, hv-swiotlb-boot said: " cause > logf }
		else {
			late++
			why = gen != 1 ? "the generator sets up no resume" : kernel == 0 ? "the kernel forbids hibernation" : "a crash kernel"
			if (gen ~ /^0:/) { sub(/^0:/, "", gen); gsub(/-/, " ", gen); why = why " (" gen ")" }
			bycause[why " / hv-swiotlb-boot: " cause]++
		}
	}
	END {
		printf "    %s: resumes and waits %d; neither %d; unsafe (resumes, no wait) %d; late (waits for nothing) %d\n",
			label, both_wait, both_early, unsafe + 0, late + 0
		for (c in bycause) printf "      late: %5d  %s\n", bycause[c], c
		exit (unsafe + bad) > 0
	}' >"$d/summary" || t_fail "$(head -n 5 "$d/disagreements")"
	cat "$d/summary"
	t_end
}
for s in $SUITES; do
	for f in dracut systemd initramfs-tools; do
		judge "$s" "$f"
	done
done

# The differential can fail: a decision that never waits for dracut or
# initramfs-tools is caught, on the first 300 cases of the first root.
# shellcheck disable=SC2086 # the first word
first=$(set -- $SUITES && echo "$1")
t_begin "a decision that never waits is caught as unsafe (dracut and initramfs-tools, $first)"
sed 's/^may_resume() {$/may_resume() { why=mutant; return 1/' "$BOOT" >"$W/mutant-boot"
grep -q 'why=mutant' "$W/mutant-boot" || t_fail "the mutant was not made"
head -n 300 "$W/cases+plan.tsv" >"$W/cases-300.tsv"
for f in dracut initramfs-tools; do
	run_family "$first" "$f" "$W/mutant-boot" -mutant "$W/cases-300.tsv"
	unsafe=$(cut -d' ' -f2,3 "$W/$first-$f-mutant/hvs/out" | grep -c '^1 resume=0')
	[ "$unsafe" -gt 0 ] || t_fail "$f: no unsafe case found against the mutant"
	echo "    $f against the mutant: $unsafe unsafe of 300"
done
t_end
t_summary
