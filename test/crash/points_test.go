package crash

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/libs/fail"
)

// TestEveryPointPlacedOnce checks that the crash points declared in libs/fail and the
// fail.Point calls in the code are the same set, each call placed once, so that the crash
// tests (which iterate over fail.Points) reach every point in the code.
func TestEveryPointPlacedOnce(t *testing.T) {
	moduleDir, err := ModuleDir(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`\bfail\.Point\(([^)]*)\)`)
	placed := map[string][]string{}
	err = filepath.WalkDir(moduleDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != moduleDir && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.Contains(path, string(filepath.Separator)+"libs"+string(filepath.Separator)+"fail"+string(filepath.Separator)) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(moduleDir, path)
		for _, m := range call.FindAllSubmatch(src, -1) {
			arg := string(m[1])
			if !strings.HasPrefix(arg, `"`) || !strings.HasSuffix(arg, `"`) {
				t.Errorf("%s: fail.Point(%s): the point must be named by a string literal", rel, arg)
				continue
			}
			placed[strings.Trim(arg, `"`)] = append(placed[strings.Trim(arg, `"`)], rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range fail.Points() {
		switch files := placed[p]; len(files) {
		case 0:
			t.Errorf("crash point %s is declared but not placed in the code", p)
		case 1:
		default:
			t.Errorf("crash point %s is placed %d times (%s); each must be placed once", p, len(files), strings.Join(files, ", "))
		}
	}
	for p, files := range placed {
		if !slices.Contains(fail.Points(), p) {
			t.Errorf("%s: fail.Point(%q) is not declared in libs/fail/points.go", strings.Join(files, ", "), p)
		}
	}
}
