package audit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestPackageDocs: every package of the module, internal ones and the
// command included, opens with a package doc comment (STYLE.md, "How a
// package opens"; issue 7, item 2).
func TestPackageDocs(t *testing.T) {
	root := moduleRoot(t)
	for _, dir := range packageDirs(t, root) {
		files := parseDir(t, root, dir)
		documented := false
		for _, f := range files {
			if f.file.Doc != nil && strings.TrimSpace(f.file.Doc.Text()) != "" {
				documented = true
			}
		}
		if !documented {
			t.Errorf("%s: no package doc comment; add a doc.go that says what the package does, under which specs, what it trusts and keeps secret, and whether it is safe for concurrent use", dir)
		}
	}
}

// TestExportedNamesDocumented: every exported top-level name (function,
// type, constant, variable) and every exported method of an exported type
// has a doc comment, in every package of the module (issue 7: "every
// exported identifier documented"). The rules are go/doc's: a constant or
// variable is documented by its own comment, a trailing line comment, or
// the comment of its group; a type by its own comment, or the declaration's
// when it declares only that type.
func TestExportedNamesDocumented(t *testing.T) {
	root := moduleRoot(t)
	for _, dir := range packageDirs(t, root) {
		for _, f := range parseDir(t, root, dir) {
			for _, missing := range undocumented(f.file) {
				t.Errorf("%s: exported %s has no doc comment", f.rel, missing)
			}
		}
	}
}

// undocumented returns the exported names of f that lack a doc comment,
// each as "func Name", "method Type.Name", "type Name", "const Name" or
// "var Name", in source order.
func undocumented(f *ast.File) []string {
	var out []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || hasText(d.Doc) {
				continue
			}
			if d.Recv == nil {
				out = append(out, "func "+d.Name.Name)
				continue
			}
			recv := receiverType(d)
			if ast.IsExported(recv) {
				out = append(out, "method "+recv+"."+d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() && !hasText(s.Doc) && !(len(d.Specs) == 1 && hasText(d.Doc)) {
						out = append(out, "type "+s.Name.Name)
					}
				case *ast.ValueSpec:
					if hasText(s.Doc) || hasText(s.Comment) || hasText(d.Doc) {
						continue
					}
					for _, n := range s.Names {
						if n.IsExported() {
							out = append(out, d.Tok.String()+" "+n.Name)
						}
					}
				}
			}
		}
	}
	return out
}

func hasText(g *ast.CommentGroup) bool {
	return g != nil && strings.TrimSpace(g.Text()) != ""
}

// receiverType names the receiver's type without '*' or type parameters.
func receiverType(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return ""
	}
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// parsedFile is one non-test Go file of a package, parsed with comments.
type parsedFile struct {
	rel  string // slash path from the module root
	file *ast.File
}

// parseDir parses the non-test Go files of the package in dir (a slash path
// relative to root), whatever their build constraints, in name order.
func parseDir(t *testing.T, root, dir string) []parsedFile {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if err != nil {
		t.Fatal(err)
	}
	var out []parsedFile
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		rel := dir + "/" + name
		f, err := parser.ParseFile(fset, filepath.Join(root, filepath.FromSlash(rel)), nil, parser.ParseComments)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		out = append(out, parsedFile{rel: rel, file: f})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out
}

// packageDirs returns the slash paths, relative to root, of every directory
// that holds a package of the module: one with a non-test .go file, outside
// testdata and outside directories whose names start with '.' or '_' (the
// go command's rule for "./...").
func packageDirs(t *testing.T, root string) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		if path != root {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if n := e.Name(); !e.IsDir() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
				rel, err := filepath.Rel(root, path)
				if err != nil {
					return err
				}
				dirs = append(dirs, filepath.ToSlash(rel))
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 10 {
		t.Fatalf("found %d packages under %s: %v; the walk is broken", len(dirs), root, dirs)
	}
	return dirs
}

// moduleRoot is the directory holding azid's go.mod: the test runs in
// internal/audit, two levels below it.
func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "module "+modulePath+"\n") {
		t.Fatalf("%s/go.mod is not module %s", root, modulePath)
	}
	return root
}

// modulePath is azid's module path.
const modulePath = "github.com/azid-go/azid"

// TestUndocumented checks the rules of undocumented on a sample file.
func TestUndocumented(t *testing.T) {
	src := `package p

// A is documented.
func A() {}
func B() {}
func c() {}

// T is documented.
type T struct{}
func (T) M() {}
// N is documented.
func (*T) N() {}
func (u) M() {}
type u int

type (
	// G1 is documented.
	G1 int
	G2 int
)

// Grouped constants share the group's comment.
const (
	K1 = 1
	K2 = 2
)

const (
	L1 = 1 // L1 has a line comment.
	L2 = 2
	l3 = 3
)

var V, W = 1, 2

type P[X any] struct{}
func (P[X]) Get() {}
`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(undocumented(f), ", ")
	want := "func B, method T.M, type G2, const L2, var V, var W, type P, method P.Get"
	if got != want {
		t.Errorf("undocumented:\n got %s\nwant %s", got, want)
	}
}
