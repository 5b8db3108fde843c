# SPDX-License-Identifier: MIT
SUMMARY = "IMA/EVM userspace tools"
DESCRIPTION = "meta-integrity's package group name, for images that install \
it: here it brings imactl (signing, verifying, keyrings, policies) and \
keyutils. It does not bring evmctl: imactl's commands differ from evmctl's \
(see the migration table in the layer README)."
LICENSE = "MIT"

inherit packagegroup

RDEPENDS:${PN} = "imactl keyutils"
