package serve

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

func TestZZLeakSimInServe(t *testing.T) {
	prof, _ := model.ProfileByName("prosody-trunk")
	_ = prof
	_ = model.Epoch
	var _ *sim.Sim
	srv := start(t, Options{Profile: "prosody-trunk", TraceWindow: 1, Clock: FixedClock})
	p2 := srv.prof
	sm := sim.New(sim.Config{Seed: srv.opts.Seed, Start: srv.opts.Start, Profile: &p2, Host: srv.opts.Host, Hosts: srv.opts.Hosts, Storage: &model.MemStorage{}})
	holder = sm
	t.Logf("start %v seed %d host %q hosts %v", srv.opts.Start, srv.opts.Seed, srv.opts.Host, srv.opts.Hosts)
	var j, r *sim.Client
	srv.do(func() {
		j, _ = sm.Connect("Juliet", "juliet", "balcony")
		r, _ = sm.Connect("Romeo", "romeo", "orchard")
	})
	round := func(n int) {
		for i := range n {
			srv.do(func() {
				el := etree.NewElement("message")
				el.CreateAttr("to", "juliet@localhost/balcony")
				el.CreateAttr("type", "chat")
				el.CreateElement("body").SetText(fmt.Sprint(i))
				r.Send(el)
				sm.RunUntilQuiet()
				j.TakeAll()
				r.TakeAll()
				sm.ForgetTrace()
			})
		}
	}
	round(2000)
	a := heapAndStacks()
	round(20000)
	b := heapAndStacks()
	dump(t, reflect.ValueOf(sm).Elem(), "sim", 0)
	holder = nil
	sm, j, r = nil, nil, nil
	c := heapAndStacks()
	t.Logf("after dropping the sim: %.0f bytes per stanza above the start", float64(int64(c)-int64(a))/20000)
	t.Logf("sim in serve: growth per stanza: %.0f bytes", float64(int64(b)-int64(a))/20000)
}

var seenPtr = map[uintptr]bool{}

func dump(t *testing.T, v reflect.Value, path string, depth int) {
	if depth > 14 {
		return
	}
	switch v.Kind() {
	case reflect.Slice:
		if v.Len() > 50 || v.Cap() > 200 {
			t.Logf("%s: len %d cap %d", path, v.Len(), v.Cap())
		}
		for i := 0; i < v.Len() && i < 3; i++ {
			dump(t, v.Index(i), path+"[]", depth+1)
		}
	case reflect.Map:
		if v.Len() > 50 {
			t.Logf("%s: map len %d", path, v.Len())
		}
		it := v.MapRange()
		for k := 0; it.Next() && k < 3; k++ {
			dump(t, it.Value(), path+"{}", depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			dump(t, v.Field(i), path+"."+v.Type().Field(i).Name, depth+1)
		}
	case reflect.Ptr:
		if !v.IsNil() && !seenPtr[v.Pointer()] {
			seenPtr[v.Pointer()] = true
			dump(t, v.Elem(), path+"*", depth+1)
		}
	case reflect.Interface:
		if !v.IsNil() {
			dump(t, v.Elem(), path, depth+1)
		}
	}
}
var holder *sim.Sim
