package config

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ballot-bft/ballot/internal/atomicfile"
)

// fileHeader opens every config.toml this package writes.
const fileHeader = `# Configuration of a ballot node (config.toml of CometBFT v` + CompatibleCometBFTVersion + `).
#
# Syntax: TOML (https://toml.io). Durations are Go duration strings such as
# "500ms", "10s" or "1m0s". Relative paths are resolved against the home
# directory ($BALLOT_HOME, default ~/.ballot).
#
# Every key can be overridden by an environment variable BALLOT_<SECTION>_<KEY>
# (upper case, "." and "-" written as "_"), e.g. BALLOT_RPC_LADDR, and by the
# command-line flag --<section>.<key>, e.g. --rpc.laddr. Flags win over the
# environment, which wins over this file.
`

// Encode renders cfg as a commented config.toml in CometBFT's layout: the
// top-level keys, then one banner and [section] per section, keys in
// CometBFT's order, each under a comment. Decode of the result restores
// every key of cfg. It fails only for a nil section.
func Encode(cfg *Config) ([]byte, error) {
	if err := cfg.checkSections(); err != nil {
		return nil, err
	}
	s := schema()
	var b bytes.Buffer
	b.WriteString(fileHeader)
	for _, sec := range s.sections {
		writeBanner(&b, sectionTitle[sec.name])
		if sec.name != "" {
			fmt.Fprintf(&b, "[%s]\n", sec.name)
		}
		for _, i := range sec.fields {
			f := &s.fields[i]
			v, err := cfg.fieldValue(f)
			if err != nil {
				return nil, err
			}
			b.WriteByte('\n')
			for _, line := range strings.Split(f.Usage, "\n") {
				b.WriteString("# ")
				b.WriteString(line)
				b.WriteByte('\n')
			}
			fmt.Fprintf(&b, "%s = %s\n", f.Name, formatTOML(f, v))
		}
	}
	return b.Bytes(), nil
}

// writeBanner writes the block of '#' lines that introduces a section.
func writeBanner(b *bytes.Buffer, title string) {
	const width = 72
	rule := strings.Repeat("#", width)
	pad := width - 8 - len(title)
	left := pad / 2
	fmt.Fprintf(b, "\n%s\n###%s%s%s###\n%s\n",
		rule, strings.Repeat(" ", left+1), title, strings.Repeat(" ", pad-left+1), rule)
}

// WriteConfigFile writes cfg (see Encode) to path atomically and durably
// (package internal/atomicfile: temporary file in the same directory,
// fsync, rename, directory fsync), so a crash leaves either the old or the
// new file. The directory must exist. The file mode is 0644.
func WriteConfigFile(path string, cfg *Config) error {
	data, err := Encode(cfg)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	return nil
}
