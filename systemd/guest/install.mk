# SPDX-License-Identifier: GPL-2.0-or-later
# The guest's units: the handoff in a systemd initrd (and after its resume
# attempt), in a root booted without an initramfs, and again after a
# resume from hibernation (systemd-sleep's hook).
# Included by the Makefile: MODE:SOURCE:DESTINATION, one per file;
# TARGET:LINK for links.
GEN += systemd/guest/hv-swiotlb.service systemd/guest/hv-swiotlb-initrd.service \
	systemd/guest/hv-swiotlb-initrd-resume.service systemd/guest/hv-swiotlb-sleep
INSTALL_FILES += \
	0644:$(B)/gen/systemd/guest/hv-swiotlb.service:$(SYSTEMDUNITDIR)/hv-swiotlb.service \
	0644:$(B)/gen/systemd/guest/hv-swiotlb-initrd.service:$(SYSTEMDUNITDIR)/hv-swiotlb-initrd.service \
	0644:$(B)/gen/systemd/guest/hv-swiotlb-initrd-resume.service:$(SYSTEMDUNITDIR)/hv-swiotlb-initrd-resume.service \
	0755:$(B)/gen/systemd/guest/hv-swiotlb-sleep:$(SYSTEMDSLEEPDIR)/hv-swiotlb
# Enabled for initrd.target once and for all, for any systemd initrd
# (dracut makes the same links itself); inert on a running system.
INSTALL_LINKS += \
	../hv-swiotlb-initrd.service:$(SYSTEMDUNITDIR)/initrd.target.wants/hv-swiotlb-initrd.service \
	../hv-swiotlb-initrd-resume.service:$(SYSTEMDUNITDIR)/initrd.target.wants/hv-swiotlb-initrd-resume.service
INSTALL_DIRS += $(SYSTEMDUNITDIR)/initrd.target.wants
