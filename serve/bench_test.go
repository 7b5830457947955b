package serve

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"
)

// benchConns is how many client connections the load benchmarks hold.
const benchConns = 1000

// rawClient is a bare client end: a TCP connection negotiated by hand
// (SASL PLAIN on loopback, bind), with no goroutine of its own, so that
// what the benchmarks measure is the server's side.
type rawClient struct {
	nc  net.Conn
	br  *bufio.Reader
	jid string
}

func rawConnect(tb testing.TB, addr, user string) *rawClient {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	// The whole negotiation in one write: the server reads it in order.
	io.WriteString(nc, hdr+"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>"+
		base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00pw"))+"</auth>"+hdr+
		"<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>r</resource></bind></iq>")
	c := &rawClient{nc: nc, br: bufio.NewReaderSize(nc, 512), jid: user + "@localhost/r"}
	nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	var got []byte
	for !bytes.Contains(got, []byte("</jid></bind></iq>")) {
		b, err := c.br.ReadByte()
		if err != nil {
			tb.Fatalf("%s: bind: %v after %q", user, err, got)
		}
		got = append(got, b)
	}
	nc.SetReadDeadline(time.Time{})
	return c
}

func heapAndStacks() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// BenchmarkIdleConnections opens 1,000 bound sessions and reports the
// memory (heap and goroutine stacks, both ends in this process; the
// client end is a bare socket) each idle connection holds.
func BenchmarkIdleConnections(b *testing.B) {
	for i := 0; i < b.N; i++ {
		s, err := Start(Options{Addr: "127.0.0.1:0"})
		if err != nil {
			b.Fatal(err)
		}
		before := heapAndStacks()
		clients := make([]*rawClient, benchConns)
		for j := range clients {
			clients[j] = rawConnect(b, s.Addr(), fmt.Sprintf("user%d", j))
		}
		after := heapAndStacks()
		b.ReportMetric(float64(after-before)/benchConns, "bytes/idle-conn")
		for _, c := range clients {
			c.nc.Close()
		}
		s.Close()
	}
}

// BenchmarkRouting holds 1,000 connections, 500 pairs, and routes b.N
// chat messages between them: every sender writes its share at once,
// every receiver reads until it has all of its share. It reports the
// stanzas routed per second of wall time (the model goroutine is the
// bottleneck by design: one stanza at a time).
func BenchmarkRouting(b *testing.B) {
	s, err := Start(Options{Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	clients := make([]*rawClient, benchConns)
	for j := range clients {
		clients[j] = rawConnect(b, s.Addr(), fmt.Sprintf("user%d", j))
	}
	pairs := benchConns / 2
	share := (b.N + pairs - 1) / pairs
	msg := func(to string) []byte {
		var w bytes.Buffer
		for k := 0; k < share; k++ {
			fmt.Fprintf(&w, "<message to='%s' type='chat'><body>m</body></message>", to)
		}
		return w.Bytes()
	}
	before := heapAndStacks()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, benchConns)
	for p := 0; p < pairs; p++ {
		from, to := clients[2*p], clients[2*p+1]
		data := msg(to.jid)
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := from.nc.Write(data); err != nil {
				errs <- err
			}
		}()
		go func() {
			defer wg.Done()
			to.nc.SetReadDeadline(time.Now().Add(2 * time.Minute))
			end := []byte("</message>")
			var tail []byte
			buf := make([]byte, 32<<10)
			for n := 0; n < share; {
				k, err := to.nc.Read(buf)
				if err != nil {
					errs <- fmt.Errorf("%s: %v after %d", to.jid, err, n)
					return
				}
				// A match cannot start inside the kept tail of an earlier
				// one ("</message>" has its only '<' first), so none is
				// counted twice.
				data := append(tail, buf[:k]...)
				n += bytes.Count(data, end)
				keep := min(len(end)-1, len(data))
				tail = append(tail[:0:0], data[len(data)-keep:]...)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(share*pairs)/elapsed.Seconds(), "stanzas/s")
	// What stays in memory per routed stanza: the trace is not kept
	// (the recording streams to its spool file; the window holds the
	// newest Options.TraceWindow events, a fixed cost), so this falls as
	// b.N grows.
	b.ReportMetric(float64(heapAndStacks()-before)/float64(share*pairs), "retained-bytes/stanza")
	for _, c := range clients {
		c.nc.Close()
	}
}
