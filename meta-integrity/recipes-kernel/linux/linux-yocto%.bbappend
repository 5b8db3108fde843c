# SPDX-License-Identifier: MIT
# IMA/EVM kernel configuration, active with 'integrity' in DISTRO_FEATURES.
require ${@bb.utils.contains('DISTRO_FEATURES', 'integrity', 'linux-yocto-integrity.inc', '', d)}
