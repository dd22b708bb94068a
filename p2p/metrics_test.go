package p2p_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	gogotypes "github.com/cosmos/gogoproto/types"

	"github.com/ballot-bft/ballot/libs/metrics/prom"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/p2ptest"
	bcproto "github.com/ballot-bft/ballot/proto/tendermint/blocksync"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	mempoolpb "github.com/ballot-bft/ballot/proto/tendermint/mempool"
	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// The labels are CometBFT's: the message carried by a reactor's wrapper, named
// <package>_<type>, and the channel in hex.
func TestMetricLabels(t *testing.T) {
	for _, tc := range []struct {
		msg  interface{ ProtoMessage() }
		want string
	}{
		{&consensuspb.Message{Sum: &consensuspb.Message_Vote{Vote: &consensuspb.Vote{}}}, "consensus_Vote"},
		{&consensuspb.Message{Sum: &consensuspb.Message_NewRoundStep{}}, "consensus_NewRoundStep"},
		{&mempoolpb.Message{Sum: &mempoolpb.Message_Txs{Txs: &mempoolpb.Txs{}}}, "mempool_Txs"},
		{&bcproto.Message{Sum: &bcproto.Message_StatusResponse{}}, "blocksync_StatusResponse"},
		{&tmp2p.Message{Sum: &tmp2p.Message_PexAddrs{}}, "p2p_PexAddrs"},
		{&tmproto.EvidenceList{}, "types_EvidenceList"},
		{&consensuspb.Message{}, "consensus_Message"},
		{&gogotypes.BytesValue{}, "types_BytesValue"},
	} {
		msg := tc.msg.(interface {
			ProtoMessage()
			Reset()
			String() string
		})
		if got := p2p.MessageTypeLabel(msg); got != tc.want {
			t.Errorf("MessageTypeLabel(%T) = %q, want %q", tc.msg, got, tc.want)
		}
	}
	for id, want := range map[byte]string{0x00: "0x0", 0x20: "0x20", 0x38: "0x38", 0xff: "0xff"} {
		if got := p2p.ChannelLabel(id); got != want {
			t.Errorf("ChannelLabel(%#x) = %q, want %q", id, got, want)
		}
	}
}

func scrape(t *testing.T, p *prom.Provider) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	p.Handler(0).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	series := map[string]float64{}
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		series[line[:i]] = v
	}
	return series
}

// Sent and received bytes are counted per peer and channel and per message type, for Send,
// TrySend and Broadcast; the peer count follows connections.
func TestSwitchMetrics(t *testing.T) {
	provider := prom.New("cometbft", map[string]string{"chain_id": "p2p-test"})
	m := p2p.NewMetrics(provider)
	init, recs := recorders(2)
	sws := p2ptest.MakeConnectedSwitches(t, 2, init, p2ptest.WithSwitchOptions(p2p.WithMetrics(m)))
	id0, id1 := sws[0].NodeInfo().ID, sws[1].NodeInfo().ID
	<-recs[0].Added
	<-recs[1].Added

	hello := p2ptest.Bytes([]byte("hello")) // 7 bytes encoded
	if !peerOf(t, sws[0], id1).Send(hello) {
		t.Fatal("Send failed")
	}
	<-recs[1].Received
	if !peerOf(t, sws[0], id1).TrySend(hello) {
		t.Fatal("TrySend failed")
	}
	<-recs[1].Received
	sws[1].Broadcast(p2ptest.Bytes([]byte("to all"))) // 8 bytes
	<-recs[0].Received

	ch := p2p.ChannelLabel(p2ptest.TestChannel)
	chain := `chain_id="p2p-test"`
	got := scrape(t, provider)
	for series, want := range map[string]float64{
		"cometbft_p2p_peers{" + chain + "}": 1,
		`cometbft_p2p_peer_send_bytes_total{chID="` + ch + `",` + chain + `,peer_id="` + string(id1) + `"}`:    14,
		`cometbft_p2p_peer_receive_bytes_total{chID="` + ch + `",` + chain + `,peer_id="` + string(id0) + `"}`: 14,
		`cometbft_p2p_peer_send_bytes_total{chID="` + ch + `",` + chain + `,peer_id="` + string(id0) + `"}`:    8,
		`cometbft_p2p_peer_receive_bytes_total{chID="` + ch + `",` + chain + `,peer_id="` + string(id1) + `"}`: 8,
		"cometbft_p2p_message_send_bytes_total{" + chain + `,message_type="types_BytesValue"}`:                 22,
		"cometbft_p2p_message_receive_bytes_total{" + chain + `,message_type="types_BytesValue"}`:              22,
		"cometbft_p2p_peer_pending_send_bytes{" + chain + `,peer_id="` + string(id1) + `"}`:                    0,
	} {
		if v, ok := got[series]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", series, v, ok, want)
		}
	}

	sws[0].StopPeerGracefully(peerOf(t, sws[0], id1))
	for _, sw := range sws {
		for {
			changed := sw.PeersChanged()
			if len(sw.Peers()) == 0 {
				break
			}
			<-changed
		}
	}
	// Both switches share the metrics here; each sets the gauge when its peer is gone.
	if v := scrape(t, provider)["cometbft_p2p_peers{"+chain+"}"]; v != 0 {
		t.Errorf("peers after the disconnection: %v", v)
	}
}
