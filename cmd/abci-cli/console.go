package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// maxLineLength bounds a console or batch line (CometBFT's line reader: 4096 bytes).
const maxLineLength = 4096

func (c *cli) consoleCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "console",
		Short: "start an interactive ABCI console for multiple commands",
		Long: `start an interactive ABCI console for multiple commands

This command opens an interactive console for running any of the other commands
without opening a new connection each time
`,
		Args:      cobra.ExactArgs(0),
		ValidArgs: []string{"echo", "info", "finalize_block", "check_tx", "prepare_proposal", "process_proposal", "commit", "query"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.readCommands(cmd.Context(), true)
		},
	}
}

func (c *cli) batchCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "batch",
		Short: "run a batch of abci commands against an application",
		Long: `run a batch of abci commands against an application

This command is run by piping in a file containing a series of commands
you'd like to run:

    abci-cli batch < example.file

where example.file looks something like:

    check_tx 0x00
    check_tx 0xff
    finalize_block 0x00
    check_tx 0x00
    finalize_block 0x01 0x04 0xff
    info
`,
		Args: cobra.ExactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.readCommands(cmd.Context(), false)
		},
	}
}

// readCommands runs the commands read from stdin, one a line, on one connection, until the
// input ends (nil) or a command fails (its error). The console prompts with "> " before every
// line; batch prints an empty line after every command's results and skips empty lines.
func (c *cli) readCommands(ctx context.Context, console bool) error {
	for {
		if console {
			c.printf("> ")
		}
		line, err := c.readLine()
		if errors.Is(err, io.EOF) {
			if console {
				c.printf("\n")
			}
			return nil
		}
		if err != nil {
			return err
		}
		words := strings.Fields(line)
		if len(words) == 0 {
			continue
		}
		if err := c.runLine(ctx, words); err != nil {
			return err
		}
		if !console {
			c.printf("\n")
		}
	}
}

// readLine returns the next line without its line ending; a last line without one counts.
func (c *cli) readLine() (string, error) {
	var line []byte
	for {
		chunk, isPrefix, err := c.in.ReadLine()
		if err != nil {
			if errors.Is(err, io.EOF) && len(line) > 0 {
				return string(line), nil
			}
			return "", err
		}
		line = append(line, chunk...)
		if len(line) > maxLineLength {
			return "", errors.New("input line is too long")
		}
		if !isPrefix {
			return string(line), nil
		}
	}
}

// runLine runs one console line: a call command and its arguments. Words that look like flags
// are dropped (with the value of a non-boolean flag), as CometBFT's console does; the flags
// given on the command line stay in force.
func (c *cli) runLine(ctx context.Context, words []string) error {
	var args []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if strings.HasPrefix(w, "-") {
			name := strings.TrimLeft(w, "-")
			if !strings.Contains(w, "=") && !isBoolFlag(name) {
				i++ // skip the flag's value too
			}
			continue
		}
		args = append(args, w)
	}
	if len(args) == 0 {
		return nil
	}
	name := strings.ToLower(args[0])
	call, ok := c.calls()[name]
	if !ok {
		c.unimplemented(args[0], words)
		return nil
	}
	return call(ctx, name, args[1:])
}

func isBoolFlag(name string) bool {
	switch name {
	case "v", "verbose", "h", "help", "prove":
		return true
	}
	return false
}

// unimplemented answers an unknown console command as CometBFT's console does.
func (c *cli) unimplemented(name string, words []string) {
	c.printResults(name, words[1:], result{
		Code: codeBad,
		Log:  fmt.Sprintf("unimplemented command args: [%s]", strings.Join(words, " ")),
	})
	c.printf("Available commands:\n")
	for _, cc := range callCommands {
		c.printf("%s: %s\n", cc.use, cc.short)
	}
	c.printf("Use \"[command] --help\" for more information about a command.\n")
}
