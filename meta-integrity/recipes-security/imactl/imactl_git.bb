# SPDX-License-Identifier: MIT
SUMMARY = "Linux IMA/EVM file integrity: sign, verify, keys, policies (imactl)"
DESCRIPTION = "libimactl and the imactl command: IMA signatures and hashes, \
EVM portable signatures, whole root filesystems, keys and certificates, IMA \
policies and kernel configuration checks, kernel keyrings."
SECTION = "security"
# libimactl is LGPL-2.1-or-later, the imactl command GPL-2.0-or-later.
# oe-core master (blacksail) parses LICENSE as an SPDX expression and warns
# that "&" is an old syntax; scarthgap and wrynose know only "&" ("AND" is
# a license-format QA error there). The operator follows oe-core's parser
# (oe.license.parse_legacy_license exists only with the SPDX one).
IMACTL_LICENSE_AND = "${@'AND' if hasattr(oe.license, 'parse_legacy_license') else '&'}"
LICENSE = "GPL-2.0-or-later ${IMACTL_LICENSE_AND} LGPL-2.1-or-later"
LIC_FILES_CHKSUM = "file://LICENSES/GPL-2.0-or-later.txt;md5=b234ee4d69f5fce4486a80fdaf4a4263 \
                    file://LICENSES/LGPL-2.1-or-later.txt;md5=4fbd65380cdd255951079008b364516c"

# A fixed revision of imactl's main branch (0.1.0 plus the commits up to
# SRCREV): the fetch and the task hashes depend on nothing but this recipe.
# imactl has no public release location yet, so the layer names none: set
# IMACTL_GIT_URI to a git URL of imactl that has SRCREV (your mirror, or
# the repository the layer came from), for example
#   IMACTL_GIT_URI = "git://git.example.com/imactl.git;protocol=https"
# or build a local checkout with externalsrc / devtool modify imactl (see the
# layer README). Unset, everything parses and do_fetch stops with a message.
IMACTL_GIT_URI ??= ""
IMACTL_BRANCH ??= "main"
SRC_URI = "${@'${IMACTL_GIT_URI};branch=${IMACTL_BRANCH};destsuffix=imactl-git' if d.getVar('IMACTL_GIT_URI') else ''}"
SRCREV = "575ced328063c293c5247013a08d3ae925ec8499"
PV = "0.1.0+git"
# Where the fetcher unpacks: UNPACKDIR since styhead, WORKDIR in scarthgap.
S = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}/imactl-git"

# e2fsprogs (libext2fs, com_err): sign-image, verify-image; json-c: Keylime
# policies; util-linux-libuuid: hmac --uuid
DEPENDS = "openssl keyutils fsverity-utils util-linux-libuuid json-c e2fsprogs"

inherit meson pkgconfig

# The tests need cmocka, QEMU and the host's evmctl: they run in imactl's CI.
EXTRA_OEMESON = "-Dtests=false"

PACKAGES =+ "lib${BPN}"
FILES:lib${BPN} = "${libdir}/libimactl${SOLIBS}"
RDEPENDS:${PN}:class-target = "lib${BPN}"

BBCLASSEXTEND = "native nativesdk"

# externalsrc deletes do_fetch, so this runs only when fetching.
do_fetch[prefuncs] += "imactl_source_check"
python imactl_source_check() {
    if not d.getVar('IMACTL_GIT_URI'):
        bb.fatal('IMACTL_GIT_URI is not set: meta-integrity does not know where '
                 'imactl\'s source is published. Set IMACTL_GIT_URI to a git URL of '
                 'imactl that has commit %s (in local.conf), or build a local '
                 'checkout with externalsrc or "devtool modify imactl" (meta-integrity '
                 'README, "Where imactl comes from").' % d.getVar('SRCREV'))
}
