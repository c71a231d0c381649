# shmbox: a static multi-call shared-memory toolbox.
#   make                  build ./shmbox (musl, static, stripped) from .config
#   make menuconfig       configure (also nconfig, defconfig, allnoconfig,
#                         allyesconfig, oldconfig, olddefconfig, savedefconfig,
#                         NAME_defconfig for each configs/NAME_defconfig)
#   make O=DIR ...        keep .config, generated files and binary in DIR
#   make SANITIZE=1       glibc gcc build with ASan+UBSan (for the tests)
#   make size | test | demo | clean
#   make test-initramfs   boot it in an initramfs on real kernels (qemu, TCG)
#   make CROSS=TARGET     cross build into out/TARGET/ (see "Cross builds")

# --- Cross builds ------------------------------------------------------------
# make CROSS=TARGET [O=DIR] [all | size | test], TARGET one of (aliases in
# brackets) aarch64 (arm64), armhf (arm), i386 (x86 i686), mipsel (mipsle),
# riscv64 (riscv).  The compiler is the target's musl gcc wrapper of the
# musl that scripts/install-musl builds into SHMBOX_CACHE (else Debian's
# musl-dev:ARCH; riscv64 has none).  `sh scripts/install-deps cross`
# installs them.
# The .config: without O= the binary lands in out/TARGET/ and is built from
# the native ./.config (the one `make menuconfig` edits), so every target
# gets the same applets; with O=DIR it is DIR/.config, as for native builds.
# `make test CROSS=TARGET` runs test/run on it under qemu-ARCH-static.
# The musl that scripts/install-musl built from Debian's source for size
# (-Oz, no PIE, no stack protector): $(call musl_cc,TARGET,NAME) is its
# gcc wrapper NAME, or NAME alone (Debian's musl) when there is none of
# the recipe install-musl builds now.  The caches in install-musl's order:
# SHMBOX_CACHE, the user's, root's.  Debian's libc.a is -O2, PIE and
# stack-protected: x86_64 +1.9 KB.
MUSL_RECIPE := $(shell sed -n 's/^RECIPE="\(.*\)"$$/\1/p' scripts/install-musl)
MUSL_CACHES := $(SHMBOX_CACHE) $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/shmbox /var/cache/shmbox
musl_cc = $(or $(shell for d in $(MUSL_CACHES); do w=$$d/musl-$(1)/bin/$(2); \
	[ -x "$$w" ] && [ "$$(head -n 1 "$$d/musl-$(1)/STAMP" 2>/dev/null)" = '$(MUSL_RECIPE)' ] && \
	{ echo "$$w"; break; }; done),$(2))

ifneq ($(CROSS),)
CROSS_ALIASES := arm64=aarch64 arm=armhf x86=i386 i686=i386 mipsle=mipsel riscv=riscv64
CROSS_TARGET := $(or $(patsubst $(CROSS)=%,%,$(filter $(CROSS)=%,$(CROSS_ALIASES))),$(CROSS))
#                musl gcc wrapper           binutils prefix       qemu-ARCH-static
CROSS_aarch64 := aarch64-linux-musl-gcc     aarch64-linux-gnu-    aarch64
CROSS_armhf   := arm-linux-musleabihf-gcc   arm-linux-gnueabihf-  arm
CROSS_i386    := i386-linux-musl-gcc        i686-linux-gnu-       i386
CROSS_mipsel  := mipsel-linux-musl-gcc      mipsel-linux-gnu-     mipsel
CROSS_riscv64 := riscv64-linux-musl-gcc     riscv64-linux-gnu-    riscv64
CROSS_SPEC := $(CROSS_$(CROSS_TARGET))
ifeq ($(CROSS_SPEC),)
$(error CROSS=$(CROSS): unknown target; one of aarch64 armhf i386 mipsel riscv64)
endif
ifeq ($(SANITIZE),1)
$(error SANITIZE=1 is a native glibc build; it does not go with CROSS=)
endif
CROSS_CC := $(call musl_cc,$(CROSS_TARGET),$(word 1,$(CROSS_SPEC)))
CROSS_EMU := qemu-$(word 3,$(CROSS_SPEC))-static
# MIPS code is PIC (abicalls) by default, which a static binary does not
# need: plain code is 1.7 KB smaller (install-musl builds musl so too;
# with Debian's PIC libc.a ld goes through la25 stubs and warns about
# linking abicalls files with non-abicalls files).
CROSS_CFLAGS_mipsel := -mno-abicalls -fno-pic
CROSS_CFLAGS := $(CROSS_CFLAGS_$(CROSS_TARGET))
ifeq ($(origin CC),default)
CC := $(CROSS_CC)
endif
STRIP := $(word 2,$(CROSS_SPEC))strip
ifeq ($(origin O),undefined)
O := out/$(CROSS_TARGET)
CROSS_CONFIG := .config
endif
ifeq ($(filter test %config clean,$(MAKECMDGOALS)),)
ifeq ($(shell command -v $(CC) 2>/dev/null),)
$(error CROSS=$(CROSS): no $(CC) here; install it with: sh scripts/install-deps cross)
endif
endif
endif
# --- end of cross builds -----------------------------------------------------

O ?= .
override O := $(patsubst %/,%,$(O))
CONFIG := $(or $(CROSS_CONFIG),$(O)/.config)
GEN := $(O)/.gen
# KCONFIG_OVERWRITECONFIG: kconfig writes .config in place, not through a
# temporary in the current directory (the tree, maybe read-only or on
# another file system than O=DIR)
KCONF := KCONFIG_CONFIG=$(CONFIG) SHMBOX_GEN=$(GEN) KCONFIG_OVERWRITECONFIG=1
CONF ?= kconfig-conf
SRC_KCONFIG := Kconfig $(GEN)/Config.in
LIB_SRC := $(sort $(wildcard lib/*.c))
APPLET_SRC := $(sort $(wildcard applets/*.c))

HOSTCC ?= cc
WARN := -Wall -Wextra -Werror
CFLAGS_COMMON := -std=gnu11 -D_GNU_SOURCE $(WARN) -Ilib -I$(GEN)
ifeq ($(SANITIZE),1)
CC := gcc
CFLAGS := $(CFLAGS_COMMON) -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS := -fsanitize=address,undefined
STRIP := :
SSTRIP :=
else
ifeq ($(origin CC),default)
CC := $(call musl_cc,native,musl-gcc)
endif
STRIP ?= strip
SSTRIP := $(GEN)/sstrip
# -z noseparate-code/norelro and no build-id save the page padding that is
# most of a small static binary (13 KB -> 4 KB for a write()-only program)
# -Oz (gcc 12): 0.4 KB smaller than -Os here; LTO needs it at link time too
# -fno-pie: Debian's gcc makes position-independent code by default, which
# a static binary at a fixed address does not need (x86_64: -528 B)
# -malign-data=abi (x86): arrays at their ABI alignment, not at 32 bytes
# for vector loads they never get here (x86_64 -128 B of padding)
ifneq ($(filter x86_64-% i%86-%,$(shell $(CC) -dumpmachine 2>/dev/null)),)
ARCH_CFLAGS := -malign-data=abi
endif
CFLAGS := $(CFLAGS_COMMON) -Oz -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-pie \
	-fno-stack-protector -fno-ident -fomit-frame-pointer -flto \
	$(ARCH_CFLAGS) $(CROSS_CFLAGS)
# common-page-size=64: ld otherwise sometimes starts the data segment on a
# fresh page of the file to save a page of memory, which pads up to 4 KB
# start files: musl's crt1.o alone.  gcc's crtbegin/crtend (transactional-
# memory clone tables, frame_dummy, __do_global_dtors_aux) do nothing for a
# static C program, and musl's _init/_fini are weak no-ops without
# crti/crtn (x86_64 -184 B, mipsel -376 B).  -l: finds crt1.o in musl's
# library directory, which the musl-gcc wrapper's specs put first.  Only
# with a musl compiler: glibc's static start-up needs crti's _init.
ifneq ($(findstring musl,$(notdir $(CC))),)
STARTFILES := -nostartfiles -Wl,-l:crt1.o
endif
LDFLAGS := -static -flto -Oz -Wl,--gc-sections -Wl,-z,noseparate-code \
	-Wl,-z,common-page-size=64 $(STARTFILES) \
	-Wl,--build-id=none -Wl,-z,norelro -Wl,-z,noexecstack
endif

all: $(O)/shmbox

# "make O=DIR tiny_defconfig all": the configuration first, then the
# build, also under -j (the kernel runs such mixed goals one by one)
ifneq ($(filter %config,$(MAKECMDGOALS)),)
ifneq ($(filter-out %config,$(MAKECMDGOALS)),)
.NOTPARALLEL:
endif
endif

# The compiler and flags of the last build, rewritten only when they
# change (SANITIZE=1, CC=..., CROSS=...): then the binary is built again
BUILD_LINE := $(CC) $(CFLAGS) $(LDFLAGS)
$(GEN)/flags: FORCE
	$(shell mkdir -p $(GEN))$(file >$@.new,$(BUILD_LINE))
	@cmp -s $@.new $@ || mv $@.new $@; rm -f $@.new
FORCE:

# strip, then sstrip: the section headers go too (the kernel reads only
# the program headers); shmbox.unstripped keeps everything for nm and gdb
$(O)/shmbox: $(LIB_SRC) $(APPLET_SRC) $(wildcard lib/*.h) $(GEN)/stamp $(GEN)/flags $(SSTRIP)
	$(CC) $(CFLAGS) -o $@.unstripped $$(cat $(GEN)/compile) $(LDFLAGS) \
		-Wl,-Map,$@.map
	@if [ "$(STRIP)" = : ]; then cp $@.unstripped $@; \
	else $(STRIP) -s -R .comment -R .note.gnu.property -o $@ $@.unstripped && \
		$(SSTRIP) $@; fi
	@echo "  built $@: $$(wc -c <$@) bytes"
ifneq ($(STARTFILES),)
# install-musl's wrappers live in .../musl-TARGET/bin/ (Debian's musl-gcc
# is /usr/bin/musl-gcc)
ifeq ($(shell case '$(CC)' in (*/musl-*/bin/*) echo cached;; esac),)
	@echo "  note: linked with Debian's musl ($(CC)); scripts/install-musl builds the smaller one"
endif
endif

# build tools run on the build machine: the host compiler
$(GEN)/sstrip $(GEN)/packstr: $(GEN)/%: scripts/%.c
	@mkdir -p $(GEN)
	$(HOSTCC) -O2 -Wall -Wextra -Werror -o $@ $<

$(GEN)/stamp: $(CONFIG) $(LIB_SRC) $(APPLET_SRC) scripts/gen-build lib/errtext.h $(GEN)/packstr
	sh scripts/gen-build headers $(CONFIG) $(GEN) $(GEN)/packstr
	@touch $@

# the applets' Kconfig menu, in the build directory (Kconfig sources it
# through SHMBOX_GEN).  Through a stamp: gen-build leaves Config.in alone
# when it would not change, so .config is not redone (olddefconfig) for
# every applet edit
$(GEN)/Config.in: $(GEN)/Config.in.stamp
	@[ -f $@ ] || sh scripts/gen-build kconfig $@
$(GEN)/Config.in.stamp: $(APPLET_SRC) scripts/gen-build
	sh scripts/gen-build kconfig $(GEN)/Config.in
	@touch $@

# No .config yet: start from configs/defconfig.  An older one meets new
# symbols with their defaults (olddefconfig), never an interactive prompt.
$(CONFIG): $(SRC_KCONFIG)
	@mkdir -p $(O)
	@if [ -f $@ ]; then echo "  $@ is older than Kconfig: olddefconfig"; \
		$(KCONF) $(CONF) -s --olddefconfig Kconfig; \
	else echo "  no $@: using configs/defconfig"; \
		$(KCONF) $(CONF) -s --defconfig=configs/defconfig Kconfig; fi
	@touch $@

config-dir:
	@mkdir -p $(O)

menuconfig: $(SRC_KCONFIG) config-dir
	$(KCONF) kconfig-mconf Kconfig
nconfig: $(SRC_KCONFIG) config-dir
	$(KCONF) kconfig-nconf Kconfig
oldconfig olddefconfig allnoconfig allyesconfig: $(SRC_KCONFIG) config-dir
	$(KCONF) $(CONF) --$@ Kconfig
defconfig: $(SRC_KCONFIG) config-dir
	$(KCONF) $(CONF) --defconfig=configs/defconfig Kconfig
%_defconfig: configs/%_defconfig $(SRC_KCONFIG) config-dir
	$(KCONF) $(CONF) --defconfig=$< Kconfig
savedefconfig: $(SRC_KCONFIG) $(CONFIG)
	$(KCONF) $(CONF) --savedefconfig=$(O)/defconfig Kconfig
	@echo "  wrote $(O)/defconfig"

size: $(O)/shmbox
	@echo "$$(wc -c <$(O)/shmbox) bytes stripped: $(O)/shmbox"
	@size $(O)/shmbox.unstripped 2>/dev/null || true
	@[ ! -f $(O)/shmbox.map ] || sh scripts/size-split $(O)/shmbox.map

test:
ifeq ($(CROSS),)
	sh scripts/install-deps
	sh test/all
else
	sh scripts/install-deps cross
	$(MAKE) all
	SHMBOX=$(O)/shmbox EMU=$(CROSS_EMU) sh test/run
endif

# boot shmbox in an initramfs on real kernels under qemu: test/boot/run
test-initramfs:
	sh scripts/install-deps boot
	sh test/boot/run

demo: $(O)/shmbox
	sh scripts/demo $(O)/shmbox

# as the kernel's: the build directory of O= (the tree's own build, all
# of out/ and the generated Kconfig menu without O=)
clean:
ifeq ($(O),.)
	rm -rf .gen out shmbox shmbox.unstripped shmbox.map
else
	rm -rf $(GEN) $(O)/shmbox $(O)/shmbox.unstripped $(O)/shmbox.map
endif

.PHONY: all config-dir menuconfig nconfig oldconfig olddefconfig allnoconfig \
	allyesconfig defconfig savedefconfig size test test-initramfs demo clean FORCE
