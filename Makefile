# hv-swiotlb: see README.md. `make` builds, `make check` tests, and both
# install the Debian packages they need first (as root).

VERSION := 0.1
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# dracut and initramfs-tools look here; 91 puts the module after dracut's
# own storage and network modules, which an out-of-tree module builds on.
DRACUTMODDIR ?= $(PREFIX)/lib/dracut/modules.d/91hv-swiotlb
INITRAMFSDIR ?= $(PREFIX)/share/initramfs-tools
SHAREDIR ?= $(PREFIX)/share/hv-swiotlb
DESTDIR ?=

B := build
KLCC ?= klcc
CC ?= cc
CLANG ?= clang

# The packages the build and the tests need (Debian 12 names).
DEPS := make gcc clang libclang-rt-14-dev libklibc-dev libcmocka-dev \
	shellcheck mandoc file strace \
	dracut-core initramfs-tools initramfs-tools-core linux-image-amd64 \
	busybox-static cpio zstd qemu-system-x86 linux-headers-amd64 e2fsprogs \
	socat valgrind

CORE := errname kcmdline options fileio wire pool klog verdict deadline log status handoff
TOOL_SRC := $(addprefix src/,$(addsuffix .c,$(CORE) main))
HDRS := $(wildcard src/*.h)
UNIT := test_kcmdline test_options test_pool test_wire test_verdict test_status \
	test_recv test_vectors

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wformat=2 -Wno-format-nonliteral
DEFS := -DHVS_VERSION=\"$(VERSION)\"
CFLAGS_GLIBC := -std=gnu99 -O2 -g $(WARN) $(DEFS) -D_GNU_SOURCE
CFLAGS_KLIBC := -std=gnu99 -Os $(WARN) $(DEFS) -ffunction-sections -fdata-sections
LDFLAGS_KLIBC := -Wl,--gc-sections -Wl,-z,noseparate-code -Wl,--build-id=none
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all deps check demo stage fuzz bench unit install uninstall clean
.DELETE_ON_ERROR:

RECV := recv_main recv_conn recv_registry errname fileio kcmdline options wire
RECV_SRC := $(addprefix src/,$(addsuffix .c,$(RECV)))

all: $(B)/klibc/hv-swiotlb $(B)/glibc/hv-swiotlb $(B)/glibc/hv-swiotlb-recv

deps: $(B)/.deps
$(B)/.deps: scripts/deps.sh Makefile
	@mkdir -p $(B)
	@sh scripts/deps.sh $(DEPS)
	@touch $@

# The initramfs binary: static klibc, stripped.
$(B)/klibc/hv-swiotlb: $(TOOL_SRC) $(HDRS) | $(B)/.deps
	@mkdir -p $(@D)
	$(KLCC) -static $(CFLAGS_KLIBC) $(LDFLAGS_KLIBC) -o $@ $(TOOL_SRC)
	strip --strip-all $@

# The same sources against glibc, with gcc, clang and the sanitizers.
$(B)/glibc/hv-swiotlb: $(TOOL_SRC) $(HDRS) | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_GLIBC) -o $@ $(TOOL_SRC)

$(B)/clang/hv-swiotlb: $(TOOL_SRC) $(HDRS) | $(B)/.deps
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS_GLIBC) -o $@ $(TOOL_SRC)

$(B)/asan/hv-swiotlb: $(TOOL_SRC) $(HDRS) | $(B)/.deps
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS_GLIBC) $(SAN) -o $@ $(TOOL_SRC)

# The host-side receiver: glibc only (it runs on hosts, not in initramfs).
$(B)/glibc/hv-swiotlb-recv: $(RECV_SRC) $(HDRS) | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_GLIBC) -o $@ $(RECV_SRC)
$(B)/clang/hv-swiotlb-recv: $(RECV_SRC) $(HDRS) | $(B)/.deps
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS_GLIBC) -o $@ $(RECV_SRC)
$(B)/asan/hv-swiotlb-recv: $(RECV_SRC) $(HDRS) | $(B)/.deps
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS_GLIBC) $(SAN) -o $@ $(RECV_SRC)

# Unit tests (cmocka) and the scripted peer, plain and sanitized.
CORE_SRC := $(addprefix src/,$(addsuffix .c,$(CORE)))
TEST_SRC := $(CORE_SRC) src/recv_conn.c src/recv_registry.c
$(B)/glibc/test_%: tests/unit/test_%.c tests/unit/table.h $(TEST_SRC) $(HDRS) | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_GLIBC) -Isrc -o $@ $< $(TEST_SRC) -lcmocka
$(B)/asan/test_%: tests/unit/test_%.c tests/unit/table.h $(TEST_SRC) $(HDRS) | $(B)/.deps
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS_GLIBC) $(SAN) -Isrc -o $@ $< $(TEST_SRC) -lcmocka
$(B)/glibc/hvs-test-peer: tests/peer.c src/wire.c src/wire.h | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_GLIBC) -Isrc -o $@ tests/peer.c src/wire.c

$(B)/glibc/hvs-test-client: tests/client.c src/wire.c src/wire.h | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_GLIBC) -Isrc -o $@ tests/client.c src/wire.c

# libFuzzer targets, with ASan and UBSan.
FUZZERS := fuzz_cmdline fuzz_sysfs fuzz_ack fuzz_record fuzz_recv_stream
FUZZ_SECONDS ?= 60
$(B)/fuzz/%: tests/fuzz/%.c $(TEST_SRC) $(HDRS) | $(B)/.deps
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS_GLIBC) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Isrc -o $@ $< $(TEST_SRC)

# make fuzz: every target for FUZZ_SECONDS, and 5 million differential
# cases against the kernel's own parser with a fresh seed.
fuzz: $(addprefix $(B)/fuzz/,$(FUZZERS))
	@sh tests/fuzz/run.sh $(B) $(FUZZ_SECONDS)
	@sh tests/difftest/run.sh $(B) 5000000 $$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')

TEST_BINS := $(addprefix $(B)/fuzz/,$(FUZZERS)) $(B)/klibc/hv-swiotlb $(B)/glibc/hv-swiotlb $(B)/clang/hv-swiotlb \
	$(B)/asan/hv-swiotlb $(B)/glibc/hvs-test-peer $(B)/glibc/hvs-test-client \
	$(B)/glibc/hv-swiotlb-recv $(B)/clang/hv-swiotlb-recv $(B)/asan/hv-swiotlb-recv \
	$(addprefix $(B)/glibc/,$(UNIT)) $(addprefix $(B)/asan/,$(UNIT))

# A `make install` into build/stage, for the initramfs tests and the demo.
stage: $(B)/klibc/hv-swiotlb $(B)/glibc/hv-swiotlb-recv
	@rm -rf $(B)/stage
	@$(MAKE) -s install DESTDIR=$(abspath $(B))/stage PREFIX=/usr

check: $(TEST_BINS) stage
	@sh tests/run.sh $(B)

# Numbers, not pass/fail: bench/results.md, regenerated.
bench: stage $(B)/glibc/hv-swiotlb $(B)/glibc/hvs-test-peer $(B)/glibc/hvs-test-client
	@sh bench/run.sh $(B)

# Build a dracut initramfs with --add hv-swiotlb and boot it under QEMU.
demo: stage
	@sh tests/boot/demo.sh $(B)

INSTALLED := $(SBINDIR)/hv-swiotlb $(BINDIR)/hv-swiotlb-recv \
	$(MANDIR)/man8/hv-swiotlb.8 $(MANDIR)/man8/hv-swiotlb-recv.8 \
	$(MANDIR)/man7/hv-swiotlb-protocol.7 $(MANDIR)/man7/hv-swiotlb.7 \
	$(DRACUTMODDIR)/module-setup.sh $(DRACUTMODDIR)/hv-swiotlb-pre-mount.sh \
	$(INITRAMFSDIR)/hooks/hv-swiotlb $(INITRAMFSDIR)/scripts/init-premount/hv-swiotlb \
	$(SHAREDIR)/dracut.conf.d/hv-swiotlb.conf \
	$(SHAREDIR)/initramfs-tools/conf.d/hv-swiotlb
INSTALLED_DIRS := $(DRACUTMODDIR) $(SHAREDIR)/dracut.conf.d \
	$(SHAREDIR)/initramfs-tools/conf.d $(SHAREDIR)/initramfs-tools $(SHAREDIR)

# The generator files name the installed binary's path.
SUBST = sed 's|@SBINDIR@|$(SBINDIR)|g' $< >$@.tmp && chmod 0755 $@.tmp && mv $@.tmp $@
$(B)/gen/module-setup.sh: dracut-module/module-setup.sh Makefile
	@mkdir -p $(@D)
	$(SUBST)
$(B)/gen/initramfs-hook: initramfs-tools/hooks/hv-swiotlb Makefile
	@mkdir -p $(@D)
	$(SUBST)

install: $(B)/klibc/hv-swiotlb $(B)/glibc/hv-swiotlb-recv $(B)/gen/module-setup.sh \
		$(B)/gen/initramfs-hook
	install -D -m 0755 $(B)/klibc/hv-swiotlb $(DESTDIR)$(SBINDIR)/hv-swiotlb
	install -D -m 0755 $(B)/glibc/hv-swiotlb-recv $(DESTDIR)$(BINDIR)/hv-swiotlb-recv
	install -D -m 0644 man/hv-swiotlb.8 $(DESTDIR)$(MANDIR)/man8/hv-swiotlb.8
	install -D -m 0644 man/hv-swiotlb-recv.8 $(DESTDIR)$(MANDIR)/man8/hv-swiotlb-recv.8
	install -D -m 0644 man/hv-swiotlb-protocol.7 $(DESTDIR)$(MANDIR)/man7/hv-swiotlb-protocol.7
	install -D -m 0644 man/hv-swiotlb.7 $(DESTDIR)$(MANDIR)/man7/hv-swiotlb.7
	install -D -m 0755 $(B)/gen/module-setup.sh $(DESTDIR)$(DRACUTMODDIR)/module-setup.sh
	install -D -m 0755 dracut-module/hv-swiotlb-pre-mount.sh \
		$(DESTDIR)$(DRACUTMODDIR)/hv-swiotlb-pre-mount.sh
	install -D -m 0755 $(B)/gen/initramfs-hook $(DESTDIR)$(INITRAMFSDIR)/hooks/hv-swiotlb
	install -D -m 0755 initramfs-tools/scripts/init-premount/hv-swiotlb \
		$(DESTDIR)$(INITRAMFSDIR)/scripts/init-premount/hv-swiotlb
	install -D -m 0644 conf/dracut-hv-swiotlb.conf \
		$(DESTDIR)$(SHAREDIR)/dracut.conf.d/hv-swiotlb.conf
	install -D -m 0644 conf/initramfs-tools-hv-swiotlb.conf \
		$(DESTDIR)$(SHAREDIR)/initramfs-tools/conf.d/hv-swiotlb

# Exactly what install wrote: its files, then the directories it made
# for them if they are empty now.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(addprefix $(DESTDIR),$(INSTALLED_DIRS)) 2>/dev/null

clean:
	rm -rf $(B)
