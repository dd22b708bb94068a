package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile atomically and durably replaces the file at path with data,
// giving it permission bits perm (exactly, not filtered by the umask). It
// uses the real file system; see WriteFileFS for the guarantees.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return WriteFileFS(OS, path, data, perm)
}

// WriteFileFS atomically and durably replaces the file at path with data
// using fsys. The temporary file is created in path's directory (a rename
// is atomic only within one file system) with a name starting with "." and
// the target's base name, so it never collides with the target itself.
//
// A nil return means the new content is on stable storage. A failure before
// the rename leaves the target untouched and removes the temporary file
// (best effort); a failure after the rename (fsync of the directory) leaves
// the new content in place but possibly not yet durable. The returned error
// names path and the failed step.
func WriteFileFS(fsys FS, path string, data []byte, perm os.FileMode) error {
	syncDir, err := ReplaceFS(fsys, path, data, perm)
	if err != nil {
		return err
	}
	return syncDir()
}

// ReplaceFS is WriteFileFS without its last step: it returns once the new content has replaced
// the file at path (a crash of the process keeps it; the content itself is fsynced) but before
// path's directory is fsynced, so a power loss may still bring the old file back. syncDir takes
// that last step, with WriteFileFS's error for it; callers run it, perhaps alongside fsyncs of
// their own, before anything that relies on the new content surviving a power loss. On error
// syncDir is nil and the target is as WriteFileFS leaves it.
func ReplaceFS(fsys FS, path string, data []byte, perm os.FileMode) (syncDir func() error, err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := fsys.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("atomic write of %s: creating temporary file: %w", path, err)
	}
	tmp := f.Name()
	if err := writeAndSync(f, data, perm); err != nil {
		// The close error, if any, adds nothing to the first failure.
		_ = f.Close()
		return nil, errors.Join(fmt.Errorf("atomic write of %s: %w", path, err), removeTemp(fsys, tmp))
	}
	if err := f.Close(); err != nil {
		return nil, errors.Join(fmt.Errorf("atomic write of %s: closing temporary file: %w", path, err), removeTemp(fsys, tmp))
	}
	if err := fsys.Rename(tmp, path); err != nil {
		return nil, errors.Join(fmt.Errorf("atomic write of %s: renaming temporary file: %w", path, err), removeTemp(fsys, tmp))
	}
	return func() error {
		if err := fsys.SyncDir(dir); err != nil {
			return fmt.Errorf("atomic write of %s: syncing directory %s (new content is in place but may not be durable): %w", path, dir, err)
		}
		return nil
	}, nil
}

func writeAndSync(f File, data []byte, perm os.FileMode) error {
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing temporary file: %w", err)
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("setting mode of temporary file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing temporary file: %w", err)
	}
	return nil
}

// removeTemp deletes the temporary file after a failure; it returns nil
// when that worked or the file is already gone.
func removeTemp(fsys FS, tmp string) error {
	if err := fsys.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing temporary file %s: %w", tmp, err)
	}
	return nil
}
