SUMMARY = "IMA policy: measure only (no appraisal)"
IMA_POLICY_FILE = "simple.policy"
require ima-policy.inc
