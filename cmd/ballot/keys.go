package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ballot-bft/ballot/crypto/encoding"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/privval"
)

func newShowNodeIDCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "show-node-id",
		Aliases: []string{"show_node_id"},
		Short:   "Show this node's ID",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			key, err := p2p.LoadNodeKey(e.cfg.NodeKeyFile())
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(e.stdout, key.ID())
			return err
		},
	}
}

func newShowValidatorCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "show-validator",
		Aliases: []string{"show_validator"},
		Short:   "Show this node's validator public key",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			keyFile := e.cfg.PrivValidatorKeyFile()
			exists, err := fileExists(keyFile)
			if err != nil {
				return err
			}
			if !exists {
				return fmt.Errorf("private validator file %s does not exist", keyFile)
			}
			pv, err := privval.LoadFilePV(keyFile, e.cfg.PrivValidatorStateFile())
			if err != nil {
				return err
			}
			pubKey, err := pv.PubKey()
			if err != nil {
				return err
			}
			out, err := json.Marshal(encoding.JSONPubKey{PubKey: pubKey})
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(e.stdout, string(out))
			return err
		},
	}
}

func newGenValidatorCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "gen-validator",
		Aliases: []string{"gen_validator"},
		Short:   "Generate a new validator key and print it as JSON (writes nothing)",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			pv := privval.GenFilePV("", "")
			out, err := json.Marshal(struct {
				Key           privval.FilePVKey           `json:"Key"`
				LastSignState privval.FilePVLastSignState `json:"LastSignState"`
			}{pv.Key(), pv.LastSignState()})
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(e.stdout, string(out))
			return err
		},
	}
}

func newGenNodeKeyCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "gen-node-key",
		Aliases: []string{"gen_node_key"},
		Short:   "Generate a node key for this node and print its ID",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			path := e.cfg.NodeKeyFile()
			exists, err := fileExists(path)
			if err != nil {
				return err
			}
			if exists {
				return fmt.Errorf("node key at %s already exists", path)
			}
			key := p2p.GenNodeKey()
			if err := key.SaveAs(path); err != nil {
				return err
			}
			_, err = fmt.Fprintln(e.stdout, key.ID())
			return err
		},
	}
}
