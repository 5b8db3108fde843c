# SPDX-License-Identifier: MIT
# An initramfs-framework module (as OE-core's initramfs-module-* packages):
# the device's EVM HMAC key, sealed by the TPM, with imactl evm-key. On the
# first boot (no key blobs on the root) it makes the key and labels the
# mutable files the image lists (IMA_EVM_MUTABLE) in the unmounted root with
# their EVM HMACs, and stores the blobs on the root once it is mounted; on
# every later boot it loads the key from them. initramfs-framework-ima then
# enables EVM HMAC and X.509 in one write. See the layer README, "Mutable
# files".

SUMMARY = "initramfs-framework module: the device's TPM-sealed EVM HMAC key and first-boot labelling, using imactl"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/MIT;md5=0835ade698e0bcf8506ecda2f7b4f302"

inherit allarch features_check ima-evm-common
REQUIRED_DISTRO_FEATURES = "ima evm-hmac"

# The TPM 2.0 persistent parent key kmk is sealed under (imactl evm-key
# --keyhandle); the TPM must have it (e.g. a storage primary key made with
# tpm2_createprimary and made persistent with tpm2_evictcontrol).
IMA_EVM_KEYHANDLE ?= "0x81000001"
# More options of "imactl evm-key create --label" for the target kernel:
# "--target-bits 32", "--lsm selinux", "--no-uuid" (see imactl-evm-key(1)).
IMA_EVM_KEY_CREATE_ARGS ?= ""
# Seal kmk to these PCRs of the sha256 bank ("imactl evm-key create --pcrs"),
# e.g. "12", where systemd-stub measures the kernel command line on UEFI; what
# measured them decides what a changed boot chain is. The first boot records
# their values next to the blobs (kmk.pcrs); a boot where one differs cannot
# unseal the key and stops. Empty: kmk is not sealed to PCRs.
IMA_EVM_KEY_PCRS ?= ""

SRC_URI = "file://imactlevm file://imactlevmstore"
# Where the fetcher unpacks: UNPACKDIR since styhead, WORKDIR in scarthgap.
S = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"

do_install () {
	install -d ${D}/init.d
	install -m 0755 ${S}/imactlevm ${D}/init.d/15-imactlevm
	install -m 0755 ${S}/imactlevmstore ${D}/init.d/91-imactlevmstore
	sed -i -e 's|@@BLOB_DIR@@|${IMA_EVM_KEY_BLOB_DIR}|g' -e 's|@@MUTABLE_LIST@@|${IMA_EVM_MUTABLE_LIST}|g' \
		-e 's|@@KEYHANDLE@@|${IMA_EVM_KEYHANDLE}|g' -e 's|@@CREATE_ARGS@@|${IMA_EVM_KEY_CREATE_ARGS}|g' \
		-e 's|@@PCRS@@|${IMA_EVM_KEY_PCRS}|g' \
		${D}/init.d/15-imactlevm ${D}/init.d/91-imactlevmstore
}

FILES:${PN} = "/init.d"
# 20-ima enables EVM once the key is loaded; 90-rootfs mounts the root the
# blobs are stored on
RDEPENDS:${PN} = "imactl initramfs-framework-base initramfs-framework-ima initramfs-module-rootfs"
