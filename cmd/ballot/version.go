package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ballot-bft/ballot/version"
)

func newVersionCmd(e *env) *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show version info",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if !verbose {
				_, err := fmt.Fprintln(e.stdout, version.String())
				return err
			}
			info := struct {
				Ballot        string `json:"ballot"`
				CometBFT      string `json:"cometbft"`
				ABCI          string `json:"abci"`
				BlockProtocol uint64 `json:"block_protocol"`
				P2PProtocol   uint64 `json:"p2p_protocol"`
			}{version.String(), version.CometBFT, version.ABCI, version.BlockProtocol, version.P2PProtocol}
			out, err := json.MarshalIndent(info, "", "  ")
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(e.stdout, string(out))
			return err
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show protocol and compatibility versions as JSON")
	return cmd
}
