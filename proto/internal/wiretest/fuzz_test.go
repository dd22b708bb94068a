package wiretest

import (
	"bytes"
	"testing"

	"github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/proto/tendermint/blocksync"
	"github.com/ballot-bft/ballot/proto/tendermint/consensus"
	"github.com/ballot-bft/ballot/proto/tendermint/p2p"
	"github.com/ballot-bft/ballot/proto/tendermint/privval"
)

// decoders builds a fresh message for each decoder of outside bytes: ABCI
// frames, MConnection packets, reactor messages, WAL records, remote signer.
var decoders = []struct {
	name string
	make func() wireMessage
}{
	{"abci.Request", func() wireMessage { return new(abci.Request) }},
	{"abci.Response", func() wireMessage { return new(abci.Response) }},
	{"p2p.Packet", func() wireMessage { return new(p2p.Packet) }},
	{"p2p.Message", func() wireMessage { return new(p2p.Message) }},
	{"p2p.DefaultNodeInfo", func() wireMessage { return new(p2p.DefaultNodeInfo) }},
	{"consensus.Message", func() wireMessage { return new(consensus.Message) }},
	{"consensus.TimedWALMessage", func() wireMessage { return new(consensus.TimedWALMessage) }},
	{"blocksync.Message", func() wireMessage { return new(blocksync.Message) }},
	{"privval.Message", func() wireMessage { return new(privval.Message) }},
}

// fuzzSeeds are message bodies (no length prefix) from the vector tests.
var fuzzSeeds = []string{
	"12 00", "1a 00", "5a 00", "62 00",
	"1a 14 0a 07 30 2e 33 38 2e 32 36 10 0b 18 08 22 05 32 2e 30 2e 30",
	"22 1f 0a 0a 7b 22 73 69 7a 65 22 3a 30 7d 12 05 32 2e 30 2e 30 18 01 2a 08 00 00 00 00 00 00 00 00",
	"42 05 0a 03 61 3d 62", "4a 02 28 01", "92 01 02 08 01", "9a 01 07 0a 05 65 78 74 2d 32",
	"a2 01 11 12 00 28 03 32 0b 08 80 92 b8 c3 98 fe ff ff ff 01",
	"0a00", "1200", "1a09082010011a03616263",
	"0a080805100118032002", "3a080805100118012002", "4a 0c 08 02 10 01 18 01 22 02 12 00 2a 00",
	"0a020807", "2200", "2a04080a1001",
	"0a 02 08 01 12 04 22 02 08 01",
	"0a 02 08 01 12 13 12 11 0a 0a 3a 08 08 05 10 01 18 01 20 02 12 03 61 62 63",
	"0a 02 08 01 12 0a 1a 08 0a 02 08 01 10 05 20 03",
	"1a 1a 0a 15 08 01 10 01 22 02 12 00 2a 0b 08 80 92 b8 c3 98 fe ff ff ff 01 12 01 63",
	"0a040808100b1228326334653464316465366662666330356439353066633765363436316265333030376464313665341a137463703a2f2f302e302e302e303a3236363536220a746573742d636861696e2a07302e33382e3236320a402021222330386061003a056e6f646530421b0a026f6e12157463703a2f2f3132372e302e302e313a3236363537",
	"1a b2 02 0a af 02 " + genesisBlockHex,
}

// FuzzDecode feeds arbitrary bytes to every decoder. Decoding may fail but
// must not panic; a decoded message must re-encode, the re-encoding must
// decode again, and encoding is then stable (unknown fields are dropped on
// the first pass, so only the second encoding must equal the first).
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range decoders {
			msg := d.make()
			if err := msg.Unmarshal(data); err != nil {
				continue
			}
			first, err := msg.Marshal()
			if err != nil {
				t.Fatalf("%s: decoded %x but cannot re-encode: %v", d.name, data, err)
			}
			if len(first) != msg.Size() {
				t.Fatalf("%s: Size() %d, encoding %d bytes", d.name, msg.Size(), len(first))
			}
			again := d.make()
			if err := again.Unmarshal(first); err != nil {
				t.Fatalf("%s: own encoding %x does not decode: %v", d.name, first, err)
			}
			second, err := again.Marshal()
			if err != nil {
				t.Fatalf("%s: second encode: %v", d.name, err)
			}
			if !bytes.Equal(first, second) {
				t.Fatalf("%s: encoding not stable\nfirst  %x\nsecond %x", d.name, first, second)
			}
		}
	})
}
