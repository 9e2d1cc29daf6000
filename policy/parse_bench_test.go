package policy

import (
	"fmt"
	"strings"
	"testing"
)

// benchPolicy returns a policy of n statements in JSON or YAML, small
// enough that 10,000 of them fit in MaxDocumentBytes: each has an action
// list and a resource, and every fourth a condition.
func benchPolicy(n int, yaml bool) []byte {
	var b strings.Builder
	if yaml {
		b.WriteString("Version: \"2012-10-17\"\nStatement:\n")
		for i := range n {
			fmt.Fprintf(&b, "- {Effect: Allow, Action: [o:Read, o:List], Resource: \"o:t%d/*\"", i)
			if i%4 == 0 {
				fmt.Fprintf(&b, ", Condition: {StringEquals: {jwt:org: t%d}}", i)
			}
			b.WriteString("}\n")
		}
		return []byte(b.String())
	}
	b.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"Effect":"Allow","Action":["o:Read","o:List"],"Resource":"o:t%d/*"`, i)
		if i%4 == 0 {
			fmt.Fprintf(&b, `,"Condition":{"StringEquals":{"jwt:org":"t%d"}}`, i)
		}
		b.WriteString("}")
	}
	b.WriteString("]}")
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	for _, n := range []int{10, 1000, MaxStatements} {
		for _, format := range []string{"json", "yaml"} {
			data := benchPolicy(n, format == "yaml")
			b.Run(fmt.Sprintf("%s/%d", format, n), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					if _, fs := Parse("p."+format, data); len(fs) > 0 {
						b.Fatal(fs)
					}
				}
			})
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	doc, fs := Parse("p.json", benchPolicy(MaxStatements, false))
	if len(fs) > 0 {
		b.Fatal(fs)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := doc.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}
