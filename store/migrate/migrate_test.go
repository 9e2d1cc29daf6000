package migrate

import (
	"errors"
	"testing"
	"testing/fstest"
)

func TestRead(t *testing.T) {
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []int
		wantErr bool
	}{
		{"ordered", fstest.MapFS{
			"m/0002_b.sql": {Data: []byte("B")},
			"m/0001_a.sql": {Data: []byte("A")},
		}, []int{1, 2}, false},
		{"gap", fstest.MapFS{
			"m/0001_a.sql": {Data: []byte("A")},
			"m/0003_c.sql": {Data: []byte("C")},
		}, nil, true},
		{"repeat", fstest.MapFS{
			"m/0001_a.sql": {Data: []byte("A")},
			"m/1_b.sql":    {Data: []byte("B")},
		}, nil, true},
		{"not numbered", fstest.MapFS{"m/init.sql": {Data: []byte("A")}}, nil, true},
		{"not sql", fstest.MapFS{"m/0001_a.txt": {Data: []byte("A")}}, nil, true},
		{"zero", fstest.MapFS{"m/0000_a.sql": {Data: []byte("A")}}, nil, true},
		{"empty", fstest.MapFS{"m/": {}}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := Read(tt.files, "m")
			if (err != nil) != tt.wantErr {
				t.Fatalf("Read: err = %v, want error %v", err, tt.wantErr)
			}
			if len(ms) != len(tt.want) {
				t.Fatalf("Read: %d migrations, want %d", len(ms), len(tt.want))
			}
			for i, m := range ms {
				if m.Version != tt.want[i] {
					t.Errorf("migration %d: version %d, want %d", i, m.Version, tt.want[i])
				}
			}
			if len(ms) > 0 && ms[0].SQL != "A" {
				t.Errorf("first migration SQL = %q, want A", ms[0].SQL)
			}
		})
	}
}

func TestPending(t *testing.T) {
	all := []Migration{{Version: 1}, {Version: 2}, {Version: 3}}
	for current, want := range []int{3, 2, 1, 0} {
		got, err := Pending(current, all)
		if err != nil || len(got) != want {
			t.Errorf("Pending(%d) = %d migrations, %v; want %d", current, len(got), err, want)
		}
		if want > 0 && got[0].Version != current+1 {
			t.Errorf("Pending(%d) starts at %d", current, got[0].Version)
		}
	}
	if _, err := Pending(4, all); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("Pending(4) = %v, want ErrNewerSchema", err)
	}
	if _, err := Pending(-1, all); err == nil {
		t.Error("Pending(-1) succeeded")
	}
}
