package main

import (
	"fmt"
	"os"
)

func main() {
	cmd := newRootCmd(os.Stdout, os.Stderr, os.Environ())
	if err := cmd.Execute(); err != nil {
		fmt.Fprintf(os.Stderr, "ERROR: %v\n", err)
		os.Exit(1)
	}
}
