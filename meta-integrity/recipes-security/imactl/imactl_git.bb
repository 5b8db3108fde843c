SUMMARY = "Linux IMA/EVM file integrity: sign, verify, keys, policies (imactl)"
DESCRIPTION = "libimactl and the imactl command: IMA signatures and hashes, \
EVM portable signatures, whole root filesystems, keys and certificates, IMA \
policies and kernel configuration checks, kernel keyrings."
SECTION = "security"
LICENSE = "LGPL-2.1-or-later & GPL-2.0-or-later"
LIC_FILES_CHKSUM = "file://include/imactl.h;beginline=1;endline=1;md5=14007449932ed169474d694e94140b49 \
                    file://programs/imactl.c;beginline=1;endline=1;md5=7226e442a172bcf25807246d7ef1eba1"

# Built from the imactl tree this layer ships in. Point IMACTL_GIT_URI at
# another clone (and IMACTL_BRANCH at its branch) to build something else.
IMACTL_GIT_URI ?= "git://${IMACTL_BASE};protocol=file"
IMACTL_BRANCH ?= "main"
SRC_URI = "${IMACTL_GIT_URI};branch=${IMACTL_BRANCH};destsuffix=imactl-git"
SRCREV = "${AUTOREV}"
PV = "0.1.0+git"
UNPACKDIR ??= "${WORKDIR}"
S = "${UNPACKDIR}/imactl-git"

DEPENDS = "openssl keyutils fsverity-utils"

inherit meson pkgconfig

# The tests need cmocka, QEMU and the host's evmctl: they run in imactl's CI.
EXTRA_OEMESON = "-Dtests=false"

PACKAGES =+ "lib${BPN}"
FILES:lib${BPN} = "${libdir}/libimactl${SOLIBS}"
RDEPENDS:${PN}:class-target = "lib${BPN}"

BBCLASSEXTEND = "native nativesdk"
