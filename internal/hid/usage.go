package hid

import (
	"fmt"
	"strings"
)

// Usage names one usage (page << 16 | id).
type Usage struct {
	Name string
	Code Node
}

// Table is a list of usage names.
type Table []Usage

// Names looks usages up in tables, the first naming one winning (a
// subdriver's vendor table before the standard one), and back.
type Names struct {
	byCode map[Node]string
	byName map[string]Node
}

// NewNames builds the lookup from tables, earlier ones first.
func NewNames(tables ...Table) *Names {
	n := &Names{byCode: map[Node]string{}, byName: map[string]Node{}}
	for _, t := range tables {
		for _, u := range t {
			if _, ok := n.byCode[u.Code]; !ok {
				n.byCode[u.Code] = u.Name
			}
			if _, ok := n.byName[u.Name]; !ok {
				n.byName[u.Name] = u.Code
			}
		}
	}
	return n
}

// String renders a path as NUT does: names joined by dots, "[n]" for an
// indexed collection, eight hex digits for an unnamed usage.
func (n *Names) String(p Path) string {
	var b strings.Builder
	for i, node := range p {
		if i > 0 {
			b.WriteByte('.')
		}
		switch name, ok := n.byCode[node]; {
		case ok:
			b.WriteString(name)
		case node.isIndex():
			fmt.Fprintf(&b, "[%d]", node&0xFFFF)
		default:
			fmt.Fprintf(&b, "%08x", uint32(node))
		}
	}
	return b.String()
}

// Parse turns a path string back into nodes: names, "[n]" and hex.
func (n *Names) Parse(s string) (Path, error) {
	var p Path
	for _, part := range strings.Split(s, ".") {
		if code, ok := n.byName[part]; ok {
			p = append(p, code)
			continue
		}
		var idx, hex uint32
		switch {
		case len(part) > 2 && part[0] == '[' && part[len(part)-1] == ']':
			if _, err := fmt.Sscanf(part, "[%d]", &idx); err != nil {
				return nil, fmt.Errorf("%s: bad index %q", s, part)
			}
			p = append(p, indexNode(idx))
		case len(part) == 8:
			if _, err := fmt.Sscanf(part, "%08x", &hex); err != nil {
				return nil, fmt.Errorf("%s: unknown usage %q", s, part)
			}
			p = append(p, Node(hex))
		default:
			return nil, fmt.Errorf("%s: unknown usage %q", s, part)
		}
	}
	return p, nil
}

// Find returns the first field of the type whose path is p (NUT's
// FindObject_with_Path), or nil.
func (d *Descriptor) Find(p Path, t ItemType) *Field {
	for i := range d.Fields {
		f := &d.Fields[i]
		if f.Type == t && len(f.Path) == len(p) && pathEqual(f.Path, p) {
			return f
		}
	}
	return nil
}

func pathEqual(a, b Path) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
