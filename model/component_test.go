package model

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// process sends one stanza on session id and returns what the server
// writes back (deliveries and errors, not drops).
func process(t *testing.T, srv *Server, id SessionID, xml string) []*etree.Element {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		t.Fatal(err)
	}
	var out []*etree.Element
	for _, ev := range srv.Process(id, doc.Root()) {
		if ev.Stanza != nil && ev.Kind != Drop {
			out = append(out, ev.Stanza)
		}
	}
	return out
}

func new13(t *testing.T) (*Server, SessionID) {
	t.Helper()
	p := Prosody13()
	srv := New(Options{Profile: &p})
	id, _, _, err := srv.Bind("romeo", "r")
	if err != nil {
		t.Fatal(err)
	}
	return srv, id
}

// prosody-trunk has no components: every other domain stays remote
// (§1.3), so its traces are unchanged. prosody-0.12 runs the upstream
// configuration, components included (as 0.12.3 answers for them).
func TestProfilesWithoutComponentsBounceRemote(t *testing.T) {
	p012 := Prosody012()
	srv012 := New(Options{Profile: &p012})
	id012, _, _, _ := srv012.Bind("romeo", "r")
	if out := process(t, srv012, id012, `<iq type='get' id='1' to='upload.localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`); len(out) != 1 || attrOr(out[0], "type") != "result" || attrOr(out[0], "from") != "upload.localhost" {
		t.Errorf("prosody-0.12: upload.localhost does not answer: %v", out)
	}
	for _, p := range []Profile{ProsodyTrunk()} {
		srv := New(Options{Profile: &p})
		id, _, _, _ := srv.Bind("romeo", "r")
		out := process(t, srv, id, `<iq type='get' id='1' to='upload.localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`)
		if len(out) != 1 || child(out[0], "error", nsClient) == nil ||
			!strings.Contains(Canonical(out[0]), "Communication with remote domains is not enabled") {
			t.Errorf("%s: %v", p.Name, out)
		}
	}
	if !slices.Contains(ProfileNames(), "prosody-13") {
		t.Errorf("profiles %v", ProfileNames())
	}
	// "prosody" is the default, prosody-13, with its components; the
	// former default keeps its name and has none.
	if p, _ := ProfileByName("prosody"); p.Name != "prosody-13" || len(p.Components) != 3 {
		t.Errorf("the alias prosody is not prosody-13: %+v", p)
	}
	if p, _ := ProfileByName("prosody-trunk"); p.Name != "prosody-trunk" || p.Components != nil {
		t.Errorf("prosody-trunk changed: %+v", p)
	}
}

// A component answers disco#info from its own domain, with its identity
// first and disco#info/#items after its modules' features (XEP-0030
// §3.1), and the host's contact form (server_contact_info is
// component-inheritable).
func TestComponentDiscoInfo(t *testing.T) {
	srv, id := new13(t)
	out := process(t, srv, id, `<iq type='get' id='1' to='upload.localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`)
	if len(out) != 1 {
		t.Fatalf("%d stanzas", len(out))
	}
	r := out[0]
	if attrOr(r, "from") != "upload.localhost" || attrOr(r, "type") != "result" {
		t.Fatalf("%s", Canonical(r))
	}
	q := child(r, "query", nsDiscoInfo)
	var got []string
	for _, c := range childElements(q) {
		got = append(got, c.Tag+" "+attrOr(c, "var")+attrOr(c, "category"))
	}
	want := []string{"identity store", "feature " + nsHTTPUpload, "feature " + nsDiscoInfo, "feature " + nsDiscoItems, "x ", "x "}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	forms := childElements(q)[4:]
	if f, _ := childText(forms[0].ChildElements()[0], "value", formsNS); f != "http://jabber.org/network/serverinfo" {
		t.Errorf("first form %s", Canonical(forms[0]))
	}
	if f, _ := childText(forms[1].ChildElements()[0], "value", formsNS); f != nsHTTPUpload {
		t.Errorf("second form %s", Canonical(forms[1]))
	}
}

// Each component is its own host: a feature of one is not another's,
// and none reaches the virtual host's disco#info.
func TestComponentsKeepTheirOwnFeatures(t *testing.T) {
	srv, _ := new13(t)
	if slices.Contains(srv.hostFeatures, nsHTTPUpload) || slices.Contains(srv.hostFeatures, "http://jabber.org/protocol/muc") {
		t.Errorf("host features %v", srv.hostFeatures)
	}
	up, conf := srv.components["upload.localhost"], srv.components["conference.localhost"]
	if up == nil || conf == nil || srv.components["pubsub.localhost"] == nil {
		t.Fatalf("components %v", srv.components)
	}
	if slices.Contains(up.features, "http://jabber.org/protocol/muc") || !slices.Contains(conf.features, "http://jabber.org/protocol/muc") {
		t.Errorf("upload %v, conference %v", up.features, conf.features)
	}
	// mod_muc answers the admins' destroy command and muc#unique.
	if len(up.iq) != 1 || len(conf.iq) != 2 {
		t.Errorf("iq handlers: upload %d, conference %d", len(up.iq), len(conf.iq))
	}
}

// XEP-0215 with TURN REST credentials: the username is the expiry time
// (now + one day, Unix seconds) and the password base64(HMAC-SHA1(secret,
// username)).
func TestExternalServicesTURNCredentials(t *testing.T) {
	srv, id := new13(t)
	out := process(t, srv, id, `<iq type='get' id='1' to='localhost'><services xmlns='urn:xmpp:extdisco:2' type='turn'/></iq>`)
	if len(out) != 1 {
		t.Fatalf("%d stanzas", len(out))
	}
	svcs := childElements(child(out[0], "services", "urn:xmpp:extdisco:2"))
	if len(svcs) != 2 {
		t.Fatalf("%s", Canonical(out[0]))
	}
	user := strconv.FormatInt(Epoch.Unix()+86400, 10)
	for i, secret := range []string{"<secret>", "foo"} {
		mac := hmac.New(sha1.New, []byte(secret))
		mac.Write([]byte(user))
		pw := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		if attrOr(svcs[i], "username") != user || attrOr(svcs[i], "password") != pw || attrOr(svcs[i], "restricted") != "1" {
			t.Errorf("service %d: %s, want username %s password %s", i, Canonical(svcs[i]), user, pw)
		}
	}
}

// XEP-0363 slot URLs: the filename is one percent-encoded path segment.
func TestUploadSlotURL(t *testing.T) {
	srv, id := new13(t)
	out := process(t, srv, id, `<iq type='get' id='1' to='upload.localhost'><request xmlns='urn:xmpp:http:upload:0' filename='a b/../ü.txt' size='1' content-type='text/plain'/></iq>`)
	if len(out) != 1 || !strings.Contains(Canonical(out[0]), "Invalid filename") {
		t.Errorf("a '/' in the filename: %v", out)
	}
	out = process(t, srv, id, `<iq type='get' id='2' to='upload.localhost'><request xmlns='urn:xmpp:http:upload:0' filename='a b?#ü.txt' size='1' content-type='text/plain'/></iq>`)
	slot := child(out[0], "slot", nsHTTPUpload)
	if slot == nil {
		t.Fatalf("%s", Canonical(out[0]))
	}
	get := attrOr(child(slot, "get", nsHTTPUpload), "url")
	put := attrOr(child(slot, "put", nsHTTPUpload), "url")
	if get != put || !strings.HasPrefix(get, "http://upload.localhost:5280/file_share/") || !strings.HasSuffix(get, "/a%20b%3F%23%C3%BC.txt") {
		t.Errorf("get %s put %s", get, put)
	}
}

func TestUploadTypeAllowed(t *testing.T) {
	for typ, want := range map[string]bool{
		"text/plain": true, "image/png": true, "image/*": true, "text/html": false,
		"application/octet-stream": false, "image": false, "": false,
	} {
		if uploadTypeAllowed(typ) != want {
			t.Errorf("%q: %v", typ, !want)
		}
	}
}
