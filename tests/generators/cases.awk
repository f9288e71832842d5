# SPDX-License-Identifier: GPL-2.0-or-later
# Generated cases for the generators' differential: N lines of
#   ID <TAB> CMDLINE <TAB> CMDLINE.D <TAB> CONF-RESUME <TAB> EFI <TAB> MODULE <TAB> VMCORE
# CMDLINE: the kernel's line (always asking for a pool); CMDLINE.D: what
# dracut's /etc/cmdline.d holds ("-": nothing); CONF-RESUME: initramfs-
# tools' conf.d/resume ("-": no such file); EFI: systemd's HibernateLocation
# variable is there; MODULE: the image carries the generator's resume code;
# VMCORE: /proc/vmcore is there (a kdump crash kernel).
#
#   awk -v n=10000 -v seed=1 -f cases.awk
function pick(list,    a, k) {
	k = split(list, a, "|")
	return a[1 + int(rand() * k)]
}
function token() {
	return pick("resume=/dev/vdb|resume=/dev/vdb|resume=/dev/vdc|resume=UUID=0b9e0b6e-8a1f-4ad6-9f6b-2b0c5f3e4a11|resume=LABEL=swap|resume=PARTUUID=1c2d3e4f-01|resume=/dev/disk/by-uuid/0b9e0b6e-8a1f-4ad6-9f6b-2b0c5f3e4a11|resume=|resume=none|\"resume=/dev/vdb\"|resume=swapfile|resume_offset=34816|" \
		"noresume|noresume|noresume=1|noresume=0|\"noresume\"|NoResume|noresumex|" \
		"nohibernate|nohibernate=0|hibernate=no|hibernate=noresume|hibernate=nocompress|hibernate=nocomp|hibernate=noresum|hibernate=protect_image|hibernate=|no_hibernate|" \
		"--|--|boot=nfs|boot=zfs|boot=local|root=/dev/nfs|root=/dev/vda1|ip=dhcp|elfcorehdr=0x7f000000|" \
		"rd.hvswiotlb.required|quiet|splash=quiet|ro|rw|RESUME=/dev/vdb|HV_SWIOTLB_RESUME=yes|init=/sbin/init|rd.break=pre-mount")
}
BEGIN {
	srand(seed)
	for (i = 1; i <= n; i++) {
		line = "hv_pci_swiotlb=64M"
		t = int(rand() * 7)
		for (j = 0; j < t; j++)
			line = line (rand() < 0.9 ? " " : "  ") token()
		dd = "-"
		if (rand() < 0.3) {
			dd = pick("noresume|resume=/dev/vdc|resume=none|resume=|noresume=1|rd.hvswiotlb.required|resume=UUID=0b9e0b6e-8a1f-4ad6-9f6b-2b0c5f3e4a11")
			if (rand() < 0.3)
				dd = dd " " pick("noresume|resume=/dev/vdb|quiet")
		}
		conf = "-"
		if (rand() < 0.4)
			conf = pick("RESUME=/dev/vdc|RESUME=none|RESUME=|RESUME=UUID=0b9e0b6e-8a1f-4ad6-9f6b-2b0c5f3e4a11|RESUME=auto")
		printf "%d\t%s\t%s\t%s\t%d\t%d\t%d\n", i, line, dd, conf,
			rand() < 0.3, rand() < 0.85, rand() < 0.08
	}
}
