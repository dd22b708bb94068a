package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
)

// startKVStore runs "abci-cli kvstore" in process on a loopback port and returns its address;
// the server stops when the test ends.
func startKVStore(t *testing.T, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	var logs bytes.Buffer
	c := newCLI(strings.NewReader(""), &bytes.Buffer{}, &logs)
	c.onListen = func(a net.Addr) { addrs <- a }
	args := append([]string{"--address", "tcp://127.0.0.1:0", "--log_level", "error", "kvstore", "--persist", t.TempDir()}, extra...)
	go func() { done <- c.execute(ctx, args) }()
	var addr net.Addr
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatalf("kvstore exited: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("kvstore: %v\n%s", err, logs.String())
		}
	})
	return "tcp://" + addr.String()
}

// run executes one abci-cli command line against addr and returns its stdout and error.
func run(t *testing.T, addr, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := newCLI(strings.NewReader(stdin), &out, &errOut)
	err := c.execute(context.Background(), append([]string{"--address", addr, "--log_level", "error"}, args...))
	return out.String(), err
}

func mustRun(t *testing.T, addr, stdin string, args ...string) string {
	t.Helper()
	out, err := run(t, addr, stdin, args...)
	if err != nil {
		t.Fatalf("abci-cli %q: %v\n%s", args, err, out)
	}
	return out
}

// TestCommandsMatchCometBFT runs a session whose expected output is what CometBFT v0.38.26's
// abci-cli printed against its own kvstore for the same commands.
func TestCommandsMatchCometBFT(t *testing.T) {
	addr := startKVStore(t)
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"echo", "hello"}, "-> code: OK\n-> data: hello\n-> data.hex: 0x68656C6C6F\n"},
		{[]string{"info"}, "-> code: OK\n-> data: {\"size\":0}\n-> data.hex: 0x7B2273697A65223A307D\n"},
		{[]string{"check_tx", `"a=b"`}, "-> code: OK\n"},
		{[]string{"check_tx", `"abc"`}, "-> code: 2\n"},
		{[]string{"check_tx", "0x613A62"}, "-> code: OK\n"},
		{[]string{"-v", "check_tx", `"val=ed25519!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=!3"`},
			"> check_tx \"val=ed25519!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=!3\"\n-> code: OK\n"},
		{[]string{"finalize_block", `"a=b"`, `"c=d"`}, "-> code: OK\n-> code: OK\n-> code: OK\n-> data.hex: 0x0400000000000000\n"},
		{[]string{"commit"}, "-> code: OK\n"},
		{[]string{"-v", "finalize_block", `"e=f"`}, "> finalize_block \"e=f\"\n-> code: OK\n-> code: OK\n-> data.hex: 0x0600000000000000\n"},
		{[]string{"commit"}, "-> code: OK\n"},
		{[]string{"query", `"a"`}, "-> code: OK\n-> log: exists\n-> height: 0\n-> key: a\n-> key.hex: 61\n-> value: b\n-> value.hex: 62\n"},
		{[]string{"-v", "query", `"zz"`}, "> query \"zz\"\n-> code: OK\n-> log: does not exist\n-> height: 0\n-> key: zz\n-> key.hex: 7A7A\n"},
		{[]string{"query", "--prove", `"c"`}, "-> code: OK\n-> log: exists\n-> height: 0\n-> key: c\n-> key.hex: 63\n-> value: d\n-> value.hex: 64\n"},
		{[]string{"query", "--path", "/val", "0x00"}, "-> code: OK\n-> height: 0\n-> key: \x00\n-> key.hex: 00\n"},
		{[]string{"prepare_proposal", `"a:b"`, `"x"`, `"c=d"`}, "-> code: OK\n-> log: Succeeded. Tx: a=b\n-> code: OK\n-> log: Succeeded. Tx: c=d\n"},
		{[]string{"process_proposal", `"a=b"`}, "-> code: OK\n-> status: ACCEPT\n"},
		{[]string{"-v", "process_proposal", `"x"`}, "> process_proposal \"x\"\n-> code: OK\n-> status: REJECT\n"},
		{[]string{"process_proposal"}, "-> code: OK\n-> status: ACCEPT\n"},
		{[]string{"info"}, "-> code: OK\n-> data: {\"size\":3}\n-> data.hex: 0x7B2273697A65223A337D\n"},
		{[]string{"version"}, "2.0.0\n"},
	}
	for _, s := range steps {
		if got := mustRun(t, addr, "", s.args...); got != s.want {
			t.Errorf("abci-cli %q:\n got %q\nwant %q", s.args, got, s.want)
		}
	}
}

func TestBadArguments(t *testing.T) {
	addr := startKVStore(t)
	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"check_tx", "a=b"}, `invalid string arg: "a=b". Must be quoted or a "0x"-prefixed hex string`},
		{[]string{"check_tx", "0xZZ"}, "error decoding hex argument: encoding/hex: invalid byte: U+005A 'Z'"},
		{[]string{"query", `"`}, `invalid string arg: """. Must be quoted or a "0x"-prefixed hex string`},
		{[]string{"check_tx"}, "accepts 1 arg(s), received 0"},
		{[]string{"--abci", "grpc", "info"}, `abci client: transport "grpc" is not supported (use "socket")`},
		{[]string{"--log_level", "loud", "info"}, `log: unknown level "loud" (want debug, info, error or none)`},
	} {
		out, err := run(t, addr, "", c.args...)
		if err == nil || err.Error() != c.err {
			t.Errorf("abci-cli %q: error %v, want %q", c.args, err, c.err)
		}
		if out != "" {
			t.Errorf("abci-cli %q printed %q", c.args, out)
		}
	}
}

func TestConsole(t *testing.T) {
	addr := startKVStore(t)
	in := "echo hi\n\ncheck_tx \"k=v\"\nfinalize_block \"k=v\"\ncommit\nquery \"k\"\nfoo bar\nFINALIZE_BLOCK\ncheck_tx"
	got := mustRun(t, addr, in, "console")
	want := "> -> code: OK\n-> data: hi\n-> data.hex: 0x6869\n" +
		"> > -> code: OK\n" +
		"> -> code: OK\n-> code: OK\n-> data.hex: 0x0200000000000000\n" +
		"> -> code: OK\n" +
		"> -> code: OK\n-> log: exists\n-> height: 0\n-> key: k\n-> key.hex: 6B\n-> value: v\n-> value.hex: 76\n" +
		"> -> code: 10\n-> log: unimplemented command args: [foo bar]\nAvailable commands:\n" +
		"echo: have the application echo a message\ncheck_tx: validate a transaction\n" +
		"commit: commit the application state and return the Merkle root hash\n" +
		"finalize_block: deliver a block of transactions to the application\n" +
		"info: get some info about the application\nquery: query the application state\n" +
		"prepare_proposal: prepare proposal\nprocess_proposal: process proposal\n" +
		"Use \"[command] --help\" for more information about a command.\n" +
		"> -> code: 10\n-> log: Must provide at least one transaction\n" +
		"> -> code: 10\n" +
		"> \n"
	if got != want {
		t.Errorf("console output:\n got %q\nwant %q", got, want)
	}

	// A failing command ends the console with its error.
	out, err := run(t, addr, "echo a\ncheck_tx unquoted\necho b\n", "console")
	if err == nil || !strings.Contains(err.Error(), "invalid string arg") || strings.Contains(out, "data: b") {
		t.Errorf("console after a bad line: %v, %q", err, out)
	}
}

func TestBatch(t *testing.T) {
	addr := startKVStore(t)
	in := "check_tx 0x00\n\n-v info\nfinalize_block 0x613D62 0xff\n"
	got := mustRun(t, addr, in, "-v", "batch")
	want := "> check_tx 0x00\n-> code: 2\n\n" +
		"> info \n-> code: OK\n-> data: {\"size\":0}\n-> data.hex: 0x7B2273697A65223A307D\n\n" +
		"> finalize_block 0x613D62 0xff\n-> code: OK\n-> code: 2\n-> log: expected key=value, key:value, val=<type>!<pubkey>!<power>, get:<key>:<nonce> or cas:<key>:<expected>:<new>[:<nonce>]\n-> code: OK\n-> data.hex: 0x0400000000000000\n\n"
	if got != want {
		t.Errorf("batch output:\n got %q\nwant %q", got, want)
	}
	if _, err := run(t, addr, strings.Repeat("x", maxLineLength+1), "batch"); err == nil || err.Error() != "input line is too long" {
		t.Errorf("long line: %v", err)
	}
}

func TestSelfTest(t *testing.T) {
	addr := startKVStore(t)
	got := mustRun(t, addr, "", "test")
	want := strings.Repeat("Passed test: ", 1) + "InitChain\n"
	if !strings.HasPrefix(got, want) || strings.Count(got, "Passed test: ") != 12 || strings.Contains(got, "Failed") {
		t.Fatalf("test output:\n%s", got)
	}
	// Run again on the same (no longer fresh) app: the app hash expectations fail.
	out, err := run(t, addr, "", "test")
	if err == nil || !strings.Contains(out, "Failed test: FinalizeBlock\napplication hash was unexpected") {
		t.Fatalf("second run: %v\n%s", err, out)
	}
}

func TestKVStoreFlags(t *testing.T) {
	// --addr is accepted as an alias of --address; snapshot flags reach the app (a snapshot of
	// height 0 is never taken, so commits at abci-cli's height 0 succeed with them set).
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	c := newCLI(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	c.onListen = func(a net.Addr) { addrs <- a }
	go func() {
		done <- c.execute(ctx, []string{"--log_level", "none", "kvstore", "--addr", "tcp://127.0.0.1:0",
			"--persist", t.TempDir(), "--snapshot-interval", "1", "--snapshot-chunk-size", "8"})
	}()
	addr := "tcp://" + (<-addrs).String()
	mustRun(t, addr, "", "finalize_block", `"a=b"`)
	mustRun(t, addr, "", "commit")
	if got := mustRun(t, addr, "", "query", `"a"`); !strings.Contains(got, "-> value: b\n") {
		t.Errorf("query: %q", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	_, err := run(t, "tcp://127.0.0.1:0", "", "--abci", "grpc", "kvstore")
	if err == nil || !strings.Contains(err.Error(), `transport "grpc" is not supported`) {
		t.Errorf("kvstore over grpc: %v", err)
	}
}

func TestArgBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		ok   bool
	}{
		{`"abc"`, "abc", true},
		{`""`, "", true},
		{"0x00ff", "\x00\xff", true},
		{"0X6162", "ab", true},
		{"0x", "", false},
		{"abc", "", false},
		{`"`, "", false},
		{`"abc`, "", false},
	} {
		got, err := argBytes(c.in)
		if (err == nil) != c.ok || (c.ok && string(got) != c.want) {
			t.Errorf("argBytes(%q) = %q, %v", c.in, got, err)
		}
	}
}
