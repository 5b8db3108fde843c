# SPDX-License-Identifier: MIT
# Signed kernel modules, with meta-integrity's class name and variables:
# inherit it in a kernel recipe (or a bbappend). It adds the modsign.cfg
# fragment of the kernel append (only signed modules load, all modules are
# signed with sha256 at build time) and, when MODSIGN_PRIVKEY and
# MODSIGN_X509 name files, signs the modules with that key. Without them, the
# kernel build makes its own throwaway key (certs/signing_key.pem), which is
# what keeps modules of one build loadable and no others.
#
# meta-integrity read MODSIGN_KEY_DIR = "${INTEGRITY_BASE}/data/debug-keys";
# this layer ships no keys: leave MODSIGN_KEY_DIR unset for the kernel's own
# key, or point it at a directory of your keys.

MODSIGN_KEY_DIR ?= ""
MODSIGN_PRIVKEY ?= "${@'${MODSIGN_KEY_DIR}/privkey_modsign.pem' if d.getVar('MODSIGN_KEY_DIR') else ''}"
MODSIGN_X509 ?= "${@'${MODSIGN_KEY_DIR}/x509_modsign.crt' if d.getVar('MODSIGN_KEY_DIR') else ''}"

FILESEXTRAPATHS:prepend := "${INTEGRITY_BASE}/recipes-kernel/linux/files:"
SRC_URI:append = " file://modsign.cfg"

# Stripping would remove the signatures.
INHIBIT_PACKAGE_STRIP = "1"

do_kernel_configme[postfuncs] += "${@'kernel_modsign_key' if d.getVar('MODSIGN_PRIVKEY') else ''}"
do_kernel_configme[file-checksums] += "${@' '.join('%s:%s' % (f, os.path.exists(f)) for f in (d.getVar('MODSIGN_PRIVKEY'), d.getVar('MODSIGN_X509')) if f)}"

# The key and the certificate in one PEM file, as CONFIG_MODULE_SIG_KEY takes it.
kernel_modsign_key () {
	key="${MODSIGN_PRIVKEY}"
	cert="${MODSIGN_X509}"
	if [ ! -r "$key" ] || [ ! -r "$cert" ]; then
		bbfatal "kernel-modsign: cannot read MODSIGN_PRIVKEY $key or MODSIGN_X509 $cert"
	fi
	cat "$key" "$cert" > "${B}/modsign_key.pem"
	config="${B}/.config"
	sed -i -e '/^CONFIG_MODULE_SIG_KEY[ =]/d' -e '/^# CONFIG_MODULE_SIG_KEY is not set/d' "$config"
	echo "CONFIG_MODULE_SIG_KEY=\"${B}/modsign_key.pem\"" >> "$config"
}
