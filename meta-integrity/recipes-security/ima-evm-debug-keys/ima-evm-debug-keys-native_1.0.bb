# SPDX-License-Identifier: MIT
SUMMARY = "Throwaway IMA/EVM debug keys for builds that configure none"
DESCRIPTION = "Makes a CA and a signer certified by it with \
imactl keygen debug (certificates labelled as debug keys) and stages them in \
the native sysroot as ${datadir}/ima-evm-debug-keys: ima-local-ca.pem, \
ima-local-ca.x509, ima-local-ca.priv, privkey_ima.pem, csr_ima.pem, \
x509_ima.der. ima-evm-common.bbclass points the key variables there unless \
IMA_EVM_KEY_DIR or the key variables are set. The keys come from sstate like \
any native output, so one build uses one set everywhere (the kernel's CA, the \
certificate on the target, the image signatures). Anyone with the build \
directory or the sstate cache has the private keys: never ship images signed \
with them."
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/MIT;md5=0835ade698e0bcf8506ecda2f7b4f302"

inherit native

INHIBIT_DEFAULT_DEPS = "1"
DEPENDS = "imactl-native"

do_configure[noexec] = "1"

do_compile () {
	rm -rf ${B}/keys
	${STAGING_BINDIR_NATIVE}/imactl keygen debug --out ${B}/keys
}

do_install () {
	install -d ${D}${datadir}/ima-evm-debug-keys
	for f in ima-local-ca.pem ima-local-ca.x509 csr_ima.pem x509_ima.der; do
		install -m 0644 ${B}/keys/$f ${D}${datadir}/ima-evm-debug-keys/$f
	done
	for f in ima-local-ca.priv privkey_ima.pem; do
		install -m 0600 ${B}/keys/$f ${D}${datadir}/ima-evm-debug-keys/$f
	done
}
