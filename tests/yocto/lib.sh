# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced by the tests, not run on its own
# Shared setup of the meta-integrity tests; source after tests/cli/lib.sh.
# shellcheck disable=SC2034 # LAYER and BBRUN are for the tests that source this
LAYER="$SRC_ROOT/meta-integrity"
BBRUN="$SRC_ROOT/tests/yocto/bbrun.py"
have() { "$IMACTL" help "$1" >/dev/null 2>&1; }

# The native sysroot of a build: imactl-native is the imactl just built.
native="$T/recipe-sysroot-native/usr/bin"
mkdir -p "$native"
ln -sf "$IMACTL" "$native/imactl"

# Keys under meta-integrity's default names, in IMA_EVM_KEY_DIR.
keydir="$T/keys"
mkdir -p "$keydir"
cp "$KEYS/rsa2048.key" "$keydir/privkey_ima.pem"
cp "$KEYS/rsa2048.der" "$keydir/x509_ima.der"
cp "$KEYS/ec256.pem" "$keydir/ima-local-ca.pem"
