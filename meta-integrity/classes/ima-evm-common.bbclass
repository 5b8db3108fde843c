# SPDX-License-Identifier: MIT
# Key settings shared by ima-evm-rootfs (image signing), ima-evm-keys (the
# certificates on the target), the kernel append (the CA compiled into the
# kernel) and the initramfs module. Override them in local.conf.

# Without configuration, throwaway debug keys are used: the native recipe
# ima-evm-debug-keys-native makes them once with "imactl keygen debug" (a CA
# and a signer certified by it) and stages them in the native sysroot, so they
# come from sstate like any native output and every recipe of a build gets the
# same keys. Nothing is in the layer or in git. Everyone with the build
# directory or the sstate cache has these private keys: never ship an image
# signed with them.
IMA_EVM_DEBUG_KEY_DIR = "${STAGING_DATADIR_NATIVE}/ima-evm-debug-keys"
IMA_EVM_KEY_DIR ?= "${IMA_EVM_DEBUG_KEY_DIR}"

# Private key for IMA and EVM signatures (PEM or DER, possibly encrypted), or
# a pkcs11: URI.
IMA_EVM_PRIVKEY ?= "${IMA_EVM_KEY_DIR}/privkey_ima.pem"
# Its certificate (used for both IMA and EVM); installed on the target.
IMA_EVM_X509 ?= "${IMA_EVM_KEY_DIR}/x509_ima.der"
# CA certificate compiled into the kernel (CONFIG_SYSTEM_TRUSTED_KEYS), PEM or
# DER. Set it to "" to compile no CA into the kernel.
IMA_EVM_ROOT_CA ?= "${IMA_EVM_KEY_DIR}/ima-local-ca.pem"

# Passphrase of IMA_EVM_PRIVKEY: preferably a file holding it. The variable
# IMA_EVM_EVMCTL_KEY_PASSWORD (meta-integrity's name) also works, but its value
# ends up in the task's run script under ${T}.
IMA_EVM_PRIVKEY_PASSWORD_FILE ?= ""
IMA_EVM_EVMCTL_KEY_PASSWORD ?= ""

# Where an image carries the list of its mutable files (IMA_EVM_MUTABLE of
# ima-evm-rootfs; imactl --mutable-list, one path a line), signed like the
# other files; initramfs-module-imactl-evm reads it there on first boot. The
# image class also deploys it as ${IMAGE_NAME}.mutable.list.
IMA_EVM_MUTABLE_LIST ?= "${sysconfdir}/imactl/mutable.list"
# Where the device keeps the blobs of its EVM key (imactl evm-key: kmk.blob
# sealed by the TPM, evm-key.blob encrypted under it), on the root.
IMA_EVM_KEY_BLOB_DIR ?= "${sysconfdir}/imactl"

# The imactl that runs on the build host (from imactl-native).
IMA_EVM_IMACTL ?= "${STAGING_BINDIR_NATIVE}/imactl"

# The task dependency that stages the debug keys when one of the variables
# points into IMA_EVM_DEBUG_KEY_DIR; empty otherwise. Image signing reads the
# key and the certificate (IMA_EVM_DEBUG_KEYS_DEPENDS), the kernel the CA,
# ima-evm-keys the certificate.
IMA_EVM_DEBUG_KEYS_DEPENDS = "${@ima_evm_debug_keys_depends(d, 'IMA_EVM_PRIVKEY IMA_EVM_X509')}"

def ima_evm_debug_keys_depends(d, variables):
    debug = d.getVar('IMA_EVM_DEBUG_KEY_DIR').rstrip('/') + '/'
    if any((d.getVar(v) or '').startswith(debug) for v in variables.split()):
        return 'ima-evm-debug-keys-native:do_populate_sysroot'
    return ''

# "path:True/False" file-checksums entries for the key files a task reads, so
# that new keys rerun it. Debug keys are left out: they live in the task's
# sysroot, and the native recipe's hash covers them.
def ima_evm_file_checksums(d, variables):
    import os
    debug = d.getVar('IMA_EVM_DEBUG_KEY_DIR').rstrip('/') + '/'
    out = []
    for v in variables.split():
        f = d.getVar(v) or ''
        if f and not f.startswith('pkcs11:') and not f.startswith(debug):
            out.append('%s:%s' % (f, os.path.exists(f)))
    return ' '.join(out)

# ima_evm_debug_keys FILE...: when one of the files is a debug key, checks
# that it is staged and warns that these are debug keys; otherwise nothing.
ima_evm_debug_keys () {
	dk="${IMA_EVM_DEBUG_KEY_DIR}"
	debug=""
	for f in "$@"; do
		case "$f" in
		"$dk"/*)
			debug=1
			if [ ! -s "$f" ]; then
				bbfatal "IMA/EVM: no debug key $f (the task needs ima-evm-debug-keys-native:do_populate_sysroot in its depends)"
			fi
			;;
		esac
	done
	if [ -n "$debug" ]; then
		bbwarn "IMA/EVM: using the DEBUG keys of ima-evm-debug-keys-native: never ship images signed with them"
	fi
}
