# SPDX-License-Identifier: GPL-2.0-or-later
# The manual pages; the two that name installed paths are generated.
# Included by the Makefile: MODE:SOURCE:DESTINATION, one per file.
GEN += man/hv-swiotlb.7 man/hv-swiotlb-recv.8
INSTALL_FILES += \
	0644:man/hv-swiotlb.8:$(MANDIR)/man8/hv-swiotlb.8 \
	0644:$(B)/gen/man/hv-swiotlb-recv.8:$(MANDIR)/man8/hv-swiotlb-recv.8 \
	0644:man/hv-swiotlb-protocol.7:$(MANDIR)/man7/hv-swiotlb-protocol.7 \
	0644:$(B)/gen/man/hv-swiotlb.7:$(MANDIR)/man7/hv-swiotlb.7
