# ballot — build, test, lint and code generation.
# Every target works on a fresh clone once `.ci/run` (or `make tools`) has installed the tools.

GO            ?= go
BIN_DIR       ?= build
GOPATH_BIN    := $(shell $(GO) env GOPATH)/bin
GOGOPROTO_VER := v1.7.2
STATICCHECK_VER := v0.8.2
PKGS          := ./...

.PHONY: all build install test test-short lint fmt vet staticcheck proto proto-check tools clean

all: build

## build: compile the ballot and abci-cli binaries into ./build
build:
	$(GO) build -o $(BIN_DIR)/ ./cmd/...

## install: install the binaries into $GOPATH/bin
install:
	$(GO) install ./cmd/...

## test: every test, with the race detector; then the simulator's seed set without it
test:
	$(GO) test -race -count=1 $(PKGS)
	$(MAKE) --no-print-directory sim

.PHONY: sim sim-soak
SOAK ?= 1h

## sim: the simulator's CI seed set over every scenario, its negative controls and the planted-bug
## builds, without -race (under -race, make test runs only a smoke run of each scenario)
sim:
	$(GO) test -count=1 ./test/sim/...

## sim-soak: run seeds of every safe scenario for SOAK (default 1h); reports runs/s and simulated time/s
sim-soak:
	$(GO) run ./test/sim/cmd/ballot-sim -soak $(SOAK)

## test-short: the quick tests without -race (for a fast edit loop)
test-short:
	$(GO) test -short $(PKGS)

## lint: gofmt, go vet and staticcheck
lint: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	@test -x $(GOPATH_BIN)/staticcheck || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VER)
	$(GOPATH_BIN)/staticcheck $(PKGS)

## proto: regenerate the Go code for every .proto file under proto/
proto:
	@test -x $(GOPATH_BIN)/protoc-gen-gocosmos || $(GO) install github.com/cosmos/gogoproto/protoc-gen-gocosmos@$(GOGOPROTO_VER)
	PATH="$(GOPATH_BIN):$$PATH" ./scripts/protogen.sh

## proto-check: fail if the committed generated code differs from what `make proto` produces
proto-check: proto
	@if [ -n "$$(git status --porcelain -- proto)" ]; then \
		echo "generated proto code is out of date; run 'make proto' and commit:"; \
		git status --porcelain -- proto; exit 1; fi

## tools: install the code generators and linters
tools:
	$(GO) install github.com/cosmos/gogoproto/protoc-gen-gocosmos@$(GOGOPROTO_VER)
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VER)

clean:
	rm -rf $(BIN_DIR)

## jepsen: one fault-test profile on real processes, report under build/fault-runs
##         (PROFILE=quick|restarts|kill9|crash-all|partitions|negative-control; JEPSEN_FLAGS=-seed N ...)
.PHONY: jepsen jepsen-quick
PROFILE ?= quick
jepsen:
	$(GO) run ./test/jepsen/cmd -profile $(PROFILE) $(JEPSEN_FLAGS)

## jepsen-quick: the fault tests `make test` runs (quick profile and negative control)
jepsen-quick:
	$(GO) test -race -count=1 -run 'TestQuickProfile|TestNegativeControl' -v ./test/jepsen/

## bench: the standard benchmark (issue 9, scripts/bench): ballot, then CometBFT v0.38.26, each
##        profile on a fresh 4-validator loopback network, then both side by side; results in
##        build/bench (BENCH_PROFILES="fixed1000 step"; needs cometbft in $GOPATH/bin, jq, curl)
.PHONY: bench bench-go
BENCH_PROFILES ?= fixed1000 step
bench:
	scripts/bench/ballot.sh $(BENCH_PROFILES)
	scripts/bench/cometbft.sh $(BENCH_PROFILES)
	scripts/bench/compare.sh | tee "$${BENCH_OUT:-build/bench}/compare.txt"

## bench-go: the hot-path Go benchmarks (BENCH_GO_FLAGS="-benchtime 2s -count 1 ...")
BENCH_GO_PKGS ?= ./types/ ./state/ ./mempool/ ./consensus/wal/ ./rpc/core/ ./p2p/conn/ ./crypto/ed25519/
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem $(BENCH_GO_FLAGS) $(BENCH_GO_PKGS)
