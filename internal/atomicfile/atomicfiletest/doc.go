// Package atomicfiletest provides a fault-injecting atomicfile.FS for tests
// that must show what survives a crash at each durability boundary of
// atomicfile.WriteFileFS.
//
// A CrashFS performs real file-system operations on the OS until its chosen
// crash point is reached; from then on it behaves like a dead process: every
// operation fails with ErrCrashed and nothing is cleaned up, so the disk is
// left exactly as a crash at that instant would leave it (temporary file
// included). A test then "restarts" by loading the files again with the real
// file system.
package atomicfiletest
