# gozfs — make targets. `make test` is what CI runs.
GO          ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
LAB         := internal/zfslab
BENCHTIME   ?= 1x
# ZFS: the lab's OpenZFS targets that lab-setup installs and test-integration runs on:
# 2.3 (backports, the lab's default) and 2.1 (Debian 12's 2.1.11 on its 6.1 kernel).
# `make test-integration ZFS=2.1` runs one.
ZFS         ?= 2.3 2.1
LABBENCHFLAGS = -test.run '^$$' -test.bench BenchmarkIntegrationListing -test.benchtime $(BENCHTIME) -test.timeout 4h

.PHONY: all test test-deps test-unit test-integration lint fmt-check vet staticcheck lab-setup demo bench bench-lab soak fuzz clean

all: test

## test: everything CI checks — formatting, vet, staticcheck, unit tests with -race,
## then the integration tests against real ZFS (in the lab VM unless GOZFS_DIRECT=1).
test: lint test-unit test-integration

## test-deps: the Debian packages the unit tests need (sshd and sudo for the SSH runner's
## tests, age for stream/encrypt's interoperability tests). Installs those missing;
## idempotent. Add packages to TEST_DEBS.
TEST_DEBS ?= openssh-server sudo age
test-deps:
	@missing=; for p in $(TEST_DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then echo "test-deps: install$$missing (no apt-get here)" >&2; exit 1; fi; \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "test-deps: installing$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$sudo apt-get install -y -q --no-install-recommends $$missing >/dev/null 2>&1 || \
	  { $$sudo apt-get update -q && $$sudo apt-get install -y -q --no-install-recommends $$missing; }; \
	fi

## test-unit: the fast part, no ZFS needed. GOZFS_REQUIRE_SSHD=1 and GOZFS_REQUIRE_AGE=1
## turn the SSH runner's and the age interoperability tests from skipped into failed when
## sshd or age is missing.
test-unit: test-deps
	GOZFS_REQUIRE_SSHD=1 GOZFS_REQUIRE_AGE=1 $(GO) test -race -count=1 ./...

lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	$(GO) vet -tags zfs ./...

staticcheck:
	$(STATICCHECK) ./...
	$(STATICCHECK) -tags zfs ./...

## lab-setup: install qemu and the lab's OpenZFS targets (those in ZFS): the backports kernel
## with OpenZFS 2.3 (dkms), and OpenZFS 2.1.11 built for Debian 12's 6.1 kernel in the
## lab's cache. Idempotent.
lab-setup:
	@if [ "$$GOZFS_DIRECT" = 1 ]; then echo "GOZFS_DIRECT=1: using this host's ZFS"; \
	else bash $(LAB)/setup.sh $(ZFS); fi

## test-integration: integration tests (build tag zfs) against real ZFS, once per lab
## target in ZFS (each result line names its OpenZFS version), or on this host's ZFS
## with GOZFS_DIRECT=1.
test-integration: lab-setup
	GOZFS_LAB_ZFS="$(ZFS)" bash $(LAB)/integration.sh

## demo: the tour of gozfs on a throwaway pool — on this host if it has ZFS, else in the lab.
demo:
	@mkdir -p .build && $(GO) build -o .build/tour ./examples/tour
	@if [ -e /dev/zfs ] && command -v zfs >/dev/null; then ./.build/tour; \
	else $(MAKE) --no-print-directory lab-setup ZFS=2.3 && $(LAB)/zfslab run -- ./.build/tour; fi

## bench: the benchmark suite; headline comparisons report `ratio` (ours / baseline, higher is better).
## Then, where real ZFS is at hand (the lab is installed, or GOZFS_DIRECT=1), bench-lab.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./... | tee .bench.out
	@if [ "$$GOZFS_DIRECT" = 1 ] || $(LAB)/zfslab check; then $(MAKE) --no-print-directory bench-lab | tee -a .bench.out; \
	else echo "bench-lab skipped: no real ZFS here (make lab-setup installs the lab)"; fi
	@echo; echo "== headline ratios (ours / baseline; higher is better) =="; \
	grep -E '[0-9.]+ ratio' .bench.out | awk '{for (i=1;i<=NF;i++) if ($$(i+1)=="ratio" || $$(i+1)=="cpu-ratio") printf "%-60s %-10s %s\n", $$1, $$(i+1), $$i}'

## bench-lab: the end-to-end listing benchmark on real ZFS (in the lab unless GOZFS_DIRECT=1):
## GOZFS_BENCH_SNAPSHOTS snapshots (default 100000) listed through the SDK and by zfs alone.
bench-lab:
	@mkdir -p .build && $(GO) test -tags zfs -c -o .build/zfs-bench.test ./zfs
	@cd zfs && if [ "$$GOZFS_DIRECT" = 1 ]; then ../.build/zfs-bench.test $(LABBENCHFLAGS); \
	else ../$(LAB)/zfslab run --timeout 4h -- ../.build/zfs-bench.test $(LABBENCHFLAGS); fi

## soak: reliability at scale on real ZFS (in the lab unless GOZFS_DIRECT=1); not part of
## `make test`, which runs the same checks with small counts (recv's TestIntegrationSoak):
## 1,000 transfers cancelled at random points (send side, receive side, transforms, network)
## leaving no process, goroutine, descriptor or dataset; a receiver killed at 20 random points
## of a large stream, resumed to an identical result; concurrent listings and snapshots on one
## client; a receive into a pool that runs out of space. Prints the counts (SOAK lines).
SOAKFLAGS = -test.run '^TestIntegrationSoak$$' -test.v -test.timeout 8h
soak: SHELL := /bin/bash
soak: lab-setup
	@mkdir -p .build && $(GO) test -tags zfs -c -o .build/recv-soak.test ./recv
	@cd recv && if [ "$$GOZFS_DIRECT" = 1 ]; then GOZFS_SOAK=1 ../.build/recv-soak.test $(SOAKFLAGS); \
	else GOZFS_SOAK=1 ../$(LAB)/zfslab run --timeout 8h -- ../.build/recv-soak.test $(SOAKFLAGS); fi | tee ../.soak.out; \
	status=$${PIPESTATUS[0]}; echo; echo "== soak counts =="; grep -E '^SOAK|SOAK cancel' ../.soak.out; exit $$status

## fuzz: run every fuzz target briefly (FUZZTIME, default 10s each).
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf .build .bench.out .soak.out
