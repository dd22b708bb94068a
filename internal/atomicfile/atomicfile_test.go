package atomicfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/internal/atomicfile"
	"github.com/ballot-bft/ballot/internal/atomicfile/atomicfiletest"
)

// dirEntries returns the names in dir, sorted.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteFileCreatesFileWithExactMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if err := atomicfile.WriteFile(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "new" {
		t.Fatalf("content = %q, want %q", got, "new")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600", fi.Mode().Perm())
	}
	if names := dirEntries(t, dir); len(names) != 1 || names[0] != "state.json" {
		t.Fatalf("directory holds %v, want only state.json", names)
	}
}

func TestWriteFileReplacesContentAndMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte("a much longer old content"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "short" {
		t.Fatalf("content = %q, want %q", got, "short")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600", fi.Mode().Perm())
	}
}

func TestWriteFileRelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := atomicfile.WriteFile("rel.json", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "rel.json")); got != "x" {
		t.Fatalf("content = %q", got)
	}
}

func TestWriteFileMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent", "file")
	err := atomicfile.WriteFile(path, []byte("x"), 0o600)
	if err == nil {
		t.Fatal("want error for a missing directory")
	}
	if !strings.Contains(err.Error(), path) {
		t.Fatalf("error %q does not name %s", err, path)
	}
}

// failFS is the OS file system with one operation made to fail (without
// crashing: cleanup still works).
type failFS struct {
	op string // "write", "chmod", "sync", "close", "rename", "syncdir"
}

var errInjected = errors.New("injected failure")

func (f failFS) CreateTemp(dir, pattern string) (atomicfile.File, error) {
	file, err := atomicfile.OS.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return failFile{File: file, op: f.op}, nil
}

func (f failFS) Rename(oldpath, newpath string) error {
	if f.op == "rename" {
		return errInjected
	}
	return atomicfile.OS.Rename(oldpath, newpath)
}

func (f failFS) Remove(name string) error { return atomicfile.OS.Remove(name) }

func (f failFS) SyncDir(dir string) error {
	if f.op == "syncdir" {
		return errInjected
	}
	return atomicfile.OS.SyncDir(dir)
}

type failFile struct {
	atomicfile.File
	op string
}

func (f failFile) Write(p []byte) (int, error) {
	if f.op == "write" {
		return 0, errInjected
	}
	return f.File.Write(p)
}

func (f failFile) Chmod(m os.FileMode) error {
	if f.op == "chmod" {
		return errInjected
	}
	return f.File.Chmod(m)
}

func (f failFile) Sync() error {
	if f.op == "sync" {
		return errInjected
	}
	return f.File.Sync()
}

func (f failFile) Close() error {
	err := f.File.Close()
	if f.op == "close" {
		return errInjected
	}
	return err
}

func TestWriteFileFailureKeepsOldContentAndCleansUp(t *testing.T) {
	tests := []struct {
		op       string
		wantStep string
	}{
		{"write", "writing temporary file"},
		{"chmod", "setting mode"},
		{"sync", "syncing temporary file"},
		{"close", "closing temporary file"},
		{"rename", "renaming temporary file"},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f")
			if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			err := atomicfile.WriteFileFS(failFS{op: tt.op}, path, []byte("new"), 0o600)
			if !errors.Is(err, errInjected) {
				t.Fatalf("err = %v, want the injected failure", err)
			}
			if !strings.Contains(err.Error(), tt.wantStep) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q should name %s and step %q", err, path, tt.wantStep)
			}
			if got := readFile(t, path); got != "old" {
				t.Fatalf("content = %q, want old content", got)
			}
			if names := dirEntries(t, dir); len(names) != 1 {
				t.Fatalf("temporary file not cleaned up: %v", names)
			}
		})
	}
}

func TestWriteFileDirectorySyncFailureReportsNewContentInPlace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	err := atomicfile.WriteFileFS(failFS{op: "syncdir"}, path, []byte("new"), 0o600)
	if !errors.Is(err, errInjected) || !strings.Contains(err.Error(), "may not be durable") {
		t.Fatalf("err = %v, want a directory-sync failure saying the content may not be durable", err)
	}
	if got := readFile(t, path); got != "new" {
		t.Fatalf("content = %q, want new content", got)
	}
}

func TestWriteFileCrashLeavesOldOrNewContent(t *testing.T) {
	tests := []struct {
		at          atomicfiletest.Point
		wantContent string
		wantTemp    bool
	}{
		{atomicfiletest.AfterWrite, "old", true},
		{atomicfiletest.AfterSync, "old", true},
		{atomicfiletest.AfterRename, "new", false},
	}
	for _, tt := range tests {
		t.Run(tt.at.String(), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.json")
			if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			fsys := atomicfiletest.New(tt.at, 0)
			err := atomicfile.WriteFileFS(fsys, path, []byte("new"), 0o600)
			if !errors.Is(err, atomicfiletest.ErrCrashed) || !fsys.Crashed() {
				t.Fatalf("err = %v, want a simulated crash", err)
			}
			if got := readFile(t, path); got != tt.wantContent {
				t.Fatalf("content after crash = %q, want %q", got, tt.wantContent)
			}
			names := dirEntries(t, dir)
			if hasTemp := len(names) > 1; hasTemp != tt.wantTemp {
				t.Fatalf("directory after crash holds %v; want temporary file left: %v", names, tt.wantTemp)
			}
			// After the "restart" a normal write succeeds next to the stale
			// temporary file.
			if err := atomicfile.WriteFile(path, []byte("again"), 0o600); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, path); got != "again" {
				t.Fatalf("content after restart = %q", got)
			}
		})
	}
}

func TestCrashFSSkipsEarlierWrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	fsys := atomicfiletest.New(atomicfiletest.AfterSync, 2)
	for i, content := range []string{"one", "two"} {
		if err := atomicfile.WriteFileFS(fsys, path, []byte(content), 0o600); err != nil {
			t.Fatalf("write %d: %v", i+1, err)
		}
	}
	if err := atomicfile.WriteFileFS(fsys, path, []byte("three"), 0o600); !errors.Is(err, atomicfiletest.ErrCrashed) {
		t.Fatalf("third write: err = %v, want crash", err)
	}
	if err := atomicfile.WriteFileFS(fsys, path, []byte("four"), 0o600); !errors.Is(err, atomicfiletest.ErrCrashed) {
		t.Fatalf("write after crash: err = %v, want ErrCrashed", err)
	}
	if got := readFile(t, path); got != "two" {
		t.Fatalf("content = %q, want %q", got, "two")
	}
}
