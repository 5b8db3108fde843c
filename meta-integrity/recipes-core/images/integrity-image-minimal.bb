# SPDX-License-Identifier: MIT
SUMMARY = "A small image whose every file carries an IMA signature and an EVM portable signature"
DESCRIPTION = "core-image-minimal plus imactl, the certificates and an IMA \
policy; signed at build time by ima-evm-rootfs. Boot it with the \
integrity-initramfs (see the layer README) so that the policy is loaded \
before init runs."
LICENSE = "MIT"

IMA_POLICY_PACKAGE ?= "${@bb.utils.contains('DISTRO_FEATURES', 'evm-hmac', 'ima-policy-mutable', 'ima-policy-systemd', d)}"

IMAGE_INSTALL = "packagegroup-core-boot imactl ima-evm-keys ${IMA_POLICY_PACKAGE} ${CORE_IMAGE_EXTRA_INSTALL}"
# testimage logs in over ssh
IMAGE_FEATURES += "ssh-server-dropbear"
IMAGE_LINGUAS = ""

inherit core-image features_check ima-evm-rootfs
REQUIRED_DISTRO_FEATURES = "integrity ima"

IMAGE_ROOTFS_EXTRA_SPACE = "8192"

TEST_SUITES = "ping ssh imactl_integrity"
