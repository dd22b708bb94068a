package conn

import (
	"encoding/binary"

	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

// maxPacketSize is the size of the largest Packet accepted from a peer (length prefix excluded):
// a PacketMsg on channel 1 with eof set and a full payload — 1034 bytes for 1024-byte payloads.
func maxPacketSize(maxPayload int) int {
	return (&tmp2p.Packet{Sum: &tmp2p.Packet_PacketMsg{PacketMsg: &tmp2p.PacketMsg{
		ChannelID: 1, EOF: true, Data: make([]byte, maxPayload),
	}}}).Size()
}

// maxFrameSize is the length of a packet of size packetSize with its uvarint length prefix.
func maxFrameSize(packetSize int) int {
	return len(binary.AppendUvarint(nil, uint64(packetSize))) + packetSize
}

var (
	pingPacket = &tmp2p.Packet{Sum: &tmp2p.Packet_PacketPing{PacketPing: &tmp2p.PacketPing{}}}
	pongPacket = &tmp2p.Packet{Sum: &tmp2p.Packet_PacketPong{PacketPong: &tmp2p.PacketPong{}}}
)

// msgPacket returns the Packet carrying one chunk of a channel message.
func msgPacket(chID byte, eof bool, data []byte) *tmp2p.Packet {
	return &tmp2p.Packet{Sum: &tmp2p.Packet_PacketMsg{PacketMsg: &tmp2p.PacketMsg{
		ChannelID: int32(chID), EOF: eof, Data: data,
	}}}
}
