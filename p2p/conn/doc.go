// Package conn holds the two layers of a CometBFT v0.38 peer connection below the reactors
// (p2p protocol version 8):
//
//   - SecretConnection: the authenticated, encrypted byte stream built by the station-to-station
//     handshake (X25519 ephemeral keys, a Merlin transcript, HKDF-SHA256, ChaCha20-Poly1305 with
//     1028-byte plaintext frames, an ed25519 signature of the shared challenge). MakeSecretConnection
//     runs the handshake; afterwards Read and Write carry a plain byte stream.
//   - MConnection: multiplexes reactor channels over such a stream with length-delimited
//     tendermint.p2p.Packet messages: PacketMsg chunks of at most MaxPacketMsgPayloadSize bytes
//     reassembled per channel, PacketPing/PacketPong keepalives, per-channel send queues
//     scheduled by priority, a flush throttle and token-bucket send/receive rate limits.
//
// Everything on the wire is byte-for-byte what CometBFT v0.38.26 sends and accepts (see the p2p
// fact sheet, §3 and §5). Every byte from the peer is checked before use: a malformed frame,
// packet or message ends the connection with an error, never a panic.
//
// Concurrency: a SecretConnection allows one concurrent reader and one concurrent writer. An
// MConnection owns its SecretConnection once Run is called: one goroutine sends, one receives,
// and Send/TrySend may be called from any goroutine.
package conn
