package wal

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// groupFile is one file of a WAL group: a numbered (rotated) file or the head.
type groupFile struct {
	index int // rotation index; -1 for the head
	path  string
}

// rotatedPath returns the name the head gets when it is rotated with index: "<head>.000",
// "<head>.001", … (at least three digits, as CometBFT's autofile group names them).
func rotatedPath(head string, index int) string {
	return fmt.Sprintf("%s.%03d", head, index)
}

// rotatedFiles returns the numbered files of the group whose head is head, oldest first. A
// file belongs to the group if its name is the head's name, a dot and at least three digits.
func rotatedFiles(head string) ([]groupFile, error) {
	dir, base := filepath.Split(head)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("wal: listing %s: %w", dir, err)
	}
	var files []groupFile
	for _, entry := range entries {
		digits, ok := strings.CutPrefix(entry.Name(), base+".")
		if !ok || len(digits) < 3 || entry.IsDir() || strings.Trim(digits, "0123456789") != "" {
			continue
		}
		index, err := strconv.Atoi(digits)
		if err != nil {
			continue // too many digits to be one of ours
		}
		files = append(files, groupFile{index: index, path: filepath.Join(dir, entry.Name())})
	}
	slices.SortFunc(files, func(a, b groupFile) int { return a.index - b.index })
	return files, nil
}

// Files returns the files of the WAL whose head is head, oldest first: the numbered files, then
// the head itself if it exists. Records read in this order are in the order they were written.
func Files(head string) ([]string, error) {
	rotated, err := rotatedFiles(head)
	if err != nil {
		return nil, err
	}
	paths := make([]string, 0, len(rotated)+1)
	for _, f := range rotated {
		paths = append(paths, f.path)
	}
	if _, err := os.Stat(head); err == nil {
		paths = append(paths, head)
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("wal: %w", err)
	}
	return paths, nil
}

// syncDir makes the creation, renaming and removal of files in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
