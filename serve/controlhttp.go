package serve

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Handler is the control surface over HTTP+JSON: every Control method
// as a POST of a JSON object, answered with a JSON object ({"error":
// "..."} and status 400 on failure), and the trace so far as GET
// /trace (text), /trace.html, /trace.scs (the recorded script).
//
//	POST /send      {"as": "juliet@localhost", "stanza": "<message .../>"} -> {"received": [...]}
//	POST /leave     {"as": "juliet@localhost"}                           -> {"received": [...]}
//	POST /block     {"user": "juliet", "jids": ["romeo@localhost"]}
//	POST /subscribe {"user": "romeo", "contact": "juliet"}
//	POST /offline   {"from": "romeo", "to": "juliet@localhost", "body": "..."}
//	POST /publish   {"user": "romeo", "node": "...", "id": "...", "item": "<.../>"}
//	POST /account   {"user": "romeo", "password": "..."}
//	POST /drop      {"jid": "romeo@localhost/orchard"}                   -> {"sessions": n}
//	POST /delay     {"jid": "romeo@localhost", "ms": 500}                -> {"sessions": n}
//	POST /restart   {}
//	GET  /sessions                                                       -> {"sessions": [...]}
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	type req struct {
		As       string   `json:"as"`
		Stanza   string   `json:"stanza"`
		User     string   `json:"user"`
		JIDs     []string `json:"jids"`
		Contact  string   `json:"contact"`
		From     string   `json:"from"`
		To       string   `json:"to"`
		Body     string   `json:"body"`
		Node     string   `json:"node"`
		ID       string   `json:"id"`
		Item     string   `json:"item"`
		Password string   `json:"password"`
		JID      string   `json:"jid"`
		MS       int64    `json:"ms"`
	}
	post := func(path string, f func(r req) (any, error)) {
		mux.HandleFunc("POST "+path, func(w http.ResponseWriter, hr *http.Request) {
			var r req
			dec := json.NewDecoder(http.MaxBytesReader(w, hr.Body, 2<<20))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&r); err != nil {
				reply(w, nil, fmt.Errorf("%s: bad JSON body: %v", path, err))
				return
			}
			out, err := f(r)
			reply(w, out, err)
		})
	}
	type received struct {
		Received []string `json:"received"`
	}
	type count struct {
		Sessions int `json:"sessions"`
	}
	post("/send", func(r req) (any, error) {
		got, err := s.SendAs(r.As, r.Stanza)
		return received{got}, err
	})
	post("/leave", func(r req) (any, error) {
		got, err := s.Leave(r.As)
		return received{got}, err
	})
	post("/block", func(r req) (any, error) { return nil, s.Block(r.User, r.JIDs...) })
	post("/subscribe", func(r req) (any, error) { return nil, s.Subscribe(r.User, r.Contact) })
	post("/offline", func(r req) (any, error) { return nil, s.Offline(r.From, r.To, r.Body) })
	post("/publish", func(r req) (any, error) { return nil, s.Publish(r.User, r.Node, r.ID, r.Item) })
	post("/account", func(r req) (any, error) { return nil, s.SetPassword(r.User, r.Password) })
	post("/drop", func(r req) (any, error) {
		n, err := s.DropSession(r.JID)
		return count{n}, err
	})
	post("/delay", func(r req) (any, error) {
		n, err := s.Delay(r.JID, time.Duration(r.MS)*time.Millisecond)
		return count{n}, err
	})
	post("/restart", func(req) (any, error) { return nil, s.Restart() })
	mux.HandleFunc("GET /sessions", func(w http.ResponseWriter, _ *http.Request) {
		ss, err := s.Sessions()
		reply(w, map[string]any{"sessions": ss}, err)
	})
	mux.HandleFunc("GET /trace", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		s.TraceText(w)
	})
	mux.HandleFunc("GET /trace.html", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		s.TraceHTML(w)
	})
	mux.HandleFunc("GET /trace.scs", func(w http.ResponseWriter, _ *http.Request) {
		sc, err := s.Script()
		if err != nil {
			reply(w, nil, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(sc)
	})
	return mux
}

func reply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	if v == nil {
		v = map[string]any{}
	}
	json.NewEncoder(w).Encode(v)
}

// ServeControl serves Handler on addr, which must be a loopback address
// (the control surface has no authentication). It returns the listener's
// address and a function that stops it.
func (s *Server) ServeControl(addr string) (string, func() error, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", nil, fmt.Errorf("serve: control address %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", nil, fmt.Errorf("serve: control address %q: loopback only (the control surface has no authentication)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("serve: control: %w", err)
	}
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return ln.Addr().String(), hs.Close, nil
}
