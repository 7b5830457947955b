package sim_test

import (
	"fmt"
	"runtime"
	"time"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func TestZZSimLeak(t *testing.T) {
	for _, prof := range []string{"prosody-trunk", "prosody-13"} {
		p, _ := model.ProfileByName(prof)
		s := sim.New(sim.Config{Profile: &p, Storage: &model.MemStorage{}})
		b, _ := s.Connect("Juliet", "juliet", "balcony")
		a, _ := s.Connect("Romeo", "romeo", "orchard")
		round := func(n int) {
			for i := range n {
				m := etree.NewElement("message")
				m.CreateAttr("to", "juliet@localhost/balcony")
				m.CreateAttr("type", "chat")
				m.CreateAttr("id", fmt.Sprint("m", i))
				m.CreateElement("body").SetText(fmt.Sprint(i))
				s.Advance(time.Millisecond)
				a.Send(m)
				s.RunUntilQuiet()
				b.TakeAll()
				a.TakeAll()
				s.ForgetTrace()
			}
		}
		round(2000)
		h1 := heap()
		round(20000)
		h2 := heap()
		t.Logf("%s: growth per stanza %.0f", prof, float64(int64(h2)-int64(h1))/20000)
	}
}
