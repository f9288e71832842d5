# SPDX-License-Identifier: GPL-2.0-or-later
# hv-swiotlb: see README.md.
#
#   make                 build the initramfs tool and the receiver; offline,
#                        unprivileged, never touches the package manager
#   make install         DESTDIR=, PREFIX= (default /usr/local) and the *DIR
#                        variables below; also offline
#   make install-strip   the same, the binaries stripped as distributions do
#   make deps            install, with apt-get, what the tests and the demo need
#   make check           make deps, then every test (the QEMU boots included)
#   make demo            make deps, then boot a VM through the initramfs
#   make unit            only the cmocka unit tests
#
# CC, CFLAGS, CPPFLAGS and LDFLAGS are honoured. The project's own checks
# add -Werror (WERROR=-Werror); a distribution's build never gets it.

VERSION := 0.2
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
LIBEXECDIR ?= $(PREFIX)/lib/hv-swiotlb
# The generators read fixed places whatever PREFIX is: ask them.
pkgvar = $(or $(shell pkg-config --variable=$(2) $(1) 2>/dev/null),$(3))
DRACUTMODULESDIR ?= $(call pkgvar,dracut,dracutmodulesdir,/usr/lib/dracut/modules.d)
DRACUTCONFDIR ?= $(call pkgvar,dracut,dracutconfdir,/usr/lib/dracut/dracut.conf.d)
INITRAMFSTOOLSDIR ?= /usr/share/initramfs-tools
SYSTEMDUNITDIR ?= $(call pkgvar,systemd,systemdsystemunitdir,/usr/lib/systemd/system)
SYSTEMDSLEEPDIR ?= $(call pkgvar,systemd,systemdsleepdir,/usr/lib/systemd/system-sleep)
SYSUSERSDIR ?= $(call pkgvar,systemd,sysusersdir,/usr/lib/sysusers.d)
MKOSIINITRDDIR ?= /usr/lib/mkosi-initrd/mkosi.conf.d
# 50: dracut-ng's range for modules from outside its tree, after the
# systemd module in both numberings (see module-setup.sh).
DRACUTMODDIR = $(DRACUTMODULESDIR)/50hv-swiotlb
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=
KLCC ?= klcc
MUSLCC ?= musl-gcc
CLANG ?= clang
STRIP ?= strip
WERROR ?=

# The initramfs binary's libc: klibc where klcc exists, else static musl,
# else glibc (dynamic: dracut's inst_binary and initramfs-tools' copy_exec
# bring its libraries along).
GUEST_LIBC ?= $(shell if command -v $(KLCC) >/dev/null 2>&1; then echo klibc; \
	elif command -v $(MUSLCC) >/dev/null 2>&1; then echo musl; else echo glibc; fi)

B := build

# What `make deps` installs (Debian 12 names): everything the tests and
# the demo use.
DEPS := make gcc clang libclang-rt-14-dev libklibc-dev klibc-utils musl-tools \
	libcmocka-dev shellcheck mandoc file strace pkg-config libkmod-dev \
	dracut-core initramfs-tools initramfs-tools-core linux-image-amd64 \
	linux-headers-amd64 linux-source busybox-static cpio zstd qemu-system-x86 \
	mmdebstrap e2fsprogs socat valgrind systemd debhelper dpkg-dev fakeroot lintian rpm rpmlint \
	debugedit elfutils util-linux procps

COMMON := errname fileio numbers text range wire
GUEST := kcmdline options pool klog verdict deadline guard log status handoff run cli
HOST := clock names frame registry statedir commit unapplied exec execq listen admission connection events loop say \
	sink notify activation list cli
COMMON_SRC := $(addprefix src/common/,$(addsuffix .c,$(COMMON)))
GUEST_LIB := $(COMMON_SRC) $(addprefix src/guest/,$(addsuffix .c,$(GUEST)))
HOST_LIB := $(COMMON_SRC) $(addprefix src/host/,$(addsuffix .c,$(HOST)))
GUEST_SRC := $(GUEST_LIB) src/guest/main.c
HOST_SRC := $(HOST_LIB) src/host/main.c
GUEST_HDRS := $(wildcard src/common/*.h src/guest/*.h)
HOST_HDRS := $(wildcard src/common/*.h src/host/*.h)

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wformat=2 -Wno-format-nonliteral $(WERROR)
DEFS := -DHVS_VERSION=\"$(VERSION)\"
INC_GUEST := -Isrc/common -Isrc/guest
INC_HOST := -Isrc/common -Isrc/host
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# klibc has no stack protector runtime, and its binary is sized for -Os and
# klcc's own size flags, which klcc drops when CFLAGS has -g: these come
# after the user's CFLAGS, on purpose. common-page-size=64: otherwise ld
# may start the data segment on a fresh page in the file, to save one page
# of memory, and a few bytes more of .bss would cost up to 4 KiB of file.
KLIBC_FORCE := -Os -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fomit-frame-pointer -mno-sse -falign-functions=1 -falign-jumps=1 -falign-loops=1 \
	-fno-jump-tables -ffunction-sections -fdata-sections \
	-Wl,--gc-sections -Wl,-z,noseparate-code -Wl,-z,common-page-size=64 -Wl,--build-id=sha1 -g
# musl-gcc's specs drop gcc's default build-id, which packagers' debuginfo
# tools need; they also strip, so this build is not stripped here.
MUSL_FORCE := -static -ffunction-sections -fdata-sections -Wl,--gc-sections -Wl,--build-id

# Each build's flags, remembered: a change of flags rebuilds (stamp files).
F_klibc := $(WARN) $(DEFS) $(CPPFLAGS) $(CFLAGS) $(KLIBC_FORCE) $(LDFLAGS)
F_musl := $(WARN) $(DEFS) $(CPPFLAGS) $(CFLAGS) $(MUSL_FORCE) $(LDFLAGS)
F_glibc := -std=gnu99 -D_GNU_SOURCE $(WARN) $(DEFS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS)
F_clang := $(F_glibc)
F_asan := -std=gnu99 -D_GNU_SOURCE $(WARN) $(DEFS) -O1 -g $(SAN)
F_fuzz := -std=gnu99 -D_GNU_SOURCE $(WARN) $(DEFS) -O1 -g \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
CC_klibc := $(KLCC)
CC_musl := $(MUSLCC)
CC_glibc := $(CC)
CC_clang := $(CLANG)
CC_asan := $(CLANG)
CC_fuzz := $(CLANG)

.PHONY: all deps check check-build check-generators demo unit stage fuzz bench install install-strip uninstall \
	clean FORCE
.DELETE_ON_ERROR:

all: $(B)/$(GUEST_LIBC)/hv-swiotlb $(B)/glibc/hv-swiotlb-recv

$(B)/%/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC_$*) $(F_$*)' | cmp -s - $@ 2>/dev/null || echo '$(CC_$*) $(F_$*)' >$@

# The guest tool, for every libc. Not stripped here: a distribution's tools
# strip it at install and keep its debug information apart (-dbgsym,
# -debuginfo), by its build-id; make install-strip strips as they do.
$(B)/klibc/hv-swiotlb: $(GUEST_SRC) src/guest/klibc_nostdio.c $(GUEST_HDRS) $(B)/klibc/.flags
	$(KLCC) -static $(INC_GUEST) $(F_klibc) -o $@ $(GUEST_SRC) src/guest/klibc_nostdio.c
$(B)/musl/hv-swiotlb: $(GUEST_SRC) $(GUEST_HDRS) $(B)/musl/.flags
	$(MUSLCC) $(INC_GUEST) $(F_musl) -o $@ $(GUEST_SRC)
$(B)/glibc/hv-swiotlb $(B)/clang/hv-swiotlb $(B)/asan/hv-swiotlb: \
		$(B)/%/hv-swiotlb: $(GUEST_SRC) $(GUEST_HDRS) $(B)/%/.flags
	$(CC_$*) $(INC_GUEST) $(F_$*) -o $@ $(GUEST_SRC)

# The receiver runs on hosts, never in an initramfs: glibc.
$(B)/glibc/hv-swiotlb-recv $(B)/clang/hv-swiotlb-recv $(B)/asan/hv-swiotlb-recv: \
		$(B)/%/hv-swiotlb-recv: $(HOST_SRC) $(HOST_HDRS) $(B)/%/.flags
	$(CC_$*) $(INC_HOST) $(F_$*) -o $@ $(HOST_SRC)

# Unit tests (cmocka): the receiver's against its own sources, the rest
# against the guest's.
HOST_UNITS := test_recv test_vectors test_unapplied
GUEST_UNITS := test_kcmdline test_options test_pool test_wire test_verdict test_status \
	test_text
UNITS := $(GUEST_UNITS) $(HOST_UNITS)
unit_src = $(if $(filter $(1),$(HOST_UNITS)),$(HOST_LIB),$(GUEST_LIB))
unit_inc = $(if $(filter $(1),$(HOST_UNITS)),$(INC_HOST),$(INC_GUEST))
# One rule per build: a pattern rule with two target patterns would be one
# recipe that makes both, and the second would never be built.
unit_rule = $(CC_$(1)) $(call unit_inc,test_$(2)) $(F_$(1)) -o $(3) $(4) $(call unit_src,test_$(2)) -lcmocka
.SECONDEXPANSION:
$(B)/glibc/test_%: tests/unit/test_%.c tests/unit/table.h $$(call unit_src,test_$$*) \
		$(GUEST_HDRS) $(HOST_HDRS) $(B)/glibc/.flags
	$(call unit_rule,glibc,$*,$@,$<)
$(B)/asan/test_%: tests/unit/test_%.c tests/unit/table.h $$(call unit_src,test_$$*) \
		$(GUEST_HDRS) $(HOST_HDRS) $(B)/asan/.flags
	$(call unit_rule,asan,$*,$@,$<)

# Scripted hosts and guests for the tests, over Unix sockets.
$(B)/glibc/hvs-fake-host: tests/fakes/fake-host.c src/common/wire.c src/common/wire.h $(B)/glibc/.flags
	$(CC) $(INC_GUEST) $(F_glibc) -o $@ tests/fakes/fake-host.c src/common/wire.c
$(B)/glibc/hvs-fake-guest: tests/fakes/fake-guest.c src/common/wire.c src/common/wire.h $(B)/glibc/.flags
	$(CC) $(INC_GUEST) $(F_glibc) -o $@ tests/fakes/fake-guest.c src/common/wire.c

# The boot tests' relay between a guest's vsock and a receiver outside it:
# static, for the guests' busybox root.
$(B)/glibc/hvtest-relay: tests/boot/hvtest-relay.c $(B)/glibc/.flags
	$(CC) -static $(F_glibc) -o $@ tests/boot/hvtest-relay.c

# Faults on demand (a hung read, a full directory), preloaded by the tests.
$(B)/glibc/libhvs-faults.so: tests/fakes/faults.c $(B)/glibc/.flags
	$(CC) -shared -fPIC $(F_glibc) -o $@ tests/fakes/faults.c -ldl

# libFuzzer targets, with ASan and UBSan.
GUEST_FUZZERS := fuzz_cmdline fuzz_sysfs fuzz_ack
HOST_FUZZERS := fuzz_record fuzz_recv_stream fuzz_state
FUZZERS := $(GUEST_FUZZERS) $(HOST_FUZZERS)
fuzz_src = $(if $(filter $(1),$(HOST_FUZZERS)),$(HOST_LIB),$(GUEST_LIB))
fuzz_inc = $(if $(filter $(1),$(HOST_FUZZERS)),$(INC_HOST),$(INC_GUEST))
$(B)/fuzz/%: tests/fuzz/%.c $$(call fuzz_src,$$*) $(GUEST_HDRS) $(HOST_HDRS) $(B)/fuzz/.flags
	$(CLANG) $(call fuzz_inc,$*) $(F_fuzz) -o $@ $< $(call fuzz_src,$*)

# The guest builds this machine can make, for the tests to run against.
TEST_GUESTS := glibc clang asan $(if $(shell command -v $(KLCC)),klibc) \
	$(if $(shell command -v $(MUSLCC)),musl)
TEST_BINS := $(foreach v,$(TEST_GUESTS),$(B)/$(v)/hv-swiotlb) \
	$(foreach v,glibc clang asan,$(B)/$(v)/hv-swiotlb-recv) \
	$(B)/glibc/hvs-fake-host $(B)/glibc/hvs-fake-guest $(B)/glibc/libhvs-faults.so \
	$(B)/glibc/hvtest-relay \
	$(addprefix $(B)/glibc/,$(UNITS)) $(addprefix $(B)/asan/,$(UNITS)) \
	$(addprefix $(B)/fuzz/,$(FUZZERS))

deps:
	@sh scripts/deps.sh $(DEPS)

# check and demo install what they need first, then build with -Werror.
check: deps
	@$(MAKE) --no-print-directory WERROR=-Werror check-build
	@TEST_GUESTS='$(TEST_GUESTS)' GUEST_LIBC=$(GUEST_LIBC) sh tests/run.sh $(B)

check-build: $(TEST_BINS) stage

# The generators' differential at full size: 10,000 cases for each of the
# nine generator versions (make check runs 1,000 of them), kept in
# bench/generators.md.
check-generators: deps
	@$(MAKE) --no-print-directory WERROR=-Werror check-build
	@HVTEST_GENERATOR_CASES=10000 sh tests/run.sh $(B) generators
	@sh bench/generators.sh $(B)

# The offline, unprivileged tests, for package builds too (debian/rules,
# the spec's %check): the ASan builds where clang is there.
unit: $(addprefix $(B)/glibc/,$(UNITS)) \
		$(if $(shell command -v $(CLANG)),$(addprefix $(B)/asan/,$(UNITS)))
	@sh tests/run.sh $(B) unit

# A `make install` into build/stage, for the tests and the demo.
stage: all
	@rm -rf $(B)/stage
	@$(MAKE) --no-print-directory -s install-strip DESTDIR=$(abspath $(B))/stage PREFIX=/usr \
		LIBEXECDIR=/usr/lib/hv-swiotlb \
		DRACUTMODULESDIR=/usr/lib/dracut/modules.d \
		DRACUTCONFDIR=/usr/lib/dracut/dracut.conf.d SYSTEMDUNITDIR=/usr/lib/systemd/system \
		SYSTEMDSLEEPDIR=/usr/lib/systemd/system-sleep MKOSIINITRDDIR=/usr/lib/mkosi-initrd/mkosi.conf.d

# The demo boots the staged tree with the test relay beside the receiver
# (tests/boot/build-images.sh): it builds both, whatever ran before.
demo: deps
	@$(MAKE) --no-print-directory WERROR=-Werror stage $(B)/glibc/hvtest-relay
	@sh tests/boot/demo.sh $(B)

# make fuzz: every target for FUZZ_SECONDS, and 5 million differential
# cases against the kernel's own parser with a fresh seed.
FUZZ_SECONDS ?= 60
fuzz: $(addprefix $(B)/fuzz/,$(FUZZERS))
	@sh tests/suites/fuzz.sh $(B) $(FUZZ_SECONDS)
	@sh tests/suites/difftest.sh $(B) 5000000 $$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')

# Numbers, not pass/fail: bench/results.md, regenerated.
bench: deps
	@$(MAKE) --no-print-directory stage $(B)/klibc/hv-swiotlb $(B)/glibc/hv-swiotlb \
		$(B)/glibc/hvs-fake-host $(B)/glibc/hvs-fake-guest $(B)/glibc/hvtest-relay
	@sh bench/run.sh $(B)

# The generator files and units name the installed paths. They are made
# again whenever one of those paths changes, not only their source: the
# values are remembered in a stamp, as the compilers' flags are.
SUBST_VARS := SBINDIR LIBEXECDIR SYSTEMDUNITDIR SYSTEMDSLEEPDIR DRACUTMODULESDIR DRACUTCONFDIR \
	INITRAMFSTOOLSDIR SYSUSERSDIR
SUBST = sed $(foreach v,$(SUBST_VARS),-e 's|@$(v)@|$($(v))|g') $< >$@.tmp && mv $@.tmp $@
$(B)/gen/.vars: FORCE
	@mkdir -p $(@D)
	@echo '$(foreach v,$(SUBST_VARS),$(v)=$($(v)))' | cmp -s - $@ 2>/dev/null || \
		echo '$(foreach v,$(SUBST_VARS),$(v)=$($(v)))' >$@
$(B)/gen/%: % Makefile $(B)/gen/.vars
	@mkdir -p $(@D)
	@$(SUBST)

# What `make install` puts where: the programs here, and each folder's
# own files in its install.mk (a generator's, the guest's units, the
# host's units, the pages), as MODE:SOURCE:DESTINATION, TARGET:LINK and
# the directories uninstall removes when they are left empty. GEN: the
# sources that name installed paths (made in $(B)/gen, above).
GEN :=
INSTALL_FILES := \
	0755:$(B)/$(GUEST_LIBC)/hv-swiotlb:$(SBINDIR)/hv-swiotlb \
	0755:scripts/hv-swiotlb-boot:$(LIBEXECDIR)/hv-swiotlb-boot \
	0755:$(B)/glibc/hv-swiotlb-recv:$(SBINDIR)/hv-swiotlb-recv
INSTALL_LINKS :=
INSTALL_DIRS := $(LIBEXECDIR)
include dracut-module/install.mk initramfs-tools/install.mk mkosi/install.mk \
	systemd/guest/install.mk systemd/host/install.mk man/install.mk

field = $(word $(1),$(subst :, ,$(2)))
define newline


endef
install: all $(addprefix $(B)/gen/,$(GEN))
	$(foreach f,$(INSTALL_FILES),install -D -m $(call field,1,$(f)) $(call field,2,$(f)) \
		$(DESTDIR)$(call field,3,$(f))$(newline))
	$(foreach l,$(INSTALL_LINKS),install -d $(DESTDIR)$(dir $(call field,2,$(l)))$(newline)\
		ln -sf $(call field,1,$(l)) $(DESTDIR)$(call field,2,$(l))$(newline))

# Strip as the distributions' tools do (dh_strip, find-debuginfo); their
# debug information is what -dbgsym and -debuginfo packages are made of.
STRIP_AS_SHIPPED = $(STRIP) --remove-section=.comment --remove-section=.note
install-strip: install
	$(STRIP_AS_SHIPPED) $(DESTDIR)$(SBINDIR)/hv-swiotlb $(DESTDIR)$(SBINDIR)/hv-swiotlb-recv

INSTALLED = $(foreach f,$(INSTALL_FILES),$(call field,3,$(f))) \
	$(foreach l,$(INSTALL_LINKS),$(call field,2,$(l)))

# Exactly what install wrote, and the directories that were only ours.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(addprefix $(DESTDIR),$(INSTALL_DIRS)) 2>/dev/null

clean:
	rm -rf $(B)
