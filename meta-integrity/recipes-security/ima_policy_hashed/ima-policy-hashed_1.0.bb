# SPDX-License-Identifier: MIT
SUMMARY = "IMA policy: appraise by hash, meta-integrity's hashed policy"
IMA_POLICY_FILE = "ima_policy_hashed"
require recipes-security/ima-policy/ima-policy.inc
