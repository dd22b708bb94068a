package load

import (
	"errors"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	// utime 1234, stime 66 ticks: 13 s.
	stat := "4242 (comet bft (x)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 66 0 0 20 0 12 0 100 2000000 5000 18446744073709551615"
	cpu, err := parseProcStat([]byte(stat))
	if err != nil || cpu != 13*time.Second {
		t.Errorf("cpu %v %v, want 13s", cpu, err)
	}
	for _, bad := range []string{"", "12 no parens S 1", "1 (x) S 1 2 3", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 1"} {
		if _, err := parseProcStat([]byte(bad)); !errors.Is(err, errProc) {
			t.Errorf("%q: %v, want errProc", bad, err)
		}
	}
}

func TestParseProcStatus(t *testing.T) {
	status := "Name:\tcometbft\nVmPeak:\t 2000000 kB\nVmHWM:\t  117236 kB\nVmRSS:\t  100000 kB\n"
	if rss, err := parseProcStatus([]byte(status)); err != nil || rss != 117236*1024 {
		t.Errorf("rss %d %v", rss, err)
	}
	for _, bad := range []string{"Name:\tx\n", "VmHWM:\t12 MB\n", "VmHWM:\tlots kB\n"} {
		if _, err := parseProcStatus([]byte(bad)); !errors.Is(err, errProc) {
			t.Errorf("%q: %v, want errProc", bad, err)
		}
	}
}

func FuzzParseProc(f *testing.F) {
	f.Add([]byte("1 (a) S 1 1 1 0 -1 0 0 0 0 0 5 6 0 0"))
	f.Add([]byte("VmHWM:\t  1 kB\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if cpu, err := parseProcStat(data); err == nil && cpu < 0 {
			t.Fatalf("negative cpu %v", cpu)
		}
		if rss, err := parseProcStatus(data); err == nil && rss < 0 {
			t.Fatalf("negative rss %d", rss)
		}
	})
}
