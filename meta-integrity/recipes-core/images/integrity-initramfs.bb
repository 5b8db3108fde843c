# SPDX-License-Identifier: MIT
SUMMARY = "Initramfs that loads the IMA/EVM certificates and policy with imactl, then switches to the root filesystem"
DESCRIPTION = "initramfs-framework with the ima module. The initramfs is \
signed like any image; as cpio keeps no xattrs, the signatures travel in a \
manifest that the module applies at boot."
LICENSE = "MIT"

PACKAGE_INSTALL = "initramfs-framework-base initramfs-module-udev initramfs-module-rootfs \
    initramfs-framework-ima busybox base-passwd ${ROOTFS_BOOTSTRAP_INSTALL} \
    ${@bb.utils.contains('DISTRO_FEATURES', 'evm-hmac', 'initramfs-module-imactl-evm', '', d)}"

# Do not pollute the initrd image with rootfs features
IMAGE_FEATURES = ""
IMAGE_LINGUAS = ""
NO_RECOMMENDATIONS = "1"

IMAGE_FSTYPES = "${INITRAMFS_FSTYPES}"
IMAGE_NAME_SUFFIX ?= ""
IMAGE_ROOTFS_SIZE = "8192"
IMAGE_ROOTFS_EXTRA_SPACE = "0"

inherit core-image features_check ima-evm-rootfs
REQUIRED_DISTRO_FEATURES = "integrity ima"

# cpio keeps no xattrs: the ima module restores them from this manifest.
IMA_EVM_MANIFEST = "${sysconfdir}/ima/ima-evm.manifest"
# cpio keeps no xattrs: the initramfs is always signed as a tree, with the
# manifest, whatever IMA_EVM_SIGN_MODE the images use.
IMA_EVM_SIGN_MODE = "rootfs"
