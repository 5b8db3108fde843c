# SPDX-License-Identifier: MIT
SUMMARY = "Linux IMA/EVM file integrity: sign, verify, keys, policies (imactl)"
DESCRIPTION = "libimactl and the imactl command: IMA signatures and hashes, \
EVM portable signatures, whole root filesystems, keys and certificates, IMA \
policies and kernel configuration checks, kernel keyrings."
HOMEPAGE = "https://github.com/imactl/imactl"
SECTION = "security"
LICENSE = "LGPL-2.1-or-later & GPL-2.0-or-later"
LIC_FILES_CHKSUM = "file://LICENSES/GPL-2.0-or-later.txt;md5=b234ee4d69f5fce4486a80fdaf4a4263 \
                    file://LICENSES/LGPL-2.1-or-later.txt;md5=4fbd65380cdd255951079008b364516c"

# A fixed revision of imactl's main branch (0.1.0 plus the commits up to
# SRCREV): the fetch and the task hashes depend on nothing but this recipe.
# Mirrors: set IMACTL_GIT_URI (and IMACTL_BRANCH). Working on imactl itself:
# devtool modify imactl, or externalsrc (see the layer README).
IMACTL_GIT_URI ?= "git://github.com/imactl/imactl.git;protocol=https"
IMACTL_BRANCH ?= "main"
SRC_URI = "${IMACTL_GIT_URI};branch=${IMACTL_BRANCH};destsuffix=imactl-git"
SRCREV = "a82d43bfeaa4d4d8700b426bff0ba27c3334c6a0"
PV = "0.1.0+git"
# Where the fetcher unpacks: UNPACKDIR since styhead, WORKDIR in scarthgap.
S = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}/imactl-git"

DEPENDS = "openssl keyutils fsverity-utils"

inherit meson pkgconfig

# The tests need cmocka, QEMU and the host's evmctl: they run in imactl's CI.
EXTRA_OEMESON = "-Dtests=false"

PACKAGES =+ "lib${BPN}"
FILES:lib${BPN} = "${libdir}/libimactl${SOLIBS}"
RDEPENDS:${PN}:class-target = "lib${BPN}"

BBCLASSEXTEND = "native nativesdk"
