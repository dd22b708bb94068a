package atomicfiletest

import (
	"errors"
	"fmt"
	"os"

	"github.com/ballot-bft/ballot/internal/atomicfile"
)

// ErrCrashed is returned by every CrashFS operation at and after the
// simulated crash.
var ErrCrashed = errors.New("atomicfiletest: simulated crash")

// Point is a durability boundary inside atomicfile.WriteFileFS.
type Point int

const (
	// AfterWrite crashes once the data is written to the temporary file,
	// before it is fsynced: the target still holds the old content.
	AfterWrite Point = iota + 1
	// AfterSync crashes once the temporary file is fsynced, before the
	// rename: the target still holds the old content.
	AfterSync
	// AfterRename crashes once the temporary file has replaced the target,
	// before the directory is fsynced: the target holds the new content
	// (this package cannot lose an un-synced rename, so it models the case
	// where the rename reached the disk).
	AfterRename
)

// String names the point, for test output.
func (p Point) String() string {
	switch p {
	case AfterWrite:
		return "after-write"
	case AfterSync:
		return "after-sync"
	case AfterRename:
		return "after-rename"
	default:
		return fmt.Sprintf("Point(%d)", int(p))
	}
}

// CrashFS is an atomicfile.FS that crashes at one Point of one write. It is
// not safe for concurrent use.
type CrashFS struct {
	at      Point
	skip    int
	writes  int
	crashed bool
}

// New returns a CrashFS that lets skip complete writes through (each
// CreateTemp starts a write) and crashes the next one at point at.
func New(at Point, skip int) *CrashFS {
	return &CrashFS{at: at, skip: skip}
}

// Crashed reports whether the simulated crash has happened.
func (c *CrashFS) Crashed() bool { return c.crashed }

// armed reports whether the current write is the one to crash at p.
func (c *CrashFS) armed(p Point) bool {
	return !c.crashed && c.at == p && c.writes == c.skip+1
}

func (c *CrashFS) crash() error {
	c.crashed = true
	return ErrCrashed
}

// CreateTemp implements atomicfile.FS.
func (c *CrashFS) CreateTemp(dir, pattern string) (atomicfile.File, error) {
	if c.crashed {
		return nil, ErrCrashed
	}
	c.writes++
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return &crashFile{fs: c, f: f}, nil
}

// Rename implements atomicfile.FS.
func (c *CrashFS) Rename(oldpath, newpath string) error {
	if c.crashed {
		return ErrCrashed
	}
	return os.Rename(oldpath, newpath)
}

// Remove implements atomicfile.FS.
func (c *CrashFS) Remove(name string) error {
	if c.crashed {
		return ErrCrashed
	}
	return os.Remove(name)
}

// SyncDir implements atomicfile.FS.
func (c *CrashFS) SyncDir(dir string) error {
	if c.crashed {
		return ErrCrashed
	}
	if c.armed(AfterRename) {
		return c.crash()
	}
	return atomicfile.OS.SyncDir(dir)
}

// crashFile is a temporary file of a CrashFS. After the crash its
// descriptor is still closed on Close (so tests do not leak descriptors),
// but Close reports ErrCrashed like every other operation.
type crashFile struct {
	fs *CrashFS
	f  *os.File
}

func (cf *crashFile) Name() string { return cf.f.Name() }

func (cf *crashFile) Write(p []byte) (int, error) {
	if cf.fs.crashed {
		return 0, ErrCrashed
	}
	n, err := cf.f.Write(p)
	if err != nil {
		return n, err
	}
	if cf.fs.armed(AfterWrite) {
		return n, cf.fs.crash()
	}
	return n, nil
}

func (cf *crashFile) Chmod(mode os.FileMode) error {
	if cf.fs.crashed {
		return ErrCrashed
	}
	return cf.f.Chmod(mode)
}

func (cf *crashFile) Sync() error {
	if cf.fs.crashed {
		return ErrCrashed
	}
	if err := cf.f.Sync(); err != nil {
		return err
	}
	if cf.fs.armed(AfterSync) {
		return cf.fs.crash()
	}
	return nil
}

func (cf *crashFile) Close() error {
	err := cf.f.Close()
	if cf.fs.crashed {
		return ErrCrashed
	}
	return err
}
