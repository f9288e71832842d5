# SPDX-License-Identifier: GPL-2.0-or-later
# dracut's module, where dracut looks for modules from outside its tree,
# and the drop-in that puts it in every image (installed means active).
# Included by the Makefile: MODE:SOURCE:DESTINATION, one per file.
GEN += dracut-module/module-setup.sh
INSTALL_FILES += \
	0755:$(B)/gen/dracut-module/module-setup.sh:$(DRACUTMODDIR)/module-setup.sh \
	0755:dracut-module/hv-swiotlb-hook.sh:$(DRACUTMODDIR)/hv-swiotlb-hook.sh \
	0755:dracut-module/hv-swiotlb-resume-hook.sh:$(DRACUTMODDIR)/hv-swiotlb-resume-hook.sh \
	0644:dracut-module/hv-swiotlb.conf:$(DRACUTCONFDIR)/90-hv-swiotlb.conf
INSTALL_DIRS += $(DRACUTMODDIR)
