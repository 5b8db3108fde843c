# SPDX-License-Identifier: MIT
SUMMARY = "IMA policy: measure only (no appraisal)"
IMA_POLICY_FILE = "ima_policy_simple"
require recipes-security/ima-policy/ima-policy.inc
