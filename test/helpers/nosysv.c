/* nosysv [-e errno] CMD [ARG...]: run CMD as if the kernel had no System V
 * IPC.  A seccomp filter makes every SysV IPC system call fail with ENOSYS
 * (or the given errno, e.g. 1 for a sandbox's EPERM); everything else is
 * untouched.  A stand-in for a CONFIG_SYSVIPC=n kernel in tests. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define HOST_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define HOST_ARCH AUDIT_ARCH_AARCH64
#else
#error "nosysv: add this host's AUDIT_ARCH"
#endif

static const int sysv_calls[] = {
#ifdef __NR_ipc
	__NR_ipc,
#endif
	__NR_shmget, __NR_shmat, __NR_shmdt, __NR_shmctl,
	__NR_semget, __NR_semop, __NR_semtimedop, __NR_semctl,
	__NR_msgget, __NR_msgsnd, __NR_msgrcv, __NR_msgctl,
};
#define NCALLS (sizeof(sysv_calls) / sizeof(sysv_calls[0]))

int main(int argc, char **argv)
{
	struct sock_filter f[4 + NCALLS + 2];
	struct sock_fprog prog = { 0, f };
	unsigned err = ENOSYS, n = 0;
	int argi = 1;

	if (argc > 2 && !strcmp(argv[1], "-e")) {
		err = (unsigned)atoi(argv[2]);
		argi = 3;
	}
	if (argi >= argc) {
		fprintf(stderr, "usage: nosysv [-e ERRNO] CMD [ARG...]\n");
		return 2;
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, HOST_ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	for (unsigned i = 0; i < NCALLS; i++)	/* match: jump to the ERRNO return */
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (unsigned)sysv_calls[i],
						      (unsigned char)(NCALLS - i), 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					      SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA));
	prog.len = (unsigned short)n;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("nosysv: seccomp");
		return 125;
	}
	execvp(argv[argi], argv + argi);
	perror(argv[argi]);
	return 127;
}
