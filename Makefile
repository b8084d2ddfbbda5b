# netsock: `make run` builds and starts the daemon on its embedded default config;
# `make test` installs what is missing, builds, and runs every test.

SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
PREFIX ?= /usr/local
# Debian packages the build and the tests need: the jansson headers, pkg-config to
# find them, and the real peers and tools the tests drive.
DEB_PACKAGES := libjansson-dev pkg-config curl socat python3 util-linux iproute2 dnsmasq-base tshark iputils-ping liblwip-dev gcc libmbedtls-dev stunnel4 openssl wpasupplicant dhcpcd-base
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build release run test bench soak fuzz fuzz-build docs api completions man install clean lwip-reference

# libFuzzer targets (Sources/NetSockFuzz), built with -sanitize=fuzzer,address in a build
# folder of their own; `make fuzz` runs each FUZZ_SECONDS, `make test` each FUZZ_SMOKE_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_TARGETS ?= framer http json dns netlink config datagram wire stack tls at modem modem-sim wpa
FUZZ_BINARY := .build-fuzz/release/netsock-fuzz
SOAK_SECONDS ?= 60

all: build

deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

run: release
	.build/release/netsockd $(ARGS)

# Every process a test starts carries NETSOCK_TEST_RUN; Tests/check-leftovers.sh fails the
# run if any (or a test namespace) is still there afterwards, pass or fail. Every daemon
# the tests start checks its results against their declared schemas and logs what it
# answered (NETSOCK_RESULT_CHECK_DIR); Tests/check-results.py fails the run on a mismatch
# or on a method no test got a result from.
test: deps
	$(SWIFT) build --build-tests
	@run=netsock-test-$$$$; status=0; results=/tmp/$$run-results; mkdir -p $$results; \
	NETSOCK_TEST_RUN=$$run NETSOCK_RESULT_CHECK_DIR=$$results $(SWIFT) test --skip-build || status=$$?; \
	if [ "$$(id -u)" = 0 ] || [ "$$CI" = true ]; then \
		echo "Mbed UDP, TCP and DNS suites again, on the ip stack:"; \
		NETSOCK_CONFORMANCE_STACK=ip NETSOCK_TEST_RUN=$$run NETSOCK_RESULT_CHECK_DIR=$$results $(SWIFT) test --skip-build \
			--filter 'UDPConformanceTests|TCPConformanceTests|TLSConformanceTests|DNSConformanceTests|DNSResetTests' || status=$$?; \
		echo "Mbed UDP and TCP suites again, on a Wi-Fi interface: the ip stack over netsock-wifi-sim's radio, its access point bridged to the peers:"; \
		NETSOCK_CONFORMANCE_STACK=wifi NETSOCK_TEST_RUN=$$run NETSOCK_RESULT_CHECK_DIR=$$results $(SWIFT) test --skip-build \
			--filter 'UDPConformanceTests|TCPConformanceTests' || status=$$?; \
	else echo "skipping the Mbed suites on the ip stack and on Wi-Fi: they need root (CI runs them as root)"; fi; \
	for dialect in ublox quectel; do \
		echo "Mbed UDP and TCP suites again, on the modem stack over netsock-modem-sim ($$dialect), one case at a time as Mbed runs them:"; \
		echo "(the modem's few sockets are shared by every client, so a case running beside OPEN_LIMIT would change its count)"; \
		NETSOCK_CONFORMANCE_STACK=modem-$$dialect NETSOCK_TEST_RUN=$$run NETSOCK_RESULT_CHECK_DIR=$$results $(SWIFT) test --skip-build --no-parallel \
			--filter 'UDPConformanceTests|TCPConformanceTests' || status=$$?; \
	done; \
	Tests/check-leftovers.sh $$run || status=1; \
	Tests/check-results.py $$results docs/openrpc.json || status=1; \
	rm -rf $$results; exit $$status
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

fuzz-build: deps
	NETSOCK_FUZZ=1 $(SWIFT) build -c release --scratch-path .build-fuzz --sanitize=fuzzer --sanitize=address \
		-Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address --product netsock-fuzz

fuzz: fuzz-build
	Tests/Fuzz/run.sh $(FUZZ_BINARY) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Many hostile clients at once while one well-behaved client measures its round trips.
soak: release
	.build/release/netsock-bench soak --seconds $(SOAK_SECONDS)
	@if [ "$$(id -u)" = 0 ]; then .build/release/netsock-bench ip-tcp --verify-bytes 1000000000 \
		--drop 0.01 --reorder 0.01 --duplicate 0.01 --delay-ms 1; \
	else echo "skipping the TCP fault soak: it needs root"; fi

bench: release
	.build/release/netsock-bench rpc
	.build/release/netsock-bench tcp
	.build/release/netsock-bench attach
	.build/release/netsock-bench netcat
	.build/release/netsock-bench tls
	.build/release/netsock-bench cellular --dialect ublox
	.build/release/netsock-bench cellular --dialect quectel
	@if [ "$$(id -u)" = 0 ]; then .build/release/netsock-bench ip && $(MAKE) --no-print-directory lwip-reference && \
		.build/release/netsock-bench ip-tcp --lwip .build/lwip_tap_sink; \
	else echo "skipping netsock-bench ip and ip-tcp: they need root (network namespaces and TAP devices)"; fi

# Debian's lwIP driven over a TAP device: the reference column of netsock-bench ip-tcp.
lwip-reference: .build/lwip_tap_sink
.build/lwip_tap_sink: contrib/lwip-reference/lwip_tap_sink.c
	@mkdir -p .build
	gcc -O2 -Wall -Wextra $$(pkg-config --cflags lwip) -o $@ $< $$(pkg-config --libs lwip) -lpthread

# docs/openrpc.json and the typed client (Sources/NetSockClient/API.swift) are generated
# from the method declarations; a test fails when either is stale.
docs: build
	.build/debug/netsockd --print-openrpc > docs/openrpc.json
	.build/debug/netsockd --print-client-api > Sources/NetSockClient/API.swift

api: docs

completions: build
	mkdir -p contrib/completions
	.build/debug/netsockctl --generate-completion-script bash > contrib/completions/netsockctl.bash
	.build/debug/netsockctl --generate-completion-script zsh > contrib/completions/_netsockctl
	.build/debug/netsockctl --generate-completion-script fish > contrib/completions/netsockctl.fish

# Manual pages from the commands' own definitions, by swift-argument-parser's generate-manual tool.
man: build
	$(SWIFT) build --package-path .build/checkouts/swift-argument-parser --scratch-path .build-argument-parser --product generate-manual
	mkdir -p docs/man
	.build-argument-parser/debug/generate-manual .build/debug/netsockctl --output-directory docs/man --date 2026-11-21
	.build-argument-parser/debug/generate-manual .build/debug/netsockd --output-directory docs/man --date 2026-11-21

install: release
	install -D -m 0755 .build/release/netsockd $(DESTDIR)$(PREFIX)/sbin/netsockd
	install -D -m 0755 .build/release/netsockctl $(DESTDIR)$(PREFIX)/bin/netsockctl
	install -D -m 0755 .build/release/netsock-modem-sim $(DESTDIR)$(PREFIX)/bin/netsock-modem-sim
	install -D -m 0755 .build/release/netsock-wifi-sim $(DESTDIR)$(PREFIX)/bin/netsock-wifi-sim
	install -D -m 0644 etc/netsockd.json $(DESTDIR)/etc/netsockd/netsockd.json.example
	install -D -m 0644 contrib/netsockd.service $(DESTDIR)/lib/systemd/system/netsockd.service
	install -D -m 0644 contrib/netsockd.socket $(DESTDIR)/lib/systemd/system/netsockd.socket
	install -D -m 0644 contrib/completions/netsockctl.bash $(DESTDIR)/usr/share/bash-completion/completions/netsockctl
	install -D -m 0644 contrib/completions/_netsockctl $(DESTDIR)/usr/share/zsh/vendor-completions/_netsockctl
	install -D -m 0644 contrib/completions/netsockctl.fish $(DESTDIR)/usr/share/fish/vendor_completions.d/netsockctl.fish
	install -D -m 0644 docs/man/netsockctl.1 $(DESTDIR)$(PREFIX)/share/man/man1/netsockctl.1
	install -D -m 0644 docs/man/netsockd.1 $(DESTDIR)$(PREFIX)/share/man/man8/netsockd.8

clean:
	rm -rf .build
