SUMMARY = "IMA policy: appraise every file (IMA and EVM signatures), meta-integrity's appraise-all"
IMA_POLICY_FILE = "appraise-all"
require ima-policy.inc
