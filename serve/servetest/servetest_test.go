package servetest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/serve"
	"github.com/scansim/scansim/serve/servetest"
	"github.com/scansim/scansim/xmpptcp"
)

func post(t *testing.T, url, body string) map[string]any {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %v", url, resp.StatusCode, out)
	}
	return out
}

// A Go client's test: the control surface acts as Juliet over HTTP,
// the client sees her message, and the recording holds both sides.
func TestStartAndControl(t *testing.T) {
	s := servetest.Start(t, serve.Options{Profile: "prosody-0.12"})
	romeo, err := xmpptcp.Dial(xmpptcp.Config{Addr: s.Addr, User: "romeo", Resource: "orchard"})
	if err != nil {
		t.Fatal(err)
	}
	defer romeo.Close()
	// Juliet's ping to the host comes back to her control session.
	out := post(t, s.ControlURL+"/send", `{"as": "juliet@localhost", "stanza": "<iq type='get' id='p' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>"}`)
	if got := out["received"].([]any); len(got) != 1 || !strings.Contains(got[0].(string), "type='result'") {
		t.Fatalf("received %v", got)
	}
	post(t, s.ControlURL+"/send", `{"as": "juliet", "stanza": "<message to='romeo@localhost/orchard' type='chat'><body>hello</body></message>"}`)
	st, err := romeo.Next(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if st.Stanza.SelectAttrValue("from", "") != "juliet@localhost/control" || st.Stanza.FindElement("body").Text() != "hello" {
		t.Fatalf("romeo got %v", st.Stanza)
	}
	resp, err := http.Get(s.ControlURL + "/trace.scs")
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(sc), "Juliet sends:") || !strings.Contains(string(sc), "Romeo receives:") {
		t.Fatalf("recording:\n%s", sc)
	}
	resp, err = http.Post(s.ControlURL+"/send", "application/json", strings.NewReader(`{"as": "juliet@example.org", "stanza": "<message/>"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("a foreign JID was accepted: %d", resp.StatusCode)
	}
}
