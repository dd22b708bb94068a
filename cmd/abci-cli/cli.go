package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/spf13/cobra"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/libs/log"
)

// cli is one invocation of abci-cli: its streams, flag values and the client it opened. It is
// used by one goroutine.
type cli struct {
	in          *bufio.Reader
	out, errOut io.Writer
	root        *cobra.Command

	// Global flags.
	address  string
	abci     string
	verbose  bool
	logLevel string
	// query flags.
	path   string
	height int64
	prove  bool
	// kvstore flags.
	persist            string
	addrAlias          string
	snapshotInterval   uint64
	snapshotKeepRecent int
	snapshotChunkSize  int
	retainBlocks       int64

	logger      log.Logger
	conn        client.Client
	closeClient func()

	// onListen, when set (tests), is told the address the kvstore command listens on.
	onListen func(net.Addr)
}

// newCLI builds the command tree reading commands (console, batch) from in and printing
// results to out and logs to errOut.
func newCLI(in io.Reader, out, errOut io.Writer) *cli {
	c := &cli{in: bufio.NewReader(in), out: out, errOut: errOut}
	c.root = &cobra.Command{
		Use:   "abci-cli",
		Short: "the ABCI CLI tool wraps an ABCI client",
		Long:  "the ABCI CLI tool wraps an ABCI client and is used for testing ABCI servers",
	}
	c.root.SetErr(errOut)
	pf := c.root.PersistentFlags()
	pf.StringVar(&c.address, "address", "tcp://0.0.0.0:26658", "address of application socket")
	pf.StringVar(&c.abci, "abci", client.TransportSocket, "either socket or grpc")
	pf.BoolVarP(&c.verbose, "verbose", "v", false, "print the command and results as if it were a console session")
	pf.StringVar(&c.logLevel, "log_level", "debug", "set the logger level")
	c.addCommands()
	return c
}

// execute runs the command line args and closes the client it opened. The returned error is
// the command's; cobra has already printed it with the usage.
func (c *cli) execute(ctx context.Context, args []string) error {
	c.root.SetArgs(args)
	err := c.root.ExecuteContext(ctx)
	if c.closeClient != nil {
		c.closeClient()
	}
	return err
}

// log returns the logger for --log_level, writing to errOut.
func (c *cli) log() (log.Logger, error) {
	if c.logger == nil {
		l, err := log.New(c.errOut, log.FormatPlain, c.logLevel)
		if err != nil {
			return nil, err
		}
		c.logger = l
	}
	return c.logger, nil
}

// client returns the connection to the application at --address, opening it on first use.
// Like CometBFT's abci-cli it does not give up while the application is not up: it retries
// until the command's context ends.
func (c *cli) client() (client.Client, error) {
	if c.conn != nil {
		return c.conn, nil
	}
	logger, err := c.log()
	if err != nil {
		return nil, err
	}
	conn, err := client.NewClient(c.address, c.abci, false, client.WithLogger(logger.With("module", "abci-client")))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- conn.Run(ctx) }()
	c.conn = conn
	c.closeClient = func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, client.ErrClientClosed) {
			logger.Debug("abci client stopped", "err", err)
		}
	}
	return conn, nil
}

// codeBad is the code abci-cli itself prints for a command it cannot send (CometBFT: 10).
const codeBad uint32 = 10

func (c *cli) printf(format string, args ...any) {
	fmt.Fprintf(c.out, format, args...)
}
