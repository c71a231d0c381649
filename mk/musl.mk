# Which musl compiler: the one scripts/install-musl built from Debian's
# source for size (-Oz, no PIE, no stack protector), else Debian's musl.
# $(call musl_cc,TARGET,NAME) is that musl's gcc wrapper NAME, or NAME
# alone (Debian's) when no cache holds the recipe install-musl builds
# now.  The caches as install-musl looks: SHMBOX_CACHE alone when it is
# given, else the user's and root's.  Debian's libc.a is -O2, PIE and
# stack-protected: x86_64 +1.9 KB.
MUSL_RECIPE := $(shell sed -n 's/^RECIPE="\(.*\)"$$/\1/p' scripts/install-musl)
MUSL_CACHES := $(or $(SHMBOX_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/shmbox /var/cache/shmbox)
musl_cc = $(or $(shell for d in $(MUSL_CACHES); do w=$$d/musl-$(1)/bin/$(2); \
	[ -x "$$w" ] && [ "$$(head -n 1 "$$d/musl-$(1)/STAMP" 2>/dev/null)" = '$(MUSL_RECIPE)' ] && \
	{ echo "$$w"; break; }; done),$(2))

# install-musl's wrappers live in .../musl-TARGET/bin/; another musl
# compiler is Debian's (/usr/bin/musl-gcc): the build says so
musl_note = $(if $(findstring musl,$(notdir $(CC))),$(shell case '$(CC)' in (*/musl-*/bin/*) ;; \
	(*) echo "note: linked with Debian's musl ($(CC)); scripts/install-musl builds the smaller one";; esac))
