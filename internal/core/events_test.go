package core

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestEventsListsEveryEventType checks that Events holds one value of every
// type in this package that has an Attrs method, so adapters that walk
// Events (ABCI events, the projection) see every event, and that their
// names are unique.
func TestEventsListsEveryEventType(t *testing.T) {
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var declared []string
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "Attrs" {
				continue
			}
			if id, ok := fn.Recv.List[0].Type.(*ast.Ident); ok {
				declared = append(declared, id.Name)
			}
		}
	}
	var listed []string
	names := map[string]bool{}
	for _, e := range Events() {
		listed = append(listed, reflect.TypeOf(e).Name())
		if names[e.Type()] {
			t.Errorf("two event types are named %q", e.Type())
		}
		names[e.Type()] = true
	}
	slices.Sort(declared)
	slices.Sort(listed)
	if !slices.Equal(declared, listed) {
		t.Fatalf("types with Attrs %v\nEvents lists %v", declared, listed)
	}
}
