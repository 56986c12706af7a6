# SPDX-License-Identifier: GPL-2.0
#
# make            grid.ko for every kernel the tests boot, the BPF objects
#                 and the userland
# make check      build everything and run every test (ends "N passed, N failed")
# make demo       boot the VM: three grids, a lease, a job run on a pi (gridctl run)
# make bench      boot the VM and measure what the quotas cost (ratios)
# make style      checkpatch over kmod/
# make KDIR=/lib/modules/$(uname -r)/build module   for a real host

.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules

# The kernel the tests boot first (scripts/kver), and every kernel they
# boot (scripts/kvers: 6.1, and 6.12 when installed). Deferred, so that
# targets which do not need them work before scripts/deps has run.
KVER ?= $(shell scripts/kver)
KVERS ?= $(shell scripts/kvers)
KDIR ?= /usr/src/linux-headers-$(KVER)
ifndef GRID_RELEASE
GRID_RELEASE := $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
endif
B := build

ifeq ($(V),1)
Q :=
else
Q := @
MAKEFLAGS += --no-print-directory
endif

CC := gcc
CLANG ?= clang
BPFTOOL ?= bpftool

NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)
BPF_LIBS := -lbpf -lelf -lz
# Signed records: libsodium (all cryptography), libcbor (CBOR heads).
REC_LIBS := -lsodium -lcbor
# gridd's state: SQLite. gridctl's invitations as QR codes: libqrencode.
GRIDD_LIBS := -lsqlite3
# The jobs' sandbox: libseccomp (the syscall filter, from rules rather
# than hand-written BPF), libcap (the capability sets).
JAIL_LIBS := -lseccomp -lcap
GRIDCTL_LIBS := -lqrencode

# -MD, not -MMD: kmod/uapi is an -isystem directory, and -MMD would leave
# the uapi headers out of the dependencies.
CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wformat=2 -Wshadow \
	  -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
	  -fstack-protector-strong -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE \
	  -isystem kmod/uapi -Iuser/common -Iuser/record -Iuser/noise -Iuser/peer -Iuser/api -Iuser/sandbox -Itests/unit $(NL_CFLAGS) \
	  -DGRID_RELEASE='"$(GRID_RELEASE)"' -MD -MP
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer

COMMON_SRC := $(wildcard user/common/*.c) $(wildcard user/record/*.c) \
	      $(wildcard user/noise/*.c) $(wildcard user/peer/*.c) $(wildcard user/api/*.c) \
	      $(wildcard user/sandbox/*.c)
GRIDCTL_SRC := $(wildcard user/gridctl/*.c)
GRIDD_SRC := $(wildcard user/gridd/*.c)
UNIT_SRC := $(wildcard tests/unit/*_test.c)
VMTEST_SRC := $(filter-out %.bpf.c,$(wildcard tests/vm/*.c))
BPFTEST_SRC := $(filter-out %.bpf.c,$(wildcard tests/bpf/*.c))
TOOL_SRC := $(wildcard tests/tools/*.c)
BENCH_SRC := $(wildcard tests/bench/*.c)
# BPF programs of the product (bpf/) and the tests' own (tests/*/).
BPF_SRC := $(wildcard bpf/*.bpf.c) $(wildcard tests/bpf/*.bpf.c) \
	   $(wildcard tests/vm/*.bpf.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
asan = $(patsubst %.c,$(B)/asan/%.o,$(1))

BINS := $(B)/bin/gridctl $(B)/bin/gridd $(B)/bin/grid-jobinit
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_SRC))
VMTEST_BINS := $(patsubst tests/vm/%.c,$(B)/tests/vm/%,$(VMTEST_SRC))
BPFTEST_BINS := $(patsubst tests/bpf/%.c,$(B)/tests/bpf/%,$(BPFTEST_SRC))
TOOL_BINS := $(patsubst tests/tools/%.c,$(B)/tests/tools/%,$(TOOL_SRC))
BENCH_BINS := $(patsubst tests/bench/%.c,$(B)/tests/bench/%,$(BENCH_SRC))
BPF_OBJS := $(addprefix $(B)/bpf/,$(notdir $(BPF_SRC:.bpf.c=.bpf.o)))
BPF_SKELS := $(addprefix $(B)/bpf/,$(notdir $(BPF_SRC:.bpf.c=.skel.h)))

.PHONY: all deps module modules bpf user tests check demo bench style clean install dkms-install

all: modules bpf user tests

user: $(BINS)
tests: $(UNIT_BINS) $(VMTEST_BINS) $(BPFTEST_BINS) $(TOOL_BINS) $(BENCH_BINS)
bpf: $(BPF_OBJS) $(BPF_SKELS)

# In place (kmod/grid.ko), for one kernel: a real host, DKMS.
module:
	$(Q)test -d "$(KDIR)" || { echo "make: no kernel headers at $(KDIR); run scripts/deps or set KDIR" >&2; exit 1; }
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) GRID_RELEASE=$(GRID_RELEASE) \
		$(if $(Q),,V=1) modules

# For each kernel the tests boot: build/kmod/<release>/grid.ko.
modules:
	+$(Q)set -e; for k in $(KVERS); do \
		$(if $(Q),echo "  KBUILD  build/kmod/$$k/grid.ko";) \
		V=$(V) scripts/kbuild $$k $(GRID_RELEASE) $(if $(Q),>/dev/null); \
	done

# ---- userland --------------------------------------------------------------

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(B)/asan/%.o: %.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC ASAN $<")
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -c -o $@ $<

# The BPF loader in libgrid embeds the skeletons (make bpf).
LOADER_SRC := $(filter user/common/bpf_%.c,$(COMMON_SRC))
$(call obj,$(LOADER_SRC)) $(call asan,$(LOADER_SRC)): CFLAGS += -I$(B)/bpf
$(call obj,$(LOADER_SRC)) $(call asan,$(LOADER_SRC)): $(BPF_SKELS)

$(B)/lib/libgrid.a: $(call obj,$(COMMON_SRC))
	@mkdir -p $(@D)
	$(Q)ar rcs $@ $^

$(B)/lib/libgrid-asan.a: $(call asan,$(COMMON_SRC))
	@mkdir -p $(@D)
	$(Q)ar rcs $@ $^

$(B)/bin/gridctl: $(call obj,$(GRIDCTL_SRC)) $(B)/lib/libgrid.a
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(NL_LIBS) $(BPF_LIBS) $(REC_LIBS) $(GRIDCTL_LIBS) $(JAIL_LIBS)

$(B)/bin/gridd: $(call obj,$(GRIDD_SRC)) $(B)/lib/libgrid.a
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(NL_LIBS) $(BPF_LIBS) $(REC_LIBS) $(GRIDD_LIBS) $(JAIL_LIBS)

# pid 1 of a job's sandbox, static: it runs in whatever root the job has.
JOBINIT_SRC := user/jobinit/jobinit.c user/jobinit/probe.c user/sandbox/filter.c \
	       user/sandbox/privs.c
$(B)/bin/grid-jobinit: $(call obj,$(JOBINIT_SRC))
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) -static -o $@ $^ $(JAIL_LIBS)

# Host unit tests run with ASan and UBSan.
$(B)/tests/unit/%: $(B)/asan/tests/unit/%.o $(B)/lib/libgrid-asan.a
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD ASAN $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(NL_LIBS) $(REC_LIBS) $(JAIL_LIBS)

# Tools the tests run on the host (with sanitizers): samples, exporters.
$(B)/tests/tools/%: $(B)/asan/tests/tools/%.o $(B)/lib/libgrid-asan.a
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD ASAN $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(NL_LIBS) $(REC_LIBS)

# Benchmarks (make bench), on the host and in the guest: optimised, no
# sanitizers, as the product is built.
$(B)/tests/bench/%: $(B)/obj/tests/bench/%.o $(B)/lib/libgrid.a
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(NL_LIBS) $(REC_LIBS)

# Helpers that tests/vm/*.sh run inside the guest (no sanitizers there).
# Some use the BPF skeletons: they see build/bpf and link libbpf.
$(B)/obj/tests/vm/%.o: CFLAGS += -I$(B)/bpf
$(B)/obj/tests/vm/%.o: $(BPF_SKELS)
$(B)/tests/vm/%: $(B)/obj/tests/vm/%.o $(B)/lib/libgrid.a
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(NL_LIBS) $(BPF_LIBS) $(REC_LIBS) $(JAIL_LIBS) -lpthread

# ---- BPF -------------------------------------------------------------------

$(B)/ksrc/.stamp:
	$(Q)scripts/ksrc $(B)/ksrc

# vmlinux.h comes from the BTF of the very kernel the tests boot.
$(B)/bpf/vmlinux: $(B)/ksrc/.stamp
	@mkdir -p $(@D)
	$(if $(Q),@echo "  EXTRACT /boot/vmlinuz-$(KVER)")
	$(Q)sh $(B)/ksrc/scripts/extract-vmlinux /boot/vmlinuz-$(KVER) > $@

$(B)/bpf/vmlinux.h: $(B)/bpf/vmlinux
	$(if $(Q),@echo "  BTF     $@")
	$(Q)$(BPFTOOL) btf dump file $< format c > $@

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror \
	      -I$(B)/bpf -Ibpf -Ikmod/uapi -I/usr/include/x86_64-linux-gnu
BPF_DEPS := bpf/grid_net.h kmod/uapi/linux/grid_bpf.h $(B)/bpf/vmlinux.h

$(B)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_DEPS)
	$(if $(Q),@echo "  CLANG   $<")
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/bpf/%.bpf.o: tests/bpf/%.bpf.c $(BPF_DEPS)
	$(if $(Q),@echo "  CLANG   $<")
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/bpf/%.bpf.o: tests/vm/%.bpf.c $(BPF_DEPS)
	$(if $(Q),@echo "  CLANG   $<")
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/bpf/%.skel.h: $(B)/bpf/%.bpf.o
	$(if $(Q),@echo "  SKEL    $@")
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(B)/asan/tests/bpf/%.o: tests/bpf/%.c $(BPF_SKELS)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC ASAN $<")
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -I$(B)/bpf -Ibpf -c -o $@ $<

$(B)/tests/bpf/%: $(B)/asan/tests/bpf/%.o $(B)/lib/libgrid-asan.a
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD ASAN $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(BPF_LIBS) $(NL_LIBS) $(REC_LIBS)

# ---- fuzzing ---------------------------------------------------------------

# make fuzz: every tests/fuzz/<name>_fuzz.c, a libFuzzer target, as
# build/fuzz/<name>; tests/run runs each over tests/fuzz/corpus/<name>/.
# clang's coverage instrumentation has to be in the code under test, so the
# sources the fuzzers reach are compiled again here, not taken from the gcc
# libgrid; they go into an archive, so each fuzzer links only what it calls
# (a fuzzer reaching further adds its sources to FUZZ_LIB_SRC).
FUZZ_SRC := $(wildcard tests/fuzz/*_fuzz.c)
FUZZ_LIB_SRC := $(wildcard user/record/*.c) $(wildcard user/api/*.c) \
		$(wildcard user/noise/*.c) $(wildcard user/peer/*.c) user/common/units.c
FUZZ_BINS := $(patsubst tests/fuzz/%_fuzz.c,$(B)/fuzz/%,$(FUZZ_SRC))
# The project's warnings but those clang reads differently (designated
# initialisers), and no -Werror: gcc's build is the one that enforces them.
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	       -fno-sanitize-recover=all -fno-omit-frame-pointer \
	       -Wall -Wextra -Wno-unused-parameter \
	       -Wno-missing-field-initializers -D_GNU_SOURCE \
	       -isystem kmod/uapi -Iuser/common -Iuser/record -Iuser/noise -Iuser/peer -Iuser/api -MD -MP

# The Go peer on Debian's flynn/noise (host/gridd_gopeer, vm/peers), when
# go is installed; the tests that need it say so when it is not.
ifneq ($(shell command -v go 2>/dev/null),)
tests: $(B)/tests/gopeer
endif
$(B)/tests/gopeer: tests/gopeer/main.go tests/gopeer/build.sh
	$(if $(Q),@echo "  GO      $@")
	$(Q)tests/gopeer/build.sh $@

.PHONY: fuzz
fuzz: $(FUZZ_BINS)
tests: fuzz

$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC FUZZ $<")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -c -o $@ $<

$(B)/fuzz/obj/libgrid-fuzz.a: $(patsubst %.c,$(B)/fuzz/obj/%.o,$(FUZZ_LIB_SRC))
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_BINS): $(B)/fuzz/%: $(B)/fuzz/obj/tests/fuzz/%_fuzz.o $(B)/fuzz/obj/libgrid-fuzz.a
	$(if $(Q),@echo "  LD FUZZ $@")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $^ $(REC_LIBS)

# ---- everything else ---------------------------------------------------------

# check and demo set up what they need first, then build in a fresh make
# (pkg-config answers only once the packages are there).
deps:
	$(Q)scripts/deps

check: deps
	$(Q)$(MAKE) all
	$(Q)tests/run

demo: deps
	$(Q)$(MAKE) all
	$(Q)scripts/demo

# The guest's clock from the TSC, as on real hardware: under TCG the default
# HPET makes every clock read an emulated device access (microseconds), and
# the paced path reads the clock once a packet.
BENCH_APPEND ?= clocksource=tsc tsc=reliable
# First what a packet costs the programs on the host, beside a program that
# only returns 1 in the same run: BPF_PROG_TEST_RUN, then real packets on lo
# (the kernel's bpf_stats); then throughput in the guest. Then records
# signed and verified beside raw libsodium on the host, peer handshakes
# and messages beside the primitives they are made of, and gridd in the
# guest with its state on an ext4 image (fsync reaches a real file).
bench: deps
	$(Q)$(MAKE) all tests
	$(Q)$(B)/tests/bpf/net_quota_test the_cost_per_packet | grep -v '^PASS'
	$(Q)$(B)/tests/bpf/net_attach_test the_cost_per_real_packet | grep -v '^PASS'
	$(Q)scripts/vm --timeout 900 --append "$(BENCH_APPEND)" tests/bench/net.sh
	$(Q)scripts/vm --timeout 600 --append "$(BENCH_APPEND)" tests/bench/jail.sh
	$(Q)scripts/vm --timeout 600 --append "$(BENCH_APPEND)" tests/bench/run.sh
	$(Q)$(B)/tests/bench/records_bench 10
	$(Q)$(B)/tests/bench/peer_bench 20
	$(Q)mkdir -p $(B)/bench && rm -f $(B)/bench/state.img && \
		truncate -s 1G $(B)/bench/state.img && \
		mkfs.ext4 -q -F $(B)/bench/state.img
	$(Q)scripts/vm --disk $(B)/bench/state.img --timeout 800 \
		--append "$(BENCH_APPEND)" tests/bench/gridd.sh

style: $(B)/ksrc/.stamp
	$(Q)scripts/checkpatch

install: user
	install -D -m 0755 $(B)/bin/gridctl $(DESTDIR)/usr/sbin/gridctl
	install -D -m 0755 $(B)/bin/gridd $(DESTDIR)/usr/sbin/gridd
	install -D -m 0644 kmod/uapi/linux/grid.h $(DESTDIR)/usr/include/linux/grid.h
	install -D -m 0644 user/man/gridctl.8 $(DESTDIR)/usr/share/man/man8/gridctl.8
	install -D -m 0644 user/man/gridd.8 $(DESTDIR)/usr/share/man/man8/gridd.8
	install -D -m 0644 user/completion/gridctl $(DESTDIR)/usr/share/bash-completion/completions/gridctl
	install -D -m 0644 user/conf/gridd.service $(DESTDIR)/lib/systemd/system/gridd.service
	test -e $(DESTDIR)/etc/grid/gridd.conf || \
		install -D -m 0644 user/conf/gridd.conf $(DESTDIR)/etc/grid/gridd.conf

dkms-install:
	$(Q)scripts/dkms-install

clean:
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
