package main

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

// Three samples as `perf script -F comm,pid,ip,sym` prints them: leaf frame first.
const script = `ballot  101 
	           9220e runtime.memmove
	          6f7de6 github.com/ballot-bft/ballot/state/txindex/kv.addResult
	          8463fe github.com/ballot-bft/ballot/state/indexer.(*Service).index
	           91801 runtime.goexit.abi0

ballot  101 
	           11111 runtime.mallocgc
	           22222 runtime.growslice
	           33333 github.com/syndtr/goleveldb/leveldb.(*Batch).appendRec
	           44444 github.com/ballot-bft/ballot/consensus.(*Driver).commit
	           55555 github.com/ballot-bft/ballot/consensus.(*Driver).Run
	           91801 runtime.goexit.abi0

ballot  202 
	ffffffff81bda91c pvm_irq_enable
	           66666 runtime.usleep.abi0
	           77777 runtime.sysmon
	           88888 runtime.mstart.abi0

`

func TestSplit(t *testing.T) {
	r, err := split(bufio.NewReader(strings.NewReader(script)))
	if err != nil {
		t.Fatal(err)
	}
	if r.total != 3 || r.byPID["101"] != 2 || r.byPID["202"] != 1 {
		t.Fatalf("total %d, by pid %v", r.total, r.byPID)
	}
	want := map[string]int{
		"tx and block indexer": 1,
		"consensus: commit (save block, FinalizeBlock, save responses and state, mempool update)": 1,
		"Go runtime sysmon": 1,
	}
	for k, v := range want {
		if r.byCategory[k] != v {
			t.Errorf("%s: %d samples, want %d (all: %v)", k, r.byCategory[k], v, r.byCategory)
		}
	}
	// The outermost allocator frame is growslice; its caller is the batch.
	if r.allocs != 1 || r.allocBy["github.com/syndtr/goleveldb/leveldb.(*Batch).appendRec"] != 1 {
		t.Errorf("allocs %d by %v", r.allocs, r.allocBy)
	}
	var out bytes.Buffer
	report(&out, r, 300)
	if !strings.Contains(out.String(), "100.0 µs/tx  tx and block indexer") {
		t.Errorf("report:\n%s", out.String())
	}
}
