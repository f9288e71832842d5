# SPDX-License-Identifier: GPL-2.0-or-later
# The host's units: the receiver on vsock (QEMU/KVM), or one socket per VM
# behind a hybrid vsock relay (OpenVMM), and the system user they run as.
# Included by the Makefile: MODE:SOURCE:DESTINATION, one per file.
GEN += systemd/host/hv-swiotlb-recv.service systemd/host/hv-swiotlb-recv@.service \
	systemd/host/hv-swiotlb-recv@.socket
INSTALL_FILES += \
	0644:$(B)/gen/systemd/host/hv-swiotlb-recv.service:$(SYSTEMDUNITDIR)/hv-swiotlb-recv.service \
	0644:$(B)/gen/systemd/host/hv-swiotlb-recv@.service:$(SYSTEMDUNITDIR)/hv-swiotlb-recv@.service \
	0644:$(B)/gen/systemd/host/hv-swiotlb-recv@.socket:$(SYSTEMDUNITDIR)/hv-swiotlb-recv@.socket \
	0644:systemd/host/hv-swiotlb-recv.sysusers:$(SYSUSERSDIR)/hv-swiotlb-recv.conf
