# Cross builds: make CROSS=TARGET [O=DIR] [all | size | test], TARGET one
# of (aliases in brackets) aarch64 (arm64), armhf (arm), i386 (x86 i686),
# mipsel (mipsle), riscv64 (riscv).  The compiler is the target's musl gcc
# wrapper of the musl that scripts/install-musl builds (mk/musl.mk), else
# Debian's musl-dev:ARCH (riscv64 has none); `sh scripts/install-deps
# cross` installs them.  Sets CC, STRIP, CROSS_CFLAGS, CROSS_EMU (the
# qemu-user of `make test CROSS=`) and, without O=, O := out/TARGET built
# from the native ./.config (the one `make menuconfig` edits), so every
# target gets the same applets; with O=DIR it is DIR/.config.
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
CROSS_EMU := qemu-$(word 3,$(CROSS_SPEC))-static
# MIPS code is PIC (abicalls) by default, which a static binary does not
# need: plain code is 1.7 KB smaller (install-musl builds musl so too;
# with Debian's PIC libc.a ld goes through la25 stubs and warns about
# linking abicalls files with non-abicalls files).
CROSS_CFLAGS_mipsel := -mno-abicalls -fno-pic
CROSS_CFLAGS := $(CROSS_CFLAGS_$(CROSS_TARGET))
ifeq ($(origin CC),default)
CC := $(call musl_cc,$(CROSS_TARGET),$(word 1,$(CROSS_SPEC)))
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
