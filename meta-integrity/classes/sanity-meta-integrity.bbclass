# SPDX-License-Identifier: MIT
# Parse-time checks of the layer's configuration:
# - a warning when the layer is present but 'integrity' is not a distro
#   feature: the bbappends of this layer then do nothing. Silence it with
#   SKIP_META_INTEGRITY_SANITY_CHECK = "1".
# - an error when a key or policy setting points into the layer at a file it
#   does not ship: meta-integrity's ${INTEGRITY_BASE}/data/debug-keys and
#   ${INTEGRITY_BASE}/data/ima_policy_simple are not part of this layer (see
#   the migration table in README.md).

IMA_EVM_LAYER_FILE_VARS = "IMA_EVM_KEY_DIR IMA_EVM_PRIVKEY IMA_EVM_X509 IMA_EVM_ROOT_CA IMA_EVM_POLICY \
    MODSIGN_KEY_DIR MODSIGN_PRIVKEY MODSIGN_X509"

addhandler integrity_bbappend_distrocheck
integrity_bbappend_distrocheck[eventmask] = "bb.event.SanityCheck"
python integrity_bbappend_distrocheck() {
    import os
    skip_check = (e.data.getVar('SKIP_META_INTEGRITY_SANITY_CHECK') or '') == "1"
    features = (e.data.getVar('DISTRO_FEATURES') or '').split()
    if 'integrity' not in features and not skip_check:
        bb.warn("You have included the meta-integrity layer, but "
                "'integrity' has not been enabled in your DISTRO_FEATURES. Some bbappend files "
                "and preferred version setting may not take effect. See the meta-integrity "
                "README for details on enabling integrity support.")
    base = (e.data.getVar('INTEGRITY_BASE') or '').rstrip('/') + '/'
    for var in (e.data.getVar('IMA_EVM_LAYER_FILE_VARS') or '').split():
        value = e.data.getVar(var) or ''
        if value.startswith(base) and not os.path.exists(value):
            bb.fatal("%s = \"%s\": this meta-integrity (imactl) does not ship that file. "
                     "Debug keys come from ima-evm-debug-keys-native when the key variables are "
                     "left unset; the policies are in ${INTEGRITY_BASE}/recipes-security/"
                     "ima_policy_*/files/. See the migration table in %sREADME.md." % (var, value, base))
}
