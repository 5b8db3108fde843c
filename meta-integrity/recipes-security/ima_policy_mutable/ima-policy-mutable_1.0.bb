# SPDX-License-Identifier: MIT
SUMMARY = "IMA policy: signed executables and libraries, every other root-owned file by its hash under EVM HMAC (mutable files, evm-hmac)"
IMA_POLICY_FILE = "ima_policy_mutable"
require recipes-security/ima-policy/ima-policy.inc
