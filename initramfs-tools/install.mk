# SPDX-License-Identifier: GPL-2.0-or-later
# initramfs-tools' hook (what goes in the image) and its boot scripts (the
# handoff before the root is mounted, and after a resume attempt).
# Included by the Makefile: MODE:SOURCE:DESTINATION, one per file.
GEN += initramfs-tools/hooks/hv-swiotlb
INSTALL_FILES += \
	0755:$(B)/gen/initramfs-tools/hooks/hv-swiotlb:$(INITRAMFSTOOLSDIR)/hooks/hv-swiotlb \
	0755:initramfs-tools/scripts/init-premount/hv-swiotlb:$(INITRAMFSTOOLSDIR)/scripts/init-premount/hv-swiotlb \
	0755:initramfs-tools/scripts/local-premount/hv-swiotlb:$(INITRAMFSTOOLSDIR)/scripts/local-premount/hv-swiotlb
