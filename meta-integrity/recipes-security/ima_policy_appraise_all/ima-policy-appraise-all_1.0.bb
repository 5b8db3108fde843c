# SPDX-License-Identifier: MIT
SUMMARY = "IMA policy: appraise every file (IMA and EVM signatures), meta-integrity's appraise-all"
IMA_POLICY_FILE = "ima_policy_appraise_all"
require recipes-security/ima-policy/ima-policy.inc
