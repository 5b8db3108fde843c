# SPDX-License-Identifier: GPL-2.0-or-later
# Thin wrapper around meson; see README.md.
BUILD      ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?=
NINJA      ?= ninja

.PHONY: all deps check check-fast demo bench kernel fuzz clean

all: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dwerror=true $(MESON_OPTS)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Dwerror=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debug $(MESON_OPTS)

deps:
	scripts/install-deps check

# Every test: unit + CLI in the developer build, the same under ASan+UBSan,
# then the real-kernel suite; ends with one "N passed, N failed" line.
check: deps
	@scripts/run-tests $(BUILD) $(ASAN_BUILD)

demo:
	scripts/install-deps demo
	$(MAKE) all
	scripts/demo $(BUILD)

# Our own small kernel with the test CA compiled in (scripts/build-kernel;
# cached in /var/cache/imactl/kernel). TRUST=secondary for the wider rule, CA=ca.pem for your own CA.
kernel: all
	IMACTL=$(BUILD)/imactl scripts/build-kernel --trust $(or $(TRUST),strict) $(if $(CA),--ca $(CA))

# every libFuzzer harness for FUZZ_SECONDS each (default 60): execs, crashes
fuzz:
	scripts/fuzz $(or $(FUZZ_SECONDS),60)

bench:
	scripts/install-deps bench
	$(MAKE) all
	bench/run $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
