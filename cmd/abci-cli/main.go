package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := newCLI(os.Stdin, os.Stdout, os.Stderr)
	if err := c.execute(ctx, os.Args[1:]); err != nil {
		fmt.Fprint(os.Stdout, err) // as CometBFT's abci-cli: the bare error, no newline
		stop()
		os.Exit(1)
	}
}
