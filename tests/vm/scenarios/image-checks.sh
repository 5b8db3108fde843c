# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# vm_image: sourced by rootfs-init on the root filesystem signed by
# sign-image: EVM refuses a file whose mode changed after signing; Debian's
# evmctl and imactl verify agree with verify-image.
K=/etc/vm/ima.der
t_exec "mode changed in the image after signing (EVM)" /usr/bin/chmodded denied \
	appraise_data:invalid-fail-immutable
t_ok "evmctl ima_verify: /usr/bin/hello" evmctl ima_verify --key $K /usr/bin/hello
t_ok "evmctl verify (EVM portable): /usr/bin/hello" evmctl verify --key $K /usr/bin/hello
t_ok "evmctl verify (EVM portable): /bin/imactl" evmctl verify --key $K /bin/imactl
t_ok "imactl verify --evm: /usr/bin/hello" imactl verify --cert /etc/vm/ima.pem --evm /usr/bin/hello
t_fails "evmctl ima_verify: /usr/bin/tampered fails" 1 sh -c \
	"evmctl ima_verify --key $K /usr/bin/tampered >/dev/null 2>&1 || exit 1"
t_fails "imactl verify: /usr/bin/tampered is bad" 1 imactl verify --cert /etc/vm/ima.pem /usr/bin/tampered
t_fails "evmctl ima_verify: /usr/bin/unsigned fails" 1 sh -c \
	"evmctl ima_verify --key $K /usr/bin/unsigned >/dev/null 2>&1 || exit 1"
t_fails "imactl verify: /usr/bin/unsigned has no signature" 1 imactl verify --cert /etc/vm/ima.pem /usr/bin/unsigned
