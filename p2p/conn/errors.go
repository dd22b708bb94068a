package conn

import "errors"

// Errors of the SecretConnection handshake and framing. They are returned wrapped with context;
// test for them with errors.Is.
var (
	// ErrSmallOrderRemotePubKey: the peer's ephemeral X25519 key is a low-order point, so the
	// shared secret would be all zeros.
	ErrSmallOrderRemotePubKey = errors.New("secret connection: peer's ephemeral key is a low-order point")
	// ErrReflectedEphemeralKey: the peer sent back our own ephemeral key.
	ErrReflectedEphemeralKey = errors.New("secret connection: peer sent our own ephemeral key")
	// ErrMalformedEphemeralKey: the peer's ephemeral key message is not a 32-byte BytesValue.
	ErrMalformedEphemeralKey = errors.New("secret connection: malformed ephemeral key message")
	// ErrUnsupportedPeerKey: the peer authenticated with a key that is not ed25519.
	ErrUnsupportedPeerKey = errors.New("secret connection: peer's node key is not ed25519")
	// ErrBadAuthSignature: the peer's signature of the handshake challenge does not verify.
	ErrBadAuthSignature = errors.New("secret connection: peer's challenge signature does not verify")
	// ErrFrameDecrypt: a sealed frame failed authentication; the stream is unusable afterwards.
	ErrFrameDecrypt = errors.New("secret connection: frame failed to decrypt")
	// ErrFrameChunkLength: a decrypted frame declares a chunk longer than 1024 bytes.
	ErrFrameChunkLength = errors.New("secret connection: frame chunk length over 1024")
	// ErrNonceOverflow: 2^64 frames were sent or received in one direction.
	ErrNonceOverflow = errors.New("secret connection: frame nonce overflow")
)

// Errors of an MConnection. The error a Run ends with wraps one of these (or an I/O error).
var (
	// ErrUnknownChannel: a packet names a channel this connection does not have.
	ErrUnknownChannel = errors.New("mconnection: unknown channel")
	// ErrRecvMessageTooLarge: a channel message grew past the channel's RecvMessageCapacity.
	ErrRecvMessageTooLarge = errors.New("mconnection: received message exceeds channel capacity")
	// ErrUnknownPacket: a packet holds none of PacketPing, PacketPong, PacketMsg.
	ErrUnknownPacket = errors.New("mconnection: unknown packet type")
	// ErrPongTimeout: the peer did not answer a ping within the pong timeout.
	ErrPongTimeout = errors.New("mconnection: pong timeout")
)
