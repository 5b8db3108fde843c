SUMMARY = "IMA policy: signed executables and libraries, measurement; recommended, does not break systemd boots"
IMA_POLICY_FILE = "systemd"
require ima-policy.inc
