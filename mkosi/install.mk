# SPDX-License-Identifier: GPL-2.0-or-later
# mkosi-initrd's drop-in: our package and units in every image it makes.
# Included by the Makefile: MODE:SOURCE:DESTINATION, one per file.
INSTALL_FILES += 0644:mkosi/50-hv-swiotlb.conf:$(MKOSIINITRDDIR)/50-hv-swiotlb.conf
