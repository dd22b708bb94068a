package atomicfile

import (
	"io"
	"os"
)

// FS is the set of file-system operations WriteFileFS performs, in this
// order: CreateTemp, File.Write, File.Chmod, File.Sync, File.Close, Rename,
// SyncDir. Remove is used only to clean up the temporary file after a
// failure. Implementations must be safe for use by one goroutine at a time.
type FS interface {
	// CreateTemp creates a new, empty file in dir whose name is pattern
	// with the last "*" replaced by a random string, as os.CreateTemp.
	CreateTemp(dir, pattern string) (File, error)
	// Rename atomically replaces newpath with oldpath, as os.Rename.
	Rename(oldpath, newpath string) error
	// Remove deletes the named file, as os.Remove.
	Remove(name string) error
	// SyncDir fsyncs the directory dir so that a rename inside it is
	// durable.
	SyncDir(dir string) error
}

// File is an open temporary file created by FS.CreateTemp.
type File interface {
	io.Writer
	// Name returns the path the file was created at.
	Name() string
	// Chmod sets the file's permission bits.
	Chmod(mode os.FileMode) error
	// Sync flushes the file's contents to stable storage.
	Sync() error
	// Close closes the file.
	Close() error
}

// OS is the FS backed by the operating system.
var OS FS = osFS{}

type osFS struct{}

func (osFS) CreateTemp(dir, pattern string) (File, error) { return os.CreateTemp(dir, pattern) }

func (osFS) Rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

func (osFS) Remove(name string) error { return os.Remove(name) }

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}
