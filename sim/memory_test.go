package sim_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestLongRunRetainsNothing: a simulation whose consumer takes every
// delivery and forgets the trace (scansim serve) keeps nothing per
// routed stanza, however long it runs. (The stanza arena once chained
// every slab it had cut to the next, so that one live recent stanza
// kept every earlier one: about 1.3 KB per message.)
func TestLongRunRetainsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("routes 22,000 messages")
	}
	p, err := model.ProfileByName("prosody-13")
	if err != nil {
		t.Fatal(err)
	}
	s := sim.New(sim.Config{Profile: &p, Storage: &model.MemStorage{}})
	juliet := connect(t, s, "Juliet", "juliet", "balcony")
	romeo := connect(t, s, "Romeo", "romeo", "orchard")
	route := func(n int) {
		for i := range n {
			m := etree.NewElement("message")
			m.CreateAttr("to", "juliet@localhost/balcony")
			m.CreateAttr("type", "chat")
			m.CreateAttr("id", fmt.Sprint("m", i))
			m.CreateElement("body").SetText(fmt.Sprint(i))
			send(t, romeo, m)
			s.RunUntilQuiet()
			juliet.TakeAll()
			romeo.TakeAll()
			s.ForgetTrace()
		}
	}
	const n = 20000
	route(2000)
	before := heapInUse()
	route(n)
	after := heapInUse()
	runtime.KeepAlive(s)
	if per := (float64(after) - float64(before)) / n; per > 100 {
		t.Fatalf("the simulation kept %.0f bytes per routed message (want none)", per)
	}
}
