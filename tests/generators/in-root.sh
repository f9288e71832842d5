#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# One generator's resume code against hv-swiotlb-boot's decision, case by
# case, inside a Debian root of the generator's version (run in a private
# mount namespace over an overlay of that root: tests/suites/generators.sh
# sets it up). For each case:
#   the generator: its own code, run as at boot, from that root;
#     dracut           the resume module's parse-resume.sh, sourced after
#                      dracut-lib.sh (getarg runs the root's dracut-getarg),
#                      with /proc/cmdline and /etc/cmdline.d of the case:
#                      it resumes when it left a rule or hook that writes
#                      /sys/power/resume
#     systemd          systemd-hibernate-resume-generator, in initrd mode,
#                      with the case's line (SYSTEMD_PROC_CMDLINE) and
#                      HibernateLocation: it resumes when it enabled a
#                      systemd-hibernate-resume unit
#     initramfs-tools  init's own option parsing (taken from the package's
#                      init by generators.sh), with conf.d/resume; then the
#                      root type's script's mount_premount, as init calls it;
#                      and, if that ran local-premount, the package's
#                      local-premount/resume: it resumes when it reached
#                      /bin/resume (every device exists here)
#   the tool: hv-swiotlb-boot decide GENERATOR, sourced in a subshell, with
#     the words hv-swiotlb --plan printed for this case (column 8).
# Prints per case: ID GENERATOR-RESUMES TOOL-WAITS CAUSE.
#
#   in-root.sh FAMILY CASES OUT
# Not set -u: the generators' code is not written for it.
FAMILY=$1
CASES=$2
OUT=$3
BOOT_SCRIPT=/hvs/hv-swiotlb-boot

# The tool's --plan for this case, printed earlier by the real binary.
plan_cached() {
	printf '%s\n' "$plan"
}
decide() { # GENERATOR: sets $dec
	# shellcheck source=scripts/hv-swiotlb-boot
	dec=$(set -- decide "$1" plan_cached && . "$BOOT_SCRIPT" 2>/dev/null)
}

# dracut: a rule or hook that writes /sys/power/resume.
# shellcheck disable=SC2154 # hookdir: dracut-lib.sh sets it
dracut_resumes() {
	[ -e "$hookdir/pre-mount/10-resume.sh" ] && return 0
	[ -e /etc/udev/rules.d/99-resume.rules ] || return 1
	while IFS= read -r l; do
		case "$l" in *"/sys/power/resume"*) return 0 ;; esac
	done </etc/udev/rules.d/99-resume.rules
	return 1
}

run_dracut() {
	# shellcheck source=/dev/null
	. "$DRACUT_LIB"
	# shellcheck disable=SC2154 # dracut-lib.sh sets it
	mkdir -p "$hookdir/initqueue/finished" "$hookdir/initqueue/settled" \
		"$hookdir/initqueue/timeout" "$hookdir/pre-mount" "$hookdir/emergency" \
		/etc/udev/rules.d /etc/cmdline.d /lib/dracut
	while IFS='	' read -r id cmdline dd conf efi module vmcore plan; do
		printf '%s\n' "$cmdline" >/proc/cmdline
		if [ "$dd" = - ]; then
			: >/etc/cmdline.d/10-case.conf
		else
			printf '%s\n' "$dd" >/etc/cmdline.d/10-case.conf
		fi
		# parse-resume.sh moves its pre-mount hook into place: put it back.
		[ -e /lib/dracut/resume.sh ] || cp "$DRACUT_RESUME_SH" /lib/dracut/resume.sh
		if [ "$module" = 1 ]; then
			# shellcheck source=/dev/null
			(. "$PARSE_RESUME") >/dev/null 2>&1 </dev/null
		fi
		gen=0
		dracut_resumes && gen=1
		decide dracut
		echo "$id $gen $dec"
		if [ "$gen" = 1 ] || [ -e /.resume ] || [ -e /etc/udev/rules.d/99-resume-link.rules ]; then
			rm -f /etc/udev/rules.d/99-resume.rules /etc/udev/rules.d/99-resume-link.rules \
				/.resume "$hookdir/pre-mount/10-resume.sh" "$hookdir"/initqueue/*/*
		fi
		: "$conf $efi $vmcore"
	done <"$CASES" >"$OUT"
}

# GENERATOR (the generator's path) comes from generators.sh.
# shellcheck disable=SC2153
run_systemd() {
	gdir=/run/systemd/generator
	mkdir -p $gdir
	var=/sys/firmware/efi/efivars/HibernateLocation-8cf2644b-4b0b-428f-9387-6d876050dc67
	while IFS='	' read -r id cmdline dd conf efi module vmcore plan; do
		if [ "$efi" = 1 ]; then
			[ -e $var ] || { mkdir -p ${var%/*} && cp /hvs/HibernateLocation $var; }
		elif [ -e $var ]; then
			rm -f $var
		fi
		if [ "$module" = 1 ]; then
			SYSTEMD_IN_INITRD=1 SYSTEMD_PROC_CMDLINE=$cmdline SYSTEMD_LOG_LEVEL=emerg \
				"$GENERATOR" $gdir $gdir.early $gdir.late >/dev/null 2>&1
		fi
		gen=0
		for f in "$gdir"/*/systemd-hibernate-resume*; do
			if [ -e "$f" ] || [ -L "$f" ]; then
				gen=1
			fi
		done
		decide systemd
		echo "$id $gen $dec"
		set -- $gdir/*
		[ -e "$1" ] && rm -rf "${gdir:?}"/* $gdir.early $gdir.late
		: "$dd $conf $vmcore"
	done <"$CASES" >"$OUT"
}

# Stand-ins for the devices, never for the generator: every resume device
# exists and holds a hibernation image, so what is left to decide is
# whether the generator's code goes on to resume from it.
fstype() { echo "FSTYPE=swsuspend"; }
blkid() {
	case " $* " in
	*" -t "*) echo /dev/vdb ;;
	*) echo swsuspend ;;
	esac
}
modprobe() { :; }
plymouth() { return 1; }

run_it() {
	mkdir -p /conf/conf.d /sys/power /run /dev
	: >/sys/power/resume
	mkdir -p /dev/disk/by-uuid
	for dev in /dev/vdb /dev/vdc /dev/disk/by-uuid/0b9e0b6e-8a1f-4ad6-9f6b-2b0c5f3e4a11; do
		: >$dev
	done
	# A device that is not there would be waited for, 30 s (local_device_setup).
	sleep() { echo "in-root.sh: a device was waited for; add it to run_it" >&2; exit 1; }
	while IFS='	' read -r id cmdline dd conf efi module vmcore plan; do
		printf '%s\n' "$cmdline" >/proc/cmdline
		if [ "$conf" = - ]; then
			[ -e /conf/conf.d/resume ] && rm -f /conf/conf.d/resume
		else
			printf '%s\n' "$conf" >/conf/conf.d/resume
		fi
		if [ "$module" = 1 ]; then
			[ -e /scripts/local-premount/resume ] || cp /hvs/it-resume /scripts/local-premount/resume
		elif [ -e /scripts/local-premount/resume ]; then
			rm -f /scripts/local-premount/resume
		fi
		[ -e /hvs/attempt ] && rm -f /hvs/attempt
		line=$(
			cd / || exit 1
			# shellcheck source=/dev/null
			. /hvs/it-parse.sh >/dev/null 2>&1
			decide initramfs-tools
			# init: ". /scripts/local; . /scripts/nfs; . /scripts/$BOOT",
			# which ends init when the script is not in the image.
			# shellcheck source=/dev/null
			{ . /scripts/local && . /scripts/nfs; } >/dev/null 2>&1
			if [ -e "/scripts/${BOOT}" ]; then
				# shellcheck source=/dev/null
				. "/scripts/${BOOT}" >/dev/null 2>&1
				premount=
				# shellcheck disable=SC2317 # called by mount_premount
				run_scripts() {
					case "$1" in /scripts/local-premount) premount=1 ;; esac
				}
				mount_top >/dev/null 2>&1
				mount_premount >/dev/null 2>&1
				if [ -n "$premount" ] && [ -e /scripts/local-premount/resume ]; then
					# As run_scripts runs it, with what init exported.
					# shellcheck source=/dev/null
					(set --; . /scripts/local-premount/resume) >/dev/null 2>&1 </dev/null
				fi
			fi
			gen=0
			[ -e "/scripts/${BOOT}" ] || gen=0:no-scripts/$BOOT-in-the-image
			[ -e /hvs/attempt ] && gen=1
			echo "$gen $dec"
		)
		echo "$id $line"
		: "$dd $efi $vmcore"
	done <"$CASES" >"$OUT"
}

case "$FAMILY" in
dracut) run_dracut ;;
systemd) run_systemd ;;
initramfs-tools) run_it ;;
esac
