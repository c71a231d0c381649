# Compiler and flags: CC, CFLAGS, LDFLAGS, STRIP, SSTRIP.  The size flags
# of the musl build, or SANITIZE=1: a glibc gcc build with ASan+UBSan for
# the tests.  Each size flag names what it saves (x86_64, stripped).
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
