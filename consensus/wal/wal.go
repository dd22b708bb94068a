package wal

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
)

const (
	// DefaultHeadSizeLimit is the head size at which the head is rotated (10 MiB).
	DefaultHeadSizeLimit = 10 << 20
	// DefaultTotalSizeLimit is the group size at which the oldest files are removed (1 GiB).
	DefaultTotalSizeLimit = 1 << 30
	// bufferSize is the size of the write buffer in front of the head file.
	bufferSize = 40 << 10
)

// File is the head file as the WAL writes to it. *os.File satisfies it; tests inject their own to
// observe writes and syncs.
type File interface {
	io.Writer
	// Sync makes everything written so far durable.
	Sync() error
	Close() error
}

// Options configure a WAL. The zero value gives CometBFT's defaults.
type Options struct {
	// HeadSizeLimit is the size at which the head file is rotated: 0 means
	// DefaultHeadSizeLimit, a negative value means never rotate.
	HeadSizeLimit int64
	// TotalSizeLimit is the size of the whole group at which the oldest numbered files are
	// removed after a rotation (the head is never removed): 0 means DefaultTotalSizeLimit, a
	// negative value means no limit.
	TotalSizeLimit int64
	// Now gives the time stamped on each record; nil means time.Now.
	Now func() time.Time
	// OpenFile opens the head file for appending, creating it if needed; nil opens it with
	// os.OpenFile (write-only, append, mode 0600).
	OpenFile func(path string) (File, error)
}

func (o Options) withDefaults() Options {
	if o.HeadSizeLimit == 0 {
		o.HeadSizeLimit = DefaultHeadSizeLimit
	}
	if o.TotalSizeLimit == 0 {
		o.TotalSizeLimit = DefaultTotalSizeLimit
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.OpenFile == nil {
		o.OpenFile = func(path string) (File, error) {
			return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		}
	}
	return o
}

// WAL is an open write-ahead log: a head file that records are appended to, and the numbered
// files rotated out of it. It belongs to one goroutine (see the package documentation).
//
// After an error from the head file (a failed write, flush, sync or rotation) every later call
// returns that error: records written since the last successful FlushAndSync may be lost, and
// the driver must stop, as CometBFT does.
type WAL struct {
	path      string
	opts      Options
	head      File
	buf       *bufio.Writer
	enc       Encoder
	headSize  int64 // bytes written to the head, including those still buffered
	nextIndex int   // the index the head gets at the next rotation
	damage    *CorruptionError
	err       error // sticky failure of the head file
	closed    bool
}

// Open opens the WAL whose head file is path (CometBFT's default is <home>/data/cs.wal/wal),
// creating the directory (mode 0700) and the head file if needed. If the group holds no records
// at all it writes EndHeight{0} with fsync.
//
// Open reads the head file first. If its tail is damaged — its last record is torn, or no
// intact record follows a damaged one — Open returns an error matching ErrCorrupted (a
// *CorruptionError is found by errors.As) that says where, and opens nothing: records appended
// after the damage could not be read back. Repair the head file and open it again. Damage with
// intact records after it is tolerated and reported by Damage.
func Open(path string, opts Options) (*WAL, error) {
	opts = opts.withDefaults()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("wal: creating directory: %w", err)
	}
	rotated, err := rotatedFiles(path)
	if err != nil {
		return nil, err
	}
	w := &WAL{path: path, opts: opts}
	if len(rotated) > 0 {
		w.nextIndex = rotated[len(rotated)-1].index + 1
	}
	info, err := os.Stat(path)
	existed := err == nil
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("wal: %w", err)
	}
	if existed && info.Size() > 0 {
		report, err := Check(path)
		if err != nil {
			return nil, err
		}
		if report.Tail != nil {
			return nil, fmt.Errorf("%w; not appending after it: Repair keeps the %d records before it",
				report.Tail, report.Tail.Record-1)
		}
		w.damage = report.Damage
		w.headSize = report.Size
	}
	if err := w.openHead(); err != nil {
		return nil, err
	}
	if !existed {
		if err := syncDir(filepath.Dir(path)); err != nil {
			_ = w.head.Close()
			return nil, fmt.Errorf("wal: syncing directory: %w", err)
		}
	}
	if len(rotated) == 0 && w.headSize == 0 {
		if err := w.WriteSync(EndHeight(0)); err != nil {
			_ = w.head.Close()
			return nil, err
		}
	}
	return w, nil
}

func (w *WAL) openHead() error {
	head, err := w.opts.OpenFile(w.path)
	if err != nil {
		return fmt.Errorf("wal: opening head: %w", err)
	}
	w.head = head
	if w.buf == nil {
		w.buf = bufio.NewWriterSize(head, bufferSize)
	} else {
		w.buf.Reset(head)
	}
	return nil
}

// Path returns the head file's path.
func (w *WAL) Path() string { return w.path }

// Damage returns the first damaged record Open found in the head file with intact records after
// it, or nil. Such damage does not stop writing, but replay stops at it if it lies after the
// EndHeight marker replay starts from.
func (w *WAL) Damage() *CorruptionError { return w.damage }

// Write appends msg as a record stamped with the clock's time. The record is buffered: it reaches
// the file when the buffer fills or at the next FlushAndSync, and is durable only after
// FlushAndSync. When the head reaches the head size limit it is rotated (flushed, synced and
// renamed to the next numbered file) and the oldest files beyond the total size limit are
// removed. A message too large for a record is refused with an error wrapping ErrTooLarge, and
// a failure to remove old files is returned after the record was written; both leave the WAL
// usable. Any other error is a failure of the head file (see WAL).
func (w *WAL) Write(msg *consensuspb.WALMessage) error {
	if err := w.usable(); err != nil {
		return err
	}
	frame, err := w.enc.frame(&consensuspb.TimedWALMessage{Time: w.opts.Now(), Msg: msg})
	if err != nil {
		return err
	}
	if _, err := w.buf.Write(frame); err != nil {
		return w.broken(fmt.Errorf("wal: writing %s record: %w", KindOf(msg), err))
	}
	w.headSize += int64(len(frame))
	if w.opts.HeadSizeLimit > 0 && w.headSize >= w.opts.HeadSizeLimit {
		return w.rotate()
	}
	return nil
}

// WriteSync appends msg like Write, then flushes and fsyncs the head: when it returns nil the
// record is durable. Use it for the node's own proposal, block parts and votes.
func (w *WAL) WriteSync(msg *consensuspb.WALMessage) error {
	if err := w.Write(msg); err != nil {
		return err
	}
	return w.FlushAndSync()
}

// Flush writes the buffered records to the head file without fsync: they survive the process
// being killed, but not a power loss or an operating-system crash until the next FlushAndSync
// (which covers every record written before it).
func (w *WAL) Flush() error {
	if err := w.usable(); err != nil {
		return err
	}
	if err := w.buf.Flush(); err != nil {
		return w.broken(fmt.Errorf("wal: flushing: %w", err))
	}
	return nil
}

// FlushAndSync writes the buffered records to the head file and fsyncs it.
func (w *WAL) FlushAndSync() error {
	if err := w.usable(); err != nil {
		return err
	}
	return w.flushAndSync()
}

func (w *WAL) flushAndSync() error {
	if err := w.buf.Flush(); err != nil {
		return w.broken(fmt.Errorf("wal: flushing: %w", err))
	}
	if err := w.head.Sync(); err != nil {
		return w.broken(fmt.Errorf("wal: syncing: %w", err))
	}
	return nil
}

// Close flushes, fsyncs and closes the head file. If the WAL had failed earlier it only closes
// the file and returns that failure. Later calls return ErrClosed.
func (w *WAL) Close() error {
	if w.closed {
		return ErrClosed
	}
	w.closed = true
	err := w.err
	if err == nil {
		err = w.flushAndSync()
	}
	if cerr := w.head.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("wal: closing head: %w", cerr)
	}
	return err
}

func (w *WAL) usable() error {
	if w.closed {
		return ErrClosed
	}
	return w.err
}

// broken records a failure of the head file, after which the WAL refuses all writes.
func (w *WAL) broken(err error) error {
	w.err = err
	return err
}

// rotate moves the full head to the next numbered file, starts a new head and enforces the
// total size limit.
func (w *WAL) rotate() error {
	if err := w.flushAndSync(); err != nil {
		return err
	}
	if err := w.head.Close(); err != nil {
		return w.broken(fmt.Errorf("wal: closing head for rotation: %w", err))
	}
	target := rotatedPath(w.path, w.nextIndex)
	if _, err := os.Stat(target); err == nil {
		return w.broken(fmt.Errorf("wal: cannot rotate: %s already exists", target))
	}
	if err := os.Rename(w.path, target); err != nil {
		return w.broken(fmt.Errorf("wal: rotating head: %w", err))
	}
	w.nextIndex++
	w.headSize = 0
	w.damage = nil
	if err := w.openHead(); err != nil {
		return w.broken(err)
	}
	if err := syncDir(filepath.Dir(w.path)); err != nil {
		return w.broken(fmt.Errorf("wal: syncing directory after rotation: %w", err))
	}
	return w.prune()
}

// prune removes the oldest numbered files while the group is at or over the total size limit.
// A failure leaves the files in place and is returned; the WAL stays usable.
func (w *WAL) prune() error {
	if w.opts.TotalSizeLimit < 0 {
		return nil
	}
	rotated, err := rotatedFiles(w.path)
	if err != nil {
		return err
	}
	sizes := make([]int64, len(rotated))
	total := w.headSize
	for i, f := range rotated {
		info, err := os.Stat(f.path)
		if err != nil {
			return fmt.Errorf("wal: %w", err)
		}
		sizes[i] = info.Size()
		total += sizes[i]
	}
	removed := false
	for i := 0; i < len(rotated) && total >= w.opts.TotalSizeLimit; i++ {
		if err := os.Remove(rotated[i].path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("wal: removing old file: %w", err)
		}
		total -= sizes[i]
		removed = true
	}
	if removed {
		if err := syncDir(filepath.Dir(w.path)); err != nil {
			return fmt.Errorf("wal: syncing directory after removing old files: %w", err)
		}
	}
	return nil
}
