package model_test

import (
	"fmt"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
)

// fanoutServer builds a server where u0 has K contacts c1..cK, all with
// mutual subscriptions, each online and available.
func fanoutServer(b *testing.B, k int) (*model.Server, model.SessionID) {
	srv := model.New(model.Options{})
	id0, _, _, _ := srv.Bind("u0", "r")
	send := func(id model.SessionID, xml string) {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(xml); err != nil {
			b.Fatal(err)
		}
		srv.Process(id, doc.Root())
	}
	send(id0, `<presence/>`)
	for i := 1; i <= k; i++ {
		c := fmt.Sprintf("c%d", i)
		id, _, _, _ := srv.Bind(c, "r")
		send(id, `<presence/>`)
		send(id0, `<presence type='subscribe' to='`+c+`@localhost'/>`)
		send(id, `<presence type='subscribed' to='u0@localhost'/>`)
		send(id, `<presence type='subscribe' to='u0@localhost'/>`)
		send(id0, `<presence type='subscribed' to='`+c+`@localhost'/>`)
	}
	return srv, id0
}

// BenchmarkRoutingFanout: one user with K subscribed, available contacts
// changes presence; reports routed deliveries per second.
func BenchmarkRoutingFanout(b *testing.B) {
	for _, k := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("K=%d", k), func(b *testing.B) {
			srv, id0 := fanoutServer(b, k)
			pres := etree.NewElement("presence")
			pres.CreateElement("status").SetText("away")
			b.ReportAllocs()
			b.ResetTimer()
			deliveries := 0
			for i := 0; i < b.N; i++ {
				for _, ev := range srv.Process(id0, pres.Copy()) {
					if ev.Kind == model.Deliver {
						deliveries++
					}
				}
			}
			b.ReportMetric(float64(deliveries)/b.Elapsed().Seconds(), "deliveries/s")
			b.ReportMetric(float64(deliveries)/float64(b.N), "deliveries/op")
		})
	}
}
