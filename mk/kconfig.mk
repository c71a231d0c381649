# The configuration: kconfig's goals (menuconfig, defconfig, ...) and
# .config itself.  The applets' Kconfig menu is generated from their
# //config: tags into the build directory, which Kconfig sources through
# SHMBOX_GEN.  KCONFIG_OVERWRITECONFIG: kconfig writes .config in place,
# not through a temporary in the current directory (the tree, maybe
# read-only or on another file system than O=DIR).
KCONF := KCONFIG_CONFIG=$(CONFIG) SHMBOX_GEN=$(GEN) KCONFIG_OVERWRITECONFIG=1
CONF ?= kconfig-conf
SRC_KCONFIG := Kconfig $(GEN)/Config.in

# "make O=DIR tiny_defconfig all": the configuration first, then the
# build, also under -j (the kernel runs such mixed goals one by one)
ifneq ($(filter %config,$(MAKECMDGOALS)),)
ifneq ($(filter-out %config,$(MAKECMDGOALS)),)
.NOTPARALLEL:
endif
endif

# Through a stamp: gen-build leaves Config.in alone when it would not
# change, so .config is not redone (olddefconfig) for every applet edit
$(GEN)/Config.in: $(GEN)/Config.in.stamp
	@[ -f $@ ] || sh scripts/gen-build kconfig $@
$(GEN)/Config.in.stamp: $(wildcard applets/*.c) scripts/gen-build
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

.PHONY: config-dir menuconfig nconfig oldconfig olddefconfig allnoconfig \
	allyesconfig defconfig savedefconfig
