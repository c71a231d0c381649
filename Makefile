# shmbox: a static multi-call shared-memory toolbox.
#   make                  build ./shmbox (musl, static, stripped) from .config
#   make menuconfig       configure (also nconfig, defconfig, allnoconfig,
#                         allyesconfig, oldconfig, olddefconfig, savedefconfig,
#                         NAME_defconfig for each configs/NAME_defconfig)
#   make O=DIR ...        keep .config, generated files and binary in DIR
#   make SANITIZE=1       glibc gcc build with ASan+UBSan (for the tests)
#   make CROSS=TARGET     cross build into out/TARGET/ (mk/cross.mk)
#   make check            the quick native tests: suite, sanitizers, matrix
#   make test             all of them (CI): also boot tests, cross builds
#   make size | demo | clean | test-initramfs
# mk/: musl.mk finds the compiler, cross.mk the cross targets, flags.mk
# sets the flags, kconfig.mk holds the configuration goals.
include mk/musl.mk mk/cross.mk
O ?= .
override O := $(patsubst %/,%,$(O))
GEN := $(O)/.gen
CONFIG := $(or $(CROSS_CONFIG),$(O)/.config)
include mk/flags.mk
SRC := $(sort $(wildcard lib/*.c lib/*.h applets/*.c))
HOSTCC ?= cc

all: $(O)/shmbox

# strip, then sstrip: the section headers go too (the kernel reads only
# the program headers); shmbox.unstripped keeps everything for nm and gdb
$(O)/shmbox: $(SRC) $(GEN)/stamp $(GEN)/flags $(SSTRIP)
	$(CC) $(CFLAGS) -o $@.unstripped $$(cat $(GEN)/compile) $(LDFLAGS) -Wl,-Map,$@.map
	@if [ "$(STRIP)" = : ]; then cp $@.unstripped $@; \
	else $(STRIP) -s -R .comment -R .note.gnu.property -o $@ $@.unstripped && $(SSTRIP) $@; fi
	@echo "  built $@: $$(wc -c <$@) bytes"; $(if $(musl_note),echo "  $(musl_note)")

# generated from .config and the tags of applets/*.c: autoconf.h,
# applets.h, pack.h (the packed texts), compile (what to build)
$(GEN)/stamp: $(CONFIG) $(SRC) scripts/gen-build $(GEN)/packstr
	sh scripts/gen-build headers $(CONFIG) $(GEN) $(GEN)/packstr
	@touch $@

# the compiler and flags of the last build, rewritten only when they
# change (SANITIZE=1, CC=..., CROSS=...): then the binary is built again
$(GEN)/flags: FORCE
	$(shell mkdir -p $(GEN))$(file >$@.new,$(CC) $(CFLAGS) $(LDFLAGS))
	@cmp -s $@.new $@ || mv $@.new $@; rm -f $@.new

# build tools run on the build machine: the host compiler
$(GEN)/sstrip $(GEN)/packstr: $(GEN)/%: scripts/%.c
	@mkdir -p $(GEN)
	$(HOSTCC) -O2 -Wall -Wextra -Werror -o $@ $<

size: $(O)/shmbox
	@echo "$$(wc -c <$(O)/shmbox) bytes stripped: $(O)/shmbox"
	@size $(O)/shmbox.unstripped 2>/dev/null || true
	@[ ! -f $(O)/shmbox.map ] || sh scripts/size-split $(O)/shmbox.map

check:
	sh scripts/install-deps
	sh test/all quick

test:
ifeq ($(CROSS),)
	sh scripts/install-deps
	sh test/all
else
	sh scripts/install-deps cross $(CROSS_TARGET)
	$(MAKE) all
	SHMBOX=$(O)/shmbox EMU=$(CROSS_EMU) sh test/run
endif

# boot shmbox in an initramfs on real kernels under qemu: test/boot/run
test-initramfs:
	sh scripts/install-deps $(if $(filter cached,$(SHMBOX_NOSYSV_KERNEL)),boot,kernel)
	sh test/boot/run

demo: $(O)/shmbox
	sh scripts/demo $(O)/shmbox

# as the kernel's: the build directory of O= (the tree's own build, all
# of out/ and the generated Kconfig menu without O=)
clean:
	rm -rf $(if $(filter .,$(O)),.gen out shmbox shmbox.unstripped shmbox.map,\
		$(GEN) $(O)/shmbox $(O)/shmbox.unstripped $(O)/shmbox.map)

include mk/kconfig.mk
FORCE:
.PHONY: all size check test test-initramfs demo clean FORCE
