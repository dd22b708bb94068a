package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/abci/server"
)

func startKVStore(t *testing.T) string {
	t.Helper()
	ln, err := server.Listen("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := kvstore.NewInMemoryApplication(kvstore.Options{})
	srv, err := server.NewSocketServer("tcp://"+ln.Addr().String(), app, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		app.Close()
	})
	return "tcp://" + ln.Addr().String()
}

func TestCommandPasses(t *testing.T) {
	a, b := startKVStore(t), startKVStore(t)
	var out, errOut bytes.Buffer
	code := run([]string{"-app1", a, "-app2", b, "-heights", "12", "-seed", "3", "-ballot-ops", "-strict",
		"-restart-exec", `echo "restart $APP_INDEX $APP_ADDR" >&2`}, &out, &errOut)
	if code != 0 || !strings.HasPrefix(out.String(), "PASS seed=3 heights=12 ") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out.String(), errOut.String())
	}
	if want := "restart 1 " + a + "\nrestart 2 " + b + "\n"; errOut.String() != want {
		t.Errorf("restart command output %q, want %q", errOut.String(), want)
	}
}

func TestCommandFailsWithSeed(t *testing.T) {
	a := startKVStore(t)
	var out, errOut bytes.Buffer
	if code := run([]string{"-app1", a, "-heights", "2", "-seed", "8", "-restart-at", "-1"}, &out, &errOut); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, out.String())
	}
	out.Reset()
	// The app now has state: the harness refuses it, naming the seed.
	code := run([]string{"-app1", a, "-heights", "2", "-seed", "8"}, &out, &errOut)
	if code != 1 || !strings.HasPrefix(out.String(), "FAIL seed=8: appconformance: seed 8: height 0") {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if code := run([]string{"-heights", "x"}, &out, &errOut); code != 2 {
		t.Errorf("bad flag: exit %d", code)
	}
}
