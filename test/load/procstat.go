package load

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// clockTicks is Linux's USER_HZ, the unit of utime/stime in /proc/<pid>/stat; it is 100 on
// every Linux architecture's user ABI.
const clockTicks = 100

// procSample is one reading of a process's counters.
type procSample struct {
	cpu     time.Duration // utime + stime
	peakRSS int64         // VmHWM, bytes
}

var errProc = errors.New("unreadable /proc data")

// parseProcStat returns utime+stime from the contents of /proc/<pid>/stat. The command name
// (field 2) is parenthesised and may hold spaces or parentheses, so fields are counted from
// the last ')'.
func parseProcStat(data []byte) (time.Duration, error) {
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return 0, fmt.Errorf("%w: stat without command name", errProc)
	}
	fields := bytes.Fields(data[end+1:])
	// fields[0] is field 3 (state); utime is field 14, stime field 15.
	if len(fields) < 13 {
		return 0, fmt.Errorf("%w: stat has %d fields after the command", errProc, len(fields))
	}
	utime, err1 := strconv.ParseUint(string(fields[11]), 10, 63)
	stime, err2 := strconv.ParseUint(string(fields[12]), 10, 63)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%w: utime %q stime %q", errProc, fields[11], fields[12])
	}
	ticks := utime + stime
	if ticks > uint64(1<<62)/uint64(time.Second) {
		return 0, fmt.Errorf("%w: cpu ticks %d out of range", errProc, ticks)
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// parseProcStatus returns VmHWM (peak resident set) in bytes from /proc/<pid>/status.
func parseProcStatus(data []byte) (int64, error) {
	for line := range bytes.SplitSeq(data, []byte{'\n'}) {
		rest, ok := bytes.CutPrefix(line, []byte("VmHWM:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return 0, fmt.Errorf("%w: VmHWM line %q", errProc, line)
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil || kb < 0 || kb > 1<<40 {
			return 0, fmt.Errorf("%w: VmHWM value %q", errProc, f[0])
		}
		return kb * 1024, nil
	}
	return 0, fmt.Errorf("%w: no VmHWM line", errProc)
}

// readProc reads pid's counters with read (os.ReadFile in production).
func readProc(read func(string) ([]byte, error), pid string) (procSample, error) {
	stat, err := read("/proc/" + pid + "/stat")
	if err != nil {
		return procSample{}, err
	}
	cpu, err := parseProcStat(stat)
	if err != nil {
		return procSample{}, err
	}
	status, err := read("/proc/" + pid + "/status")
	if err != nil {
		return procSample{}, err
	}
	rss, err := parseProcStatus(status)
	if err != nil {
		return procSample{}, err
	}
	return procSample{cpu: cpu, peakRSS: rss}, nil
}
