/* System V IPC: the kernel check, and checked calls that name a missing
 * CONFIG_SYSVIPC instead of printing a bare "Function not implemented". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include "libshmbox.h"

static NORETURN void die_sysv_missing(const char *why, int status, int err)
{
	/* "Function not implemented (errno 38)": the number is what users
	 * search for ("error 38") */
	const char *text = strerror(err);
	char msg[128];
	size_t n = strlen(text);

	if (n > sizeof(msg) - 32)
		n = sizeof(msg) - 32;
	memcpy(msg, text, n);
	memcpy(msg + n, " (errno ", 8);
	n += 8;
	n += fmt_i64(msg + n, err);
	memcpy(msg + n, ")", 2);
	die_status(status, why, msg, 0);
}

void sysv_fail(const char *what, const char *obj, int err)
{
	if (err == ENOSYS)
		die_sysv_missing("this kernel has no System V IPC (CONFIG_SYSVIPC is not set)",
				 EXIT_NOSYSV, err);
	die_errno(what, obj, err);
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
		sysv_fail("shmget", obj, errno);
	return id;
}

void *xshmat(const char *obj, int id, int flags)
{
	void *p = shmat(id, NULL, flags);

	if (p == (void *)-1)
		sysv_fail("shmat", obj, errno);
	return p;
}

void xshmdt(const void *addr)
{
	if (shmdt(addr) < 0)
		sysv_fail("shmdt", NULL, errno);
}

int xshmctl(const char *obj, int id, int cmd, void *buf)
{
	int r = shmctl(id, cmd, buf);

	if (r < 0)
		sysv_fail("shmctl", obj, errno);
	return r;
}
