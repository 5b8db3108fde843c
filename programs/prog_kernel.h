/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by kconfig check and cert check: what a given kernel can verify. */
#ifndef IMACTL_PROG_KERNEL_H
#define IMACTL_PROG_KERNEL_H

#include "prog.h"

/*
 * Can Linux @kernel (0: from the .config's header, or unknown) with the
 * .config @kc (NULL: unknown) verify IMA signatures made with the key of
 * certificate @cert_path (@sigv3: sigv3 signatures)?  Prints one diagnostic
 * line per finding, naming @cert_path, and adds the errors to *@errors.
 * Return: 0, or an exit code (EXIT_OPERATIONAL: the certificate cannot be read).
 */
int prog_kernel_cert_check(struct imactl_ctx *ctx, const char *cert_path,
			   const struct imactl_kconfig *kc, unsigned int kernel, bool sigv3,
			   size_t *errors);

#endif
