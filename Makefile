# `make test` is the whole test suite: it installs what the tests need on a
# fresh Debian 12 machine, starts a private desktop session, runs every test,
# stops the session, then checks formatting, vet and the cross-builds.
GO ?= go
export CGO_ENABLED ?= 0

.PHONY: test test-windows deps unit lint cross build build-windows bench bench-owner bench-idle

# The whole suite is strict: a test whose real component (dbus-daemon, tray
# host, setpriv, root) is missing fails instead of skipping, whether or not
# the runner sets CI=true.
test: deps
	TRAYCHECK_REQUIRE_ALL=1 scripts/with-desktop.sh $(GO) test -count=1 -timeout 20m ./...
	$(GO) test -count=200 -run '^(TestRefusals|TestPlainOfferAnswers|TestForgedResponsesDoNothing)$$' ./internal/offer ./internal/tray
	$(MAKE) test-windows
	$(MAKE) lint cross
	$(MAKE) test-dist

# The Windows lane: every Windows test binary and the end-to-end tests of
# traycheck.exe under Wine, in a fresh prefix removed afterwards.
test-windows: deps
	scripts/test-windows.sh

deps:
	scripts/install-deps.sh

unit:
	$(GO) test -count=1 ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt: $$out"; exit 1; fi
	$(GO) vet ./...
	# vet compiles every test binary too, so Windows- and macOS-only code
	# (and its tests) cannot rot unseen.
	GOOS=windows GOARCH=amd64 $(GO) vet ./...
	GOOS=windows GOARCH=arm64 $(GO) vet ./...
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) vet ./...

cross:
	GOOS=linux GOARCH=amd64 $(GO) build -o /dev/null ./...
	GOOS=linux GOARCH=arm64 $(GO) build -o /dev/null ./...
	GOOS=windows GOARCH=amd64 $(GO) build -o /dev/null ./...
	GOOS=windows GOARCH=arm64 $(GO) build -o /dev/null ./...
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) build -o /dev/null ./...

build:
	$(GO) build -o build/traycheck ./cmd/traycheck

build-windows:
	scripts/build-windows.sh amd64

# The README's pictures: the desktop e2e test takes them from the real
# session (Xvfb, xfce4-panel, xfce4-notifyd) and writes small PNGs to
# docs/images/, which are committed.
.PHONY: screenshots
screenshots:
	TRAYCHECK_DOC_IMAGES=$(CURDIR)/docs/images TRAYCHECK_REQUIRE_ALL=1 scripts/with-desktop.sh \
		$(GO) test -count=1 -run '^TestScreenshotsForDocs$$' ./internal/tray/e2e/

.PHONY: dist test-dist

# The release artifacts (.deb, .rpm, .msi, zip, tarballs, SHA256SUMS) in
# build/dist/; SIGN_CERT/SIGN_KEY sign the Windows ones (docs/release.md).
dist:
	scripts/dist.sh

# What CI does with them: build signed with a throw-away certificate (so the
# signing step cannot rot), then install and run each package as a user
# would (needs root: dpkg -i; the package is purged again on any exit).
test-dist: deps
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && scripts/throwaway-cert.sh "$$d" && \
		SIGN_CERT="$$d/cert.pem" SIGN_KEY="$$d/key.pem" scripts/dist.sh && \
		SIGN_CERT="$$d/cert.pem" scripts/test-dist.sh

# Speed and memory goals live in benchmarks and side-by-side scripts, never
# in timed tests.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

bench-owner: deps
	scripts/bench-owner.sh

bench-idle:
	scripts/bench-idle.sh 10
