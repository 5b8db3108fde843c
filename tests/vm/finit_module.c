// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * finit FILE: loads FILE as a kernel module with finit_module(2), the path
 * on which IMA's MODULE_CHECK hook sees the file's content (and so its
 * appended signature), and prints the outcome: "loaded" or the errno name.
 * EACCES is IMA's (or another LSM's) refusal; after IMA accepted the file, a
 * file that is no module fails in the module loader (ENOEXEC).
 * Built statically on the host by tests/vm/vm_modsig.sh for the guest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	static const struct {
		int err;
		const char *name;
	} names[] = { { EACCES, "EACCES" },   { EPERM, "EPERM" },
		      { ENOEXEC, "ENOEXEC" }, { EKEYREJECTED, "EKEYREJECTED" },
		      { ENOKEY, "ENOKEY" },   { EBADMSG, "EBADMSG" },
		      { EINVAL, "EINVAL" } };
	int fd, err;

	if (argc != 2) {
		fprintf(stderr, "usage: finit FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	if (syscall(SYS_finit_module, fd, "", 0) == 0) {
		printf("loaded\n");
		return 0;
	}
	err = errno;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err) {
			printf("%s\n", names[i].name);
			return 1;
		}
	printf("errno %d\n", err);
	return 1;
}
