# SPDX-License-Identifier: MIT
# A module for OE-core's initramfs-framework: before the root filesystem's
# init runs (so the init binary itself is appraised), it restores the
# initramfs's own signatures from the manifest (cpio keeps no xattrs), imports
# the certificates with "imactl import", enables EVM, and loads the policy with
# "imactl policy load" (by path when the policy is signed, which the kernel
# then appraises).

SUMMARY = "IMA/EVM module for the modular initramfs system, using imactl"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/MIT;md5=0835ade698e0bcf8506ecda2f7b4f302"

# The policy package the initramfs carries (with 'evm-hmac': the policy for
# mutable files under EVM HMAC).
IMA_POLICY ?= "${@bb.utils.contains('DISTRO_FEATURES', 'evm-hmac', 'ima-policy-mutable', 'ima-policy-systemd', d)}"
# "true": run even with the no_ima boot parameter.
IMA_FORCE ?= "false"
# "1": enable EVM (X.509 mode) once the certificate is in the EVM keyring.
IMA_EVM_INITRAMFS_EVM ?= "1"

SRC_URI = "file://ima"
# Where the fetcher unpacks: UNPACKDIR since styhead, WORKDIR in scarthgap.
S = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"

inherit allarch features_check
REQUIRED_DISTRO_FEATURES = "ima"

do_install () {
	install -d ${D}/init.d
	install -m 0755 ${S}/ima ${D}/init.d/20-ima
	sed -i -e 's/@@FORCE_IMA@@/${IMA_FORCE}/g' -e 's/@@ENABLE_EVM@@/${IMA_EVM_INITRAMFS_EVM}/g' ${D}/init.d/20-ima
}

FILES:${PN} = "/init.d"
RDEPENDS:${PN} = "imactl ima-evm-keys ${IMA_POLICY} initramfs-framework-base"
