SUMMARY = "IMA policy: appraise by hash, meta-integrity's hashed policy"
IMA_POLICY_FILE = "hashed"
require ima-policy.inc
