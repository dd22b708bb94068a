package wal

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
)

// Report describes one WAL file, as Check found it.
type Report struct {
	Path string
	Size int64
	// Records is the number of intact records in the file, including any after damage.
	Records int
	// Heights are the heights of the EndHeight markers among the intact records, in file order.
	Heights []int64
	// Damage is the first damaged record, or nil if the file is intact. Repair keeps exactly
	// the Damage.Record-1 records before it.
	Damage *CorruptionError
	// Damaged is the number of damaged records found. After a torn record or an impossible
	// length nothing more can be read, so later damage is not counted.
	Damaged int
	// Tail is the damage the file ends with: the first damaged record after which no intact
	// record follows, or nil if the file ends with an intact record. Open refuses a head file
	// with a damaged tail.
	Tail *CorruptionError
}

// Intact reports whether the file has no damaged record.
func (r Report) Intact() bool { return r.Damage == nil }

// String describes the file in plain words, for example
// "wal: data/cs.wal/wal: 1300 intact records in 600000 bytes, EndHeight markers 0-41;
// record 1235 at byte 567890 is corrupted: CRC mismatch (…); Repair would keep the first 1234
// records and drop the last 32110 bytes, which hold 65 intact records".
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wal: %s: %d intact records in %d bytes", r.Path, r.Records, r.Size)
	if len(r.Heights) > 0 {
		fmt.Fprintf(&b, ", EndHeight markers %s", heightRanges(r.Heights))
	} else {
		b.WriteString(", no EndHeight marker")
	}
	if r.Damage == nil {
		b.WriteString("; no damage")
		return b.String()
	}
	detail := *r.Damage
	detail.Path, detail.Unreadable = "", -1
	fmt.Fprintf(&b, "; %s", strings.TrimPrefix(detail.Error(), "wal: "))
	if r.Damaged > 1 {
		fmt.Fprintf(&b, " (%d damaged records in all)", r.Damaged)
	}
	kept := r.Damage.Record - 1
	fmt.Fprintf(&b, "; Repair would keep the first %d records and drop the last %d bytes", kept, r.Size-r.Damage.Offset)
	if later := r.Records - kept; later > 0 {
		fmt.Fprintf(&b, ", which hold %d intact records", later)
	}
	return b.String()
}

// heightRanges writes heights compactly: runs of consecutive heights as "a-b".
func heightRanges(heights []int64) string {
	var parts []string
	for i := 0; i < len(heights); {
		j := i
		for j+1 < len(heights) && heights[j+1] == heights[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", heights[i], heights[j]))
		} else {
			parts = append(parts, fmt.Sprint(heights[i]))
		}
		i = j + 1
	}
	const shown = 8
	if len(parts) > shown {
		return strings.Join(parts[:shown/2], ", ") + ", …, " + strings.Join(parts[len(parts)-shown/2:], ", ")
	}
	return strings.Join(parts, ", ")
}

// Check reads the WAL file at path and reports its records and damage without changing it. The
// error is only for failing to read the file; damage is in the Report.
func Check(path string) (Report, error) {
	report := Report{Path: path}
	err := scanFile(path, func(msg *consensuspb.TimedWALMessage) error {
		report.Records++
		report.Tail = nil
		if end := msg.Msg.GetEndHeight(); end != nil {
			report.Heights = append(report.Heights, end.Height)
		}
		return nil
	}, func(size int64, damage *CorruptionError) {
		report.Size = size
		if damage == nil {
			return
		}
		report.Damaged++
		if report.Damage == nil {
			report.Damage = damage
		}
		if report.Tail == nil {
			report.Tail = damage
		}
	})
	return report, err
}

// scanFile decodes every record of the file at path, calling record for each intact one and
// damaged for each damaged one (skipping past it while the framing survives). It finally calls
// damaged(size, nil) with the file's size. An error from record stops the scan and is returned.
func scanFile(path string, record func(*consensuspb.TimedWALMessage) error, damaged func(int64, *CorruptionError)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	size := info.Size()
	dec := NewDecoder(bufio.NewReaderSize(io.LimitReader(f, size), 64<<10))
	for {
		msg, err := dec.Decode()
		var corrupt *CorruptionError
		switch {
		case err == nil:
			if err := record(msg); err != nil {
				return err
			}
			continue
		case err == io.EOF:
		case errors.As(err, &corrupt):
			damaged(size, corrupt.inFile(path, size))
			if corrupt.Skippable() {
				continue
			}
		default:
			return err
		}
		damaged(size, nil)
		return nil
	}
}

// Repair cuts the WAL file at path back to the records before its first damaged one, as CometBFT
// does after finding corruption during replay: it first copies the file to <path>.CORRUPTED
// (replacing any earlier copy) and fsyncs the copy, then truncates the file and fsyncs it. It
// returns the number of records kept and the number of bytes dropped; an intact file is left
// alone (no copy is made) and gives dropped == 0. No WAL may have the file open.
func Repair(path string) (kept, dropped int, err error) {
	report, err := Check(path)
	if err != nil {
		return 0, 0, err
	}
	if report.Damage == nil {
		return report.Records, 0, nil
	}
	if err := copyFile(path, path+".CORRUPTED"); err != nil {
		return 0, 0, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return 0, 0, fmt.Errorf("wal: repair: %w", err)
	}
	err = f.Truncate(report.Damage.Offset)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, 0, fmt.Errorf("wal: repair: %w", err)
	}
	return report.Damage.Record - 1, int(report.Size - report.Damage.Offset), nil
}

// copyFile copies src to dst (created or truncated, mode 0600) and fsyncs dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("wal: repair: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("wal: repair: %w", err)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("wal: repair: copying to %s: %w", dst, err)
	}
	return nil
}
