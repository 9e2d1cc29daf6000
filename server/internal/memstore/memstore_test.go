package memstore

import (
	"testing"

	"gatehouse.dev/gatehouse/store"
	"gatehouse.dev/gatehouse/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s := New()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
