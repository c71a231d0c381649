/* The multi-call entry: pick the applet by the name we were called by
 * (argv[0], so links work) or by "shmbox APPLET ARGS". */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libshmbox.h"

#define SHMBOX_VERSION "0.1.0"

enum { APPLET_PLAIN = 0, APPLET_SYSV = 1 };

#define APPLET(name, flags) int name##_main(int argc, char **argv);
#include "applets.h"
#undef APPLET

#include "pack.h"

static const struct applet {
	const char *name;
	int (*main)(int argc, char **argv);
	short usage;	/* its help text in pack.h, or -1 */
	unsigned char flags;
} applets[] = {
#define APPLET(name, flags) \
	{ #name, name##_main, IF_FEATURE_HELP(PACK_##name##_usage) IF_NOT_FEATURE_HELP(-1), flags },
#include "applets.h"
#undef APPLET
};
/* no NULL entry at the end (24 bytes on 64-bit); with every applet
 * configured out the array is empty (GNU C) and the loops never run */
#define APPLETS_END (applets + sizeof(applets) / sizeof(applets[0]))

/* APPLET_SYSV if any built applet is one: a build without them links no
 * System V probe (only-mmapint -424 B: the table lookup alone does not
 * let the compiler see that no entry has the flag) */
enum { ANY_SYSV = 0
#define APPLET(name, flags) | (flags)
#include "applets.h"
#undef APPLET
};

static const struct applet *find_applet(const char *name)
{
	for (const struct applet *a = applets; a < APPLETS_END; a++)
		if (str_eq(a->name, name))
			return a;
	return NULL;
}

static NORETURN void run_applet(const char *name, int argc, char **argv)
{
	const struct applet *a = find_applet(name);

	if (!a)
		die_status(EXIT_NOAPPLET, "applet not found", name, 0);
	applet_name = a->name;
	applet_usage = a->usage;
	if (argv[1] && str_eq(argv[1], "--help")) {
		show_usage(1);
		exit(EXIT_OK);
	}
	if (ANY_SYSV & a->flags & APPLET_SYSV)
		sysv_probe();
	int status = a->main(argc, argv);
	out_flush();
	exit(status);
}

static void list_applets(const char *sep, const char *end)
{
	for (const struct applet *a = applets; a < APPLETS_END; a++) {
		out_str(a->name);
		out_str(a + 1 < APPLETS_END ? sep : end);
	}
}

static void shmbox_help(int fd)
{
	out_str("shmbox " SHMBOX_VERSION ": shared-memory toolbox, multi-call binary\n"
		"Usage: shmbox APPLET [ARGS]...   or   APPLET [ARGS]... (through a link)\n"
		"       shmbox --list | --version | --help [APPLET]"
		IF_FEATURE_INSTALL(" | --install [-s] DIR") "\n"
		"\nApplets: ");
	if (APPLETS_END > applets)
		list_applets(" ", "\n");
	else
		out_str("(none: every applet is configured out)\n");
	if (out_flush_fd(fd) < 0)
		die_errno("write", fd == 1 ? "standard output" : "standard error", errno);
}

/* Our own path, the target of the links --install makes.  An initramfs
 * may not have /proc mounted yet: then an absolute argv[0] must do. */
static const char *self_path(const char *argv0, char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	if (n > 0) {
		buf[n] = 0;
		return buf;
	}
	if (argv0[0] != '/')
		die_msg("--install: cannot find the shmbox binary",
			"mount /proc or run shmbox by its full path");
	return argv0;
}

static int install_links(const char *argv0, int symbolic, const char *dir)
{
	char selfbuf[PATH_MAX], path[PATH_MAX];
	const char *self = self_path(argv0, selfbuf, sizeof(selfbuf));
	struct stat st, self_st;
	int status = EXIT_OK;

	if (stat(self, &self_st) < 0)
		die_errno("--install", self, errno);
	if (stat(dir, &st) < 0)
		die_errno("--install", dir, errno);
	if (!S_ISDIR(st.st_mode))
		die_errno("--install", dir, ENOTDIR);
	for (const struct applet *a = applets; a < APPLETS_END; a++) {
		int err;

		/* str_join would cut DIR/NAME to fit: refuse that first */
		if (strlen(dir) + strlen(a->name) + 2 > sizeof(path))
			die_errno("--install", dir, ENAMETOOLONG);
		str_join(path, sizeof(path), dir, "/", a->name);
		if ((symbolic ? symlink(self, path) : link(self, path)) == 0)
			continue;
		/* there already: fine when it leads to us (our hard link, or
		 * a symlink to us), as this would have made it; stat follows
		 * a symlink, so either kind is fine whether -s or not */
		err = errno;
		if (err == EEXIST && stat(path, &st) == 0 &&
		    st.st_dev == self_st.st_dev && st.st_ino == self_st.st_ino)
			continue;
		warn_errno("--install", path, err);
		status = EXIT_ERR;
	}
	return status;
}

static int shmbox_main(int argc, char **argv)
{
	const char *cmd = argv[1];

	if (cmd && str_eq(cmd, "shmbox"))	/* shmbox shmbox --list, as busybox busybox */
		return shmbox_main(argc - 1, argv + 1);
	if (!cmd || str_eq(cmd, "--help")) {
		if (cmd && argv[2]) {	/* as busybox --help APPLET: APPLET --help */
			argv[1] = argv[2];
			argv[2] = (char *)"--help";
			run_applet(argv[1], argc - 1, argv + 1);
		}
		shmbox_help(1);
		return EXIT_OK;
	}
	if (str_eq(cmd, "--list")) {
		list_applets("\n", "\n");
		return EXIT_OK;
	}
	if (str_eq(cmd, "--version")) {
		out_str("shmbox " SHMBOX_VERSION "\n");
		return EXIT_OK;
	}
	if (ENABLE_FEATURE_INSTALL && str_eq(cmd, "--install")) {
		int symbolic = argc > 2 && str_eq(argv[2], "-s");

		if (argc != 3 + symbolic)
			die_status(EXIT_USAGE, "--install", "usage: shmbox --install [-s] DIR", 0);
		return install_links(argv[0], symbolic, argv[2 + symbolic]);
	}
	if (cmd[0] == '-') {
		warn_msg("unknown option", cmd);
		shmbox_help(2);
		return EXIT_USAGE;
	}
	run_applet(cmd, argc - 1, argv + 1);
}

/* "shmbox", "shmbox-static", ...: called as the multi-call binary itself.
 * By hand: memcmp would be linked for this alone in small configs. */
static int is_shmbox(const char *name)
{
	for (int i = 0; i < 6; i++)
		if (name[i] != "shmbox"[i])	/* a NUL in name stops it too */
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	/* execve() with an empty argv: no applet has that name, so it ends
	 * as "applet not found: (no argv[0])" */
	const char *name = argv[0] ? argv[0] : "(no argv[0])";

	/* the basename, by hand: musl's strrchr is strlen + memrchr */
	for (const char *p = name; *p; p++)
		if (*p == '/')
			name = p + 1;
	if (*name == '-')	/* login shells are started as "-sh" */
		name++;
	if (is_shmbox(name)) {
		int status = shmbox_main(argc, argv);

		out_flush();
		return status;
	}
	run_applet(name, argc, argv);
}
