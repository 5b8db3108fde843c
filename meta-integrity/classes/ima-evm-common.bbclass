# Key settings shared by ima-evm-rootfs (image signing), ima-evm-keys (the
# certificates on the target), the kernel append (the CA compiled into the
# kernel) and the initramfs module. Override them in local.conf.

# Without configuration, throwaway debug keys are made with
# "imactl keygen debug" into the build directory (never into the layer, never
# into git): a CA (ima-local-ca.pem/.x509/.priv) and a signer certified by it
# (privkey_ima.pem, x509_ima.der). Everyone with access to the build directory
# has these private keys: never ship an image signed with them.
IMA_EVM_DEBUG_KEY_DIR ?= "${TOPDIR}/ima-evm-debug-keys"
IMA_EVM_KEY_DIR ?= "${IMA_EVM_DEBUG_KEY_DIR}"

# Private key for IMA and EVM signatures (PEM or DER, possibly encrypted).
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

# The imactl that runs on the build host (from imactl-native).
IMA_EVM_IMACTL ?= "${STAGING_BINDIR_NATIVE}/imactl"

# Makes the debug keys when they are in use and missing. Serialised with a
# lock directory: the kernel, ima-evm-keys and the image may ask at once, and
# a CA from one run with a signer from another would not chain.
ima_evm_debug_keys () {
	if [ "${IMA_EVM_KEY_DIR}" != "${IMA_EVM_DEBUG_KEY_DIR}" ]; then
		return 0
	fi
	dk="${IMA_EVM_DEBUG_KEY_DIR}"
	mkdir -p "$dk"
	tries=0
	until mkdir "$dk/.lock" 2>/dev/null; do
		tries=$(expr $tries + 1)
		if [ $tries -gt 600 ]; then
			bbfatal "IMA/EVM: $dk/.lock exists for 10 minutes; remove it if no build is running"
		fi
		sleep 1
	done
	rc=0
	if [ ! -s "$dk/privkey_ima.pem" ] || [ ! -s "$dk/x509_ima.der" ] || [ ! -s "$dk/ima-local-ca.pem" ]; then
		bbwarn "IMA/EVM: making DEBUG keys in $dk with imactl keygen debug: never ship images signed with them"
		"${IMA_EVM_IMACTL}" keygen debug --out "$dk" || rc=$?
	fi
	rmdir "$dk/.lock"
	if [ $rc -ne 0 ]; then
		bbfatal "IMA/EVM: imactl keygen debug --out $dk failed (exit $rc)"
	fi
}
