/* System V IPC: the kernel check, and checked calls that name a missing
 * CONFIG_SYSVIPC instead of printing a bare "Function not implemented". */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include "libshmbox.h"

static NORETURN void die_sysv_missing(const char *why, int status, int err)
{
	/* "Function not implemented (errno 38)": the number is what users
	 * search for ("error 38") */
	char etext[ERR_TEXT_MAX], msg[128];

	str_join_num(msg, sizeof(msg), err_text(err, etext), " (errno ", err, ")");
	die_status(status, why, msg, 0);
}

void sysv_fail(const char *obj, const char *call, int err)
{
	if (err == ENOSYS)
		die_sysv_missing("this kernel has no System V IPC (CONFIG_SYSVIPC is not set)",
				 EXIT_NOSYSV, err);
	die_errno(obj, call, err);
}

/* IPC_INFO needs no object and no permission: if it fails, System V IPC
 * as a whole is missing (ENOSYS) or filtered by a sandbox (EPERM/EACCES). */
void sysv_probe(void)
{
	struct shminfo info;

	if (shmctl(0, IPC_INFO, (struct shmid_ds *)(void *)&info) >= 0)
		return;
	if (errno == EPERM || errno == EACCES)
		die_sysv_missing("System V IPC is blocked here (seccomp filter or security policy)",
				 EXIT_SYSVDENIED, errno);
	sysv_fail("shmctl", "IPC_INFO", errno);
}

int xshmget(const char *obj, int key, size_t size, int flags)
{
	int id = shmget(key, size, flags);

	if (id < 0)
		sysv_fail(obj, "shmget", errno);
	return id;
}

void *xshmat(const char *obj, int id, int flags)
{
	void *p = shmat(id, NULL, flags);

	if (p == (void *)-1)
		sysv_fail(obj, "shmat", errno);
	return p;
}

void xshmdt(const void *addr)
{
	if (shmdt(addr) < 0)
		sysv_fail(NULL, "shmdt", errno);
}

int xshmctl(const char *obj, int id, int cmd, void *buf)
{
	int r = shmctl(id, cmd, buf);

	if (r < 0)
		sysv_fail(obj, "shmctl", errno);
	return r;
}

/* The key of a System V object from the usual options: -k KEY (0x hex or
 * decimal, 32 bits), or -f PATH [-j PROJ] through ftok(3) (PROJ a number
 * 1-255 or one character, default 1).  Neither: dflt. */
key_t ipc_key(const char *key_arg, const char *path, const char *proj, key_t dflt)
{
	int id = 1;	/* ftok's proj_id */
	key_t k;

	if (key_arg && path)
		usage_die("use -k KEY or -f PATH, not both", NULL);
	if (proj && !path)
		usage_die("-j PROJ goes with -f PATH", NULL);
	if (key_arg)
		return (key_t)(uint32_t)xparse_u64("-k", key_arg, 0, UINT32_MAX);
	if (!path)
		return dflt;
	if (proj) {
		if (proj[0] && !proj[1] && (proj[0] < '0' || proj[0] > '9'))
			id = (unsigned char)proj[0];
		else
			id = (int)xparse_u64("-j", proj, 0, 255);
		if (id == 0)
			bad_arg_die("-j", proj, "must not be 0");
	}
	k = ftok(path, id);
	if (k == -1)
		die_errno(path, "ftok", errno);
	return k;
}

/* "0x0000abcd", as ipcs prints keys; buf holds at least 11 bytes */
char *fmt_key(char *buf, key_t key)
{
	uint32_t k = (uint32_t)key;

	buf[0] = '0';
	buf[1] = 'x';
	for (int i = 9; i >= 2; i--, k >>= 4)	/* always 8 digits */
		buf[i] = "0123456789abcdef"[k & 15];
	buf[10] = 0;
	return buf;
}
