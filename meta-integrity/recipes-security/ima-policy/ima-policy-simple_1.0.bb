SUMMARY = "IMA policy: measure only (no appraisal)"
IMA_POLICY_FILE = "simple"
require ima-policy.inc
