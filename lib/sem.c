/* System V semaphores: checked calls for the spool. */
#include <errno.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include "spool.h"

int xsemget(const char *obj, key_t key, int nsems, int flags)
{
	int id = semget(key, nsems, flags);

	if (id < 0)
		sysv_fail(obj, "semget", errno);
	return id;
}

/* the set is gone (IPC_RMID; EINVAL: removed and its id not yet reused) */
static void die_removed(const char *obj, int err)
{
	if (err == EIDRM || err == EINVAL)
		die_msg(obj, "the spool was removed");
}

int sem_change(const char *obj, int semid, int num, int op, int flags, int timeout_ms)
{
	struct sembuf sb = { (unsigned short)num, (short)op, (short)flags };
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
	/* no timeout: semtimedop is semop (the kernel's semop is this call
	 * with NULL), and the binary needs one wrapper, not two */
	int r = semtimedop(semid, &sb, 1, timeout_ms >= 0 ? &ts : NULL);

	if (r == 0)
		return 0;
	if (errno == EAGAIN || errno == EINTR)
		return errno;
	die_removed(obj, errno);
	sysv_fail(obj, "semop", errno);
}

int xsemctl(const char *obj, int semid, int num, int cmd, int val)
{
	int r = semctl(semid, num, cmd, val);

	if (r < 0) {
		die_removed(obj, errno);
		sysv_fail(obj, "semctl", errno);
	}
	return r;
}
