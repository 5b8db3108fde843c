# SPDX-License-Identifier: MIT
SUMMARY = "IMA/EVM certificates for the target"
DESCRIPTION = "Installs the certificate that verifies the image's IMA and EVM \
signatures as /etc/keys/x509_ima.der and /etc/keys/x509_evm.der, where the \
initramfs module (imactl import) and the kernel (CONFIG_IMA_X509_PATH, \
CONFIG_EVM_X509_PATH) look for it."
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/MIT;md5=0835ade698e0bcf8506ecda2f7b4f302"

inherit features_check ima-evm-common
REQUIRED_DISTRO_FEATURES = "ima"

INHIBIT_DEFAULT_DEPS = "1"
do_install[depends] += "openssl-native:do_populate_sysroot ${@ima_evm_debug_keys_depends(d, 'IMA_EVM_X509')}"
do_install[file-checksums] += "${@ima_evm_file_checksums(d, 'IMA_EVM_X509')}"

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install () {
	cert="${IMA_EVM_X509}"
	ima_evm_debug_keys "$cert"
	if [ ! -r "$cert" ]; then
		bbfatal "IMA/EVM: cannot read IMA_EVM_X509 $cert"
	fi
	# The kernel and imactl import take DER.
	install -d ${D}${sysconfdir}/keys
	if grep -q -e '-----BEGIN CERTIFICATE-----' "$cert"; then
		openssl x509 -in "$cert" -outform DER -out ${D}${sysconfdir}/keys/x509_evm.der
	else
		install -m 0644 "$cert" ${D}${sysconfdir}/keys/x509_evm.der
	fi
	chmod 0644 ${D}${sysconfdir}/keys/x509_evm.der
	ln -sf x509_evm.der ${D}${sysconfdir}/keys/x509_ima.der
}

FILES:${PN} = "${sysconfdir}/keys"
