SUMMARY = "IMA policy: signed executables and libraries, safe for systemd images"
IMA_POLICY_FILE = "recommended.policy"
require ima-policy.inc
