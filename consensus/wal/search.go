package wal

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
)

// SearchForEndHeight finds the EndHeight{height} marker and returns a Reader positioned right
// after it, ready to replay height+1. Buffered records are flushed (not synced) first so the
// search sees them.
//
// The files are searched newest to oldest, as CometBFT does, and the search stops early once a
// file ends with a marker below height (0 excepted): older files can only hold lower ones.
// Damaged records met on the way are skipped. If the marker is not found, the result is
// (nil, false, err) with err matching ErrCorrupted and describing the damage when the marker
// might have been in damaged bytes (no lower marker follows the damage), and (nil, false, nil)
// otherwise. Other
// errors are I/O errors.
//
// The caller must Close the Reader. It sees only the records present when SearchForEndHeight
// returned, whatever the WAL writes or rotates afterwards.
func (w *WAL) SearchForEndHeight(height int64) (*Reader, bool, error) {
	if err := w.usable(); err != nil {
		return nil, false, err
	}
	if err := w.buf.Flush(); err != nil {
		return nil, false, w.broken(fmt.Errorf("wal: flushing: %w", err))
	}
	rotated, err := rotatedFiles(w.path)
	if err != nil {
		return nil, false, err
	}
	files := make([]string, 0, len(rotated)+1)
	for _, f := range rotated {
		files = append(files, f.path)
	}
	files = append(files, w.path)

	lastSeen := int64(-1)
	var skipped *CorruptionError
	for i := len(files) - 1; i >= 0; i-- {
		at, err := findEndHeight(files[i], height, &lastSeen, &skipped)
		if err != nil {
			return nil, false, err
		}
		if at != nil {
			r, err := newReader(at, files[i+1:])
			return r, err == nil, err
		}
		if lastSeen > 0 && lastSeen < height {
			break
		}
	}
	if skipped != nil {
		return nil, false, fmt.Errorf("wal: EndHeight{%d} not found, and the search skipped damage: %w", height, skipped)
	}
	return nil, false, nil
}

// position is an open file and a place in it: the file stays open for the Reader.
type position struct {
	path   string
	file   *os.File
	size   int64
	offset int64
	record int
}

// findEndHeight scans the file at path for EndHeight{height}. It updates lastSeen with each
// marker read and, if skipped is still nil, sets it to the first damage that may have hidden
// the marker. If found, it returns the file, still open,
// and the position after the marker.
func findEndHeight(path string, height int64, lastSeen *int64, skipped **CorruptionError) (*position, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("wal: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("wal: %w", err)
	}
	dec := NewDecoder(bufio.NewReaderSize(io.LimitReader(f, info.Size()), 64<<10))
	// damage is the first damaged record that could have been the marker: markers grow in file
	// order, so a marker below height after the damage clears it.
	var damage *CorruptionError
	for {
		msg, err := dec.Decode()
		var corrupt *CorruptionError
		switch {
		case err == nil:
			if end := msg.Msg.GetEndHeight(); end != nil {
				*lastSeen = end.Height
				if end.Height == height {
					return &position{path: path, file: f, size: info.Size(), offset: dec.Offset(), record: dec.Records()}, nil
				}
				if end.Height > 0 && end.Height < height {
					damage = nil
				}
			}
			continue
		case errors.As(err, &corrupt):
			if damage == nil {
				damage = corrupt.inFile(path, info.Size())
			}
			if corrupt.Skippable() {
				continue
			}
		case err != io.EOF:
			f.Close()
			return nil, err
		}
		f.Close()
		if damage != nil && *skipped == nil {
			*skipped = damage
		}
		return nil, nil
	}
}

// Reader reads the records that follow an EndHeight marker, across the rest of the WAL's files.
// It is not safe for concurrent use.
type Reader struct {
	files []*position // the files still to read; files[0] is the current one
	dec   *Decoder
}

// newReader returns a Reader starting at first and continuing through the files at later, which
// it opens now so that rotation cannot move them away.
func newReader(first *position, later []string) (*Reader, error) {
	r := &Reader{files: []*position{first}}
	for _, path := range later {
		f, err := os.Open(path)
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("wal: %w", err)
		}
		info, err := f.Stat()
		if err != nil {
			f.Close()
			r.Close()
			return nil, fmt.Errorf("wal: %w", err)
		}
		r.files = append(r.files, &position{path: path, file: f, size: info.Size()})
	}
	return r, nil
}

// Decode returns the next record, io.EOF after the last one, or a *CorruptionError (naming the
// file) for a damaged one; after a skippable one Decode goes on with the next record.
func (r *Reader) Decode() (*consensuspb.TimedWALMessage, error) {
	for len(r.files) > 0 {
		cur := r.files[0]
		if r.dec == nil {
			if _, err := cur.file.Seek(cur.offset, io.SeekStart); err != nil {
				return nil, fmt.Errorf("wal: %w", err)
			}
			src := bufio.NewReaderSize(io.LimitReader(cur.file, cur.size-cur.offset), 64<<10)
			r.dec = newDecoderAt(src, cur.offset, cur.record)
		}
		msg, err := r.dec.Decode()
		if err == io.EOF {
			cur.file.Close()
			r.files, r.dec = r.files[1:], nil
			continue
		}
		var corrupt *CorruptionError
		if errors.As(err, &corrupt) {
			return nil, corrupt.inFile(cur.path, cur.size)
		}
		return msg, err
	}
	return nil, io.EOF
}

// Close releases the files the Reader still holds.
func (r *Reader) Close() error {
	var first error
	for _, p := range r.files {
		if err := p.file.Close(); err != nil && first == nil {
			first = err
		}
	}
	r.files = nil
	return first
}
