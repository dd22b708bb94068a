package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ballot-bft/ballot/consensus/wal"
)

// newWALCmd is `ballot wal`: inspect, check and repair the consensus write-ahead log. The node must
// be stopped: these commands read and rewrite the files directly.
func newWALCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "wal",
		Short: "Inspect, check and repair the consensus write-ahead log (the node must be stopped)",
	}
	var file string
	cmd.PersistentFlags().StringVar(&file, "file", "", "WAL file to work on (default: consensus.wal_file of the config)")
	path := func() string {
		if file != "" {
			return file
		}
		return e.cfg.Consensus.WalFile()
	}

	var (
		height int64
		round  int32
		kinds  string
	)
	dump := &cobra.Command{
		Use:   "dump",
		Short: "Print the WAL's records, one per line, optionally filtered",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filter := wal.Filter{Height: height}
			if cmd.Flags().Changed("round") {
				filter.Round = &round
			}
			for _, name := range splitList(kinds) {
				kind, err := wal.ParseKind(name)
				if err != nil {
					return err
				}
				filter.Kinds = append(filter.Kinds, kind)
			}
			files, err := wal.Files(path())
			if err != nil {
				return err
			}
			for _, f := range files {
				if err := wal.Dump(e.stdout, f, filter); err != nil {
					return err
				}
			}
			return nil
		},
	}
	dump.Flags().Int64Var(&height, "height", 0, "only records of this height")
	dump.Flags().Int32Var(&round, "round", 0, "only records of this round")
	dump.Flags().StringVar(&kinds, "type", "", fmt.Sprintf("only records of these comma-separated types (%s)", kindNames()))

	check := &cobra.Command{
		Use:   "check",
		Short: "Report damage in the WAL files without changing them",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			files, err := wal.Files(path())
			if err != nil {
				return err
			}
			damaged := 0
			for _, f := range files {
				report, err := wal.Check(f)
				if err != nil {
					return err
				}
				fmt.Fprintln(e.stdout, report.String())
				if !report.Intact() {
					damaged++
				}
			}
			if damaged > 0 {
				return fmt.Errorf("%d damaged WAL file(s); `ballot wal repair` cuts a file back to its last intact record", damaged)
			}
			return nil
		},
	}

	repair := &cobra.Command{
		Use:   "repair",
		Short: "Cut the head WAL file back to the records before its first damage (a copy is kept as <file>.CORRUPTED)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			kept, dropped, err := wal.Repair(path())
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "repaired %s: kept %d records, dropped %d bytes (the original is %s.CORRUPTED)\n", path(), kept, dropped, path())
			return nil
		},
	}
	cmd.AddCommand(dump, check, repair)
	return cmd
}

func kindNames() string {
	var names []string
	for _, k := range wal.Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
