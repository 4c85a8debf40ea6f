package audit

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// AUDIT.md at the module root maps each normative rule to the code and the
// test behind it (issue 7, item 3). These tests keep the map true: a row
// naming a file, function, method, type, constant or test that does not
// exist fails, and so does a rule row without an implementation or a test.

// requiredRules are the specifications the map must cover, each a set of
// words that must all appear in the heading or the Rule cell of at least
// one row of a rule table. The list is issue 7's, plus the Azure facts the
// task named.
var requiredRules = [][]string{
	{"RFC 6749"}, {"RFC 7515"}, {"RFC 7518"}, {"RFC 7521"}, {"RFC 7523"},
	{"RFC 7636"}, {"RFC 8628"}, {"RFC 7292"}, {"RFC 8018"}, {"RFC 2268"},
	{"RFC 9110", "§11.6.1"},
	{"IMDS", "PROTOCOL.md 7.3"},
	{"Azure Arc", "PROTOCOL.md 7.5"},
	{"Service Fabric", "PROTOCOL.md 7.7", "thumbprint"},
	{"CAE", "PROTOCOL.md 12"},
	{"Tenants", "PROTOCOL.md 1.4"},
	{"cache", "PROTOCOL.md 5.5"},
	{"CLI", "PROTOCOL.md 8.1", "shell"},
}

// minRuleRows guards against a parser that silently finds nothing.
const minRuleRows = 100

// TestAuditMap reads AUDIT.md and checks every reference in it.
func TestAuditMap(t *testing.T) {
	root := moduleRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "AUDIT.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := parseAudit(string(data))
	for _, p := range doc.problems {
		t.Errorf("AUDIT.md:%s", p)
	}
	decls := newDeclIndex(root)
	for _, r := range doc.refs {
		if msg := decls.check(r); msg != "" {
			t.Errorf("AUDIT.md:%d: %s", r.line, msg)
		}
	}
	for _, f := range doc.files {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(f.file))); err != nil {
			t.Errorf("AUDIT.md:%d: file %s does not exist", f.line, f.file)
		}
	}
	rules := 0
	for _, row := range doc.rows {
		if row.kind == ruleTable {
			rules++
		}
	}
	if rules < minRuleRows {
		t.Errorf("AUDIT.md has %d rule rows; want at least %d (is the table format still the one parseAudit reads?)", rules, minRuleRows)
	}
	for _, words := range requiredRules {
		if !doc.covers(words) {
			t.Errorf("AUDIT.md has no rule row whose heading and rule mention all of %q", words)
		}
	}
}

// ref is one "`path.go` `Name`" reference, or a file alone when name is "".
type ref struct {
	line   int
	file   string // slash path from the module root
	name   string // "Func", "Type.Method", "Type", "Const", "Var", "TestX"; "" for a file alone
	isTest bool   // it sits in a Test column: it must name a test function
}

type tableKind int

const (
	otherTable tableKind = iota
	ruleTable            // Rule | Implementation | Test
	limitTable           // Input | Bound | Constant | Test
)

// row is one data row of a checked table.
type row struct {
	line    int
	kind    tableKind
	heading string // the nearest heading above the table
	rule    string // the first cell
}

// auditDoc is what parseAudit found.
type auditDoc struct {
	refs     []ref    // every `path.go` `Name` pair, anywhere
	files    []ref    // every `path.go` that is not followed by a name
	rows     []row    // data rows of rule and limit tables
	problems []string // "LINE: what is wrong", for rows missing a column's reference
}

var (
	// refPattern: a backquoted Go file path followed by a backquoted
	// identifier, optionally Type.Method.
	refPattern = regexp.MustCompile("`([A-Za-z0-9_][A-Za-z0-9_./-]*\\.go)`(?:\\s+`([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)?)`)?")
	headingRE  = regexp.MustCompile(`^#{1,6}\s+(.*)$`)
	separator  = regexp.MustCompile(`^\|(\s*:?-{3,}:?\s*\|)+\s*$`)
)

// parseAudit reads the Markdown of AUDIT.md. A table is checked when its
// header has a Test column and an Implementation (rule tables) or Constant
// (limit tables) column: every data row must name at least one reference
// in each, the Test column's in _test.go files and the other's outside
// them. Cells are separated by '|'; a row's text must not contain one.
func parseAudit(text string) auditDoc {
	var doc auditDoc
	lines := strings.Split(text, "\n")
	// Prose: the text with table rows blanked, so that a reference broken
	// across two lines of a paragraph is still one reference.
	prose := make([]string, len(lines))
	for i, line := range lines {
		if !strings.HasPrefix(strings.TrimSpace(line), "|") {
			prose[i] = line
		}
	}
	joined := strings.Join(prose, "\n")
	n, counted := 1, 0 // the line of joined[counted]
	for _, m := range refPattern.FindAllStringSubmatchIndex(joined, -1) {
		n += strings.Count(joined[counted:m[0]], "\n")
		counted = m[0]
		r := ref{line: n, file: joined[m[2]:m[3]]}
		if m[4] < 0 {
			doc.files = append(doc.files, r)
			continue
		}
		r.name = joined[m[4]:m[5]]
		doc.refs = append(doc.refs, r)
	}
	heading := ""
	var kind tableKind
	implCol, testCol := -1, -1
	inTable := false
	for i, line := range lines {
		n := i + 1
		if m := headingRE.FindStringSubmatch(line); m != nil {
			heading = m[1]
		}
		trimmed := strings.TrimSpace(line)
		if !strings.HasPrefix(trimmed, "|") {
			inTable = false
			continue
		}
		for _, m := range refPattern.FindAllStringSubmatch(line, -1) {
			if m[2] == "" {
				doc.files = append(doc.files, ref{line: n, file: m[1]})
			}
		}
		if !inTable {
			// A header row: the next line must be the separator.
			inTable = true
			kind, implCol, testCol = otherTable, -1, -1
			if i+1 < len(lines) && separator.MatchString(strings.TrimSpace(lines[i+1])) {
				for c, name := range cells(trimmed) {
					switch strings.ToLower(name) {
					case "implementation":
						implCol, kind = c, ruleTable
					case "constant":
						implCol, kind = c, limitTable
					case "test":
						testCol = c
					}
				}
				if implCol < 0 || testCol < 0 {
					kind = otherTable
				}
			}
			doc.refs = append(doc.refs, refsIn(n, line, false)...)
			continue
		}
		if separator.MatchString(trimmed) {
			continue
		}
		cs := cells(trimmed)
		if kind == otherTable {
			doc.refs = append(doc.refs, refsIn(n, line, false)...)
			continue
		}
		if len(cs) <= implCol || len(cs) <= testCol {
			doc.problems = append(doc.problems, fmt.Sprintf("%d: the row has %d cells; the table has an implementation column %d and a test column %d", n, len(cs), implCol+1, testCol+1))
			continue
		}
		doc.rows = append(doc.rows, row{line: n, kind: kind, heading: heading, rule: cs[0]})
		if strings.TrimSpace(cs[0]) == "" {
			doc.problems = append(doc.problems, fmt.Sprintf("%d: the row states no rule", n))
		}
		for c, cell := range cs {
			refs := refsIn(n, cell, c == testCol)
			doc.refs = append(doc.refs, refs...)
			switch {
			case c == implCol && len(refs) == 0:
				doc.problems = append(doc.problems, fmt.Sprintf("%d: %q names no implementation (`path/file.go` `Name`)", n, short(cs[0])))
			case c == testCol && len(refs) == 0:
				doc.problems = append(doc.problems, fmt.Sprintf("%d: no test proves %q; write one and name it here (`path/file_test.go` `TestName`)", n, short(cs[0])))
			}
			for _, r := range refs {
				isTestFile := strings.HasSuffix(r.file, "_test.go")
				switch {
				case c == testCol && !isTestFile:
					doc.problems = append(doc.problems, fmt.Sprintf("%d: %s in the Test column is not a _test.go file", n, r.file))
				case c == implCol && isTestFile:
					doc.problems = append(doc.problems, fmt.Sprintf("%d: %s in the %s column is a test file", n, r.file, map[tableKind]string{ruleTable: "Implementation", limitTable: "Constant"}[kind]))
				}
			}
		}
	}
	return doc
}

// refsIn returns the `path.go` `Name` references in s.
func refsIn(line int, s string, isTest bool) []ref {
	var out []ref
	for _, m := range refPattern.FindAllStringSubmatch(s, -1) {
		if m[2] != "" {
			out = append(out, ref{line: line, file: m[1], name: m[2], isTest: isTest})
		}
	}
	return out
}

// cells splits a table row into its trimmed cells, without the outer pipes.
func cells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(row, "|")
	row = strings.TrimSuffix(row, "|")
	parts := strings.Split(row, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// covers reports whether some rule row's heading and rule text mention
// every word (case-insensitively).
func (d auditDoc) covers(words []string) bool {
	for _, r := range d.rows {
		if r.kind != ruleTable {
			continue
		}
		text := strings.ToLower(r.heading + " " + r.rule)
		all := true
		for _, w := range words {
			if !strings.Contains(text, strings.ToLower(w)) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// short cuts s to 60 characters for an error message.
func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "..."
	}
	return s
}

// declIndex answers whether a file declares a name, parsing each file once.
type declIndex struct {
	root  string
	files map[string]*fileDecls
}

// fileDecls are the top-level names of one Go file.
type fileDecls struct {
	err   error
	names map[string]bool // funcs, "Type.Method", types, consts, vars
	tests map[string]bool // top-level functions named Test..., Fuzz..., Benchmark..., Example...
}

func newDeclIndex(root string) *declIndex {
	return &declIndex{root: root, files: map[string]*fileDecls{}}
}

// check returns "" when r names something that exists, else why not.
func (x *declIndex) check(r ref) string {
	d := x.load(r.file)
	if d.err != nil {
		return fmt.Sprintf("%s: %v", r.file, d.err)
	}
	if r.isTest {
		if !d.tests[r.name] {
			return fmt.Sprintf("%s has no test function %s", r.file, r.name)
		}
		return ""
	}
	if !d.names[r.name] {
		return fmt.Sprintf("%s declares no %s", r.file, r.name)
	}
	return ""
}

func (x *declIndex) load(file string) *fileDecls {
	if d, ok := x.files[file]; ok {
		return d
	}
	d := declsOf(filepath.Join(x.root, filepath.FromSlash(file)))
	x.files[file] = d
	return d
}

// testPrefixes name the functions go test runs.
var testPrefixes = []string{"Test", "Fuzz", "Benchmark", "Example"}

// declsOf parses path and lists its top-level names.
func declsOf(path string) *fileDecls {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		if os.IsNotExist(err) {
			err = fmt.Errorf("no such file")
		}
		return &fileDecls{err: err}
	}
	d := &fileDecls{names: map[string]bool{}, tests: map[string]bool{}}
	for _, decl := range f.Decls {
		switch decl := decl.(type) {
		case *ast.FuncDecl:
			if decl.Recv != nil {
				d.names[receiverType(decl)+"."+decl.Name.Name] = true
				continue
			}
			d.names[decl.Name.Name] = true
			for _, p := range testPrefixes {
				if strings.HasPrefix(decl.Name.Name, p) {
					d.tests[decl.Name.Name] = true
				}
			}
		case *ast.GenDecl:
			for _, s := range decl.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					d.names[s.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range s.Names {
						d.names[n.Name] = true
					}
				}
			}
		}
	}
	return d
}

// TestParseAudit checks parseAudit and declIndex on a small document and a
// temporary module tree, so that a broken parser cannot pass AUDIT.md.
func TestParseAudit(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("p/p.go", "package p\n\ntype T struct{}\n\nfunc (*T) M() {}\n\nfunc F() {}\n\nconst Max = 1\n")
	write("p/p_test.go", "package p\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) {}\n\nfunc helper() {}\n")
	doc := parseAudit(strings.Join([]string{
		"# Title",
		"See `p/p.go` and `p/none.go` and `p/p.go` `F` and `p/p.go`\n`Split`.",
		"## RFC 1",
		"| Rule | Implementation | Test |",
		"|---|---|---|",
		"| §1: one | `p/p.go` `T.M`<br>`p/p.go` `F` | `p/p_test.go` `TestF` |",
		"| §2: missing names | `p/p.go` `Gone` | `p/p_test.go` `helper` |",
		"| §3: no test | `p/p.go` `F` | no test yet |",
		"| §4: swapped | `p/p_test.go` `TestF` | `p/p.go` `F` |",
		"| | `p/p.go` `F` | `p/p_test.go` `TestF` |",
		"",
		"| Input | Bound | Constant | Test |",
		"|---|---|---|---|",
		"| size | 1 | `p/p.go` `Max` | `p/p_test.go` `TestF` |",
		"| other | 2 | none | `p/p_test.go` `TestF` |",
		"",
		"| a | b |",
		"|---|---|",
		"| `p/p.go` `Nope` | x |",
	}, "\n"))
	problems := append([]string(nil), doc.problems...)
	x := newDeclIndex(root)
	for _, r := range doc.refs {
		if msg := x.check(r); msg != "" {
			problems = append(problems, fmt.Sprintf("%d: %s", r.line, msg))
		}
	}
	for _, f := range doc.files {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(f.file))); err != nil {
			problems = append(problems, fmt.Sprintf("%d: file %s does not exist", f.line, f.file))
		}
	}
	want := []string{
		`9: no test proves "§3: no test"; write one and name it here (` + "`path/file_test.go` `TestName`)",
		"10: p/p_test.go in the Implementation column is a test file",
		"10: p/p.go in the Test column is not a _test.go file",
		"11: the row states no rule",
		`16: "other" names no implementation (` + "`path/file.go` `Name`)",
		"2: p/p.go declares no Split",
		"8: p/p.go declares no Gone",
		"8: p/p_test.go has no test function helper",
		"10: p/p.go has no test function F",
		"20: p/p.go declares no Nope",
		"2: file p/none.go does not exist",
	}
	if got := strings.Join(problems, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if len(doc.rows) != 7 {
		t.Errorf("%d checked rows, want 7", len(doc.rows))
	}
	if !doc.covers([]string{"RFC 1", "one"}) || doc.covers([]string{"RFC 1", "absent"}) {
		t.Error("covers does not match headings and rules")
	}
}

// FuzzParseAudit: parseAudit never panics, and everything it reports points
// at a line of its input and at a .go file.
func FuzzParseAudit(f *testing.F) {
	data, err := os.ReadFile(filepath.Join(moduleRoot(f), "AUDIT.md"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	for _, seed := range []string{
		"",
		"|",
		"||\n|---|",
		"| Rule | Implementation | Test |\n|---|---|---|\n|",
		"| Rule | Implementation | Test |\n|---|---|---|\n| r | `a.go` `F` | `a_test.go` `TestF` |\n",
		"| Input | Bound | Constant | Test |\n|---|---|---|---|\n| x | 1 | |",
		"`a.go`\n\n`F`",
		"`a.go` `",
		"`.go` `x.y.z`",
		"# h\n| Implementation | Test |\n| --- | :---: |\n| `a.go` `T.M` | `b_test.go` `FuzzX` |",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		doc := parseAudit(text)
		lines := strings.Count(text, "\n") + 1
		inRange := func(n int) bool { return n >= 1 && n <= lines }
		for _, p := range doc.problems {
			num, _, ok := strings.Cut(p, ":")
			n, err := strconv.Atoi(num)
			if !ok || err != nil || !inRange(n) {
				t.Fatalf("problem %q does not start with a line of the input (1 to %d)", p, lines)
			}
		}
		for _, r := range append(append([]ref(nil), doc.refs...), doc.files...) {
			if !inRange(r.line) || !strings.HasSuffix(r.file, ".go") {
				t.Fatalf("reference %+v outside the input's %d lines or not a .go file", r, lines)
			}
		}
		for _, r := range doc.rows {
			if !inRange(r.line) || r.kind == otherTable {
				t.Fatalf("row %+v", r)
			}
		}
	})
}
