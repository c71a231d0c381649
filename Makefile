# shmbox: a static multi-call shared-memory toolbox.
#   make                  build ./shmbox (musl, static, stripped) from .config
#   make menuconfig       configure (also nconfig, defconfig, allnoconfig,
#                         allyesconfig, oldconfig, olddefconfig, savedefconfig,
#                         NAME_defconfig for each configs/NAME_defconfig)
#   make O=DIR ...        keep .config, generated files and binary in DIR
#   make SANITIZE=1       glibc gcc build with ASan+UBSan (for the tests)
#   make size | test | demo | clean

O ?= .
override O := $(patsubst %/,%,$(O))
CONFIG := $(O)/.config
GEN := $(O)/.gen
KCONF := KCONFIG_CONFIG=$(CONFIG)
CONF ?= kconfig-conf
SRC_KCONFIG := Kconfig .gen/Config.in
LIB_SRC := $(sort $(wildcard lib/*.c))
APPLET_SRC := $(sort $(wildcard applets/*.c))

WARN := -Wall -Wextra -Werror
CFLAGS_COMMON := -std=gnu11 -D_GNU_SOURCE $(WARN) -Ilib -I$(GEN)
ifeq ($(SANITIZE),1)
CC := gcc
CFLAGS := $(CFLAGS_COMMON) -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS := -fsanitize=address,undefined
STRIP := :
else
ifeq ($(origin CC),default)
CC := musl-gcc
endif
STRIP ?= strip
# -z noseparate-code/norelro and no build-id save the page padding that is
# most of a small static binary (13 KB -> 4 KB for a write()-only program)
CFLAGS := $(CFLAGS_COMMON) -Os -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fno-stack-protector -fno-ident -fomit-frame-pointer -flto
LDFLAGS := -static -flto -Wl,--gc-sections -Wl,-z,noseparate-code \
	-Wl,--build-id=none -Wl,-z,norelro -Wl,-z,noexecstack
endif

all: $(O)/shmbox

$(O)/shmbox: $(LIB_SRC) $(APPLET_SRC) lib/libshmbox.h $(GEN)/stamp
	$(CC) $(CFLAGS) -o $@.unstripped $(LIB_SRC) $$(cat $(GEN)/sources) $(LDFLAGS)
	@if [ "$(STRIP)" = : ]; then cp $@.unstripped $@; \
	else $(STRIP) -s -R .comment -R .note.gnu.property -o $@ $@.unstripped; fi
	@echo "  built $@: $$(wc -c <$@) bytes"

$(GEN)/stamp: $(CONFIG) scripts/gen-build
	sh scripts/gen-build headers $(CONFIG) $(GEN)
	@touch $@

.gen/Config.in: $(APPLET_SRC) scripts/gen-build
	sh scripts/gen-build kconfig $@

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

test:
	sh scripts/install-deps
	sh test/all

demo: $(O)/shmbox
	sh scripts/demo $(O)/shmbox

clean:
	rm -rf .gen out shmbox shmbox.unstripped

.PHONY: all config-dir menuconfig nconfig oldconfig olddefconfig allnoconfig \
	allyesconfig defconfig savedefconfig size test demo clean
