// Package atomicfile replaces a file's contents so that, after a crash at
// any instant, the file holds either its complete old contents or its
// complete new contents, never a mix or a truncation.
//
// WriteFile writes the data to a temporary file in the target's directory,
// fsyncs it, renames it over the target and fsyncs the directory. Only when
// it returns nil is the new content durable. When it returns an error the
// target holds the old or the new content (which one is unknown if the error
// came after the rename, i.e. from the directory fsync); callers that must
// know treat the outcome as "possibly written".
//
// A crash before the rename may leave a stale temporary file named
// ".<base>.tmp-*" next to the target. It is never read back and may be
// deleted at any time.
//
// The file-system operations go through the FS interface so that tests can
// inject faults and simulate crashes at each durability boundary (see
// package atomicfiletest). OS is the real implementation.
//
// Concurrent WriteFile calls on the same path are safe in that each leaves a
// complete file, but which one wins is unspecified; callers serialize writes
// to one path themselves.
package atomicfile
