# SPDX-License-Identifier: MIT
SUMMARY = "IMA policy: signed executables and libraries, measurement; recommended, does not break systemd boots"
IMA_POLICY_FILE = "ima_policy_systemd"
require recipes-security/ima-policy/ima-policy.inc
