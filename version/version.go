package version

const (
	// Ballot is this release of ballot.
	Ballot = "0.1.0-dev"

	// CometBFT is the CometBFT release whose protocols, files and interfaces ballot matches.
	CometBFT = "0.38.26"

	// ABCI is the ABCI semantic version reported to applications in Info.
	ABCI = "2.0.0"

	// BlockProtocol is the version of the block data structures and processing rules.
	BlockProtocol uint64 = 11

	// P2PProtocol is the version of the peer-to-peer protocol.
	P2PProtocol uint64 = 8
)

// GitCommit is set at build time with -ldflags "-X github.com/ballot-bft/ballot/version.GitCommit=<hash>".
var GitCommit string

// String returns ballot's version, with the git commit appended when the build recorded one.
func String() string {
	if GitCommit != "" {
		return Ballot + "+" + GitCommit
	}
	return Ballot
}
