package serve

import (
	"bufio"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readUntil reads from r until the text read so far ends with one of ends.
func readUntil(t *testing.T, r *bufio.Reader, ends ...string) string {
	t.Helper()
	var b strings.Builder
	for {
		c, err := r.ReadByte()
		if err != nil {
			t.Fatalf("read: %v after %q", err, b.String())
		}
		b.WriteByte(c)
		for _, e := range ends {
			if strings.HasSuffix(b.String(), e) {
				return b.String()
			}
		}
	}
}

// STARTTLS, then SCRAM-SHA-256 computed here from RFC 5802's
// definitions, then bind: the whole negotiation on the wire.
func TestSTARTTLSAndSCRAM(t *testing.T) {
	s := start(t, Options{Passwords: map[string]string{"romeo": "pencil"}})
	nc, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	nc.Write([]byte(hdr))
	feats := readUntil(t, bufio.NewReader(nc), "</stream:features>")
	if !strings.Contains(feats, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>") {
		t.Fatalf("no STARTTLS offered: %s", feats)
	}
	nc.Write([]byte("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"))
	br := bufio.NewReader(nc)
	readUntil(t, br, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
	tc := tls.Client(nc, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	br = bufio.NewReader(tc)
	tc.Write([]byte(hdr))
	feats = readUntil(t, br, "</stream:features>")
	if strings.Contains(feats, "starttls") || !strings.Contains(feats, "<mechanism>SCRAM-SHA-256</mechanism>") {
		t.Fatalf("features after TLS: %s", feats)
	}
	cfirst := "n=romeo,r=clientnonce"
	tc.Write([]byte("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>" + base64.StdEncoding.EncodeToString([]byte("n,,"+cfirst)) + "</auth>"))
	ch := readUntil(t, br, "</challenge>")
	m := regexp.MustCompile(`>([^<]+)</challenge>`).FindStringSubmatch(ch)
	sfirstB, _ := base64.StdEncoding.DecodeString(m[1])
	sfirst := string(sfirstB)
	attrs := map[string]string{}
	for _, kv := range strings.Split(sfirst, ",") {
		k, v, _ := strings.Cut(kv, "=")
		attrs[k] = v
	}
	if !strings.HasPrefix(attrs["r"], "clientnonce") || len(attrs["r"]) <= len("clientnonce") {
		t.Fatalf("server nonce %q", attrs["r"])
	}
	salt, _ := base64.StdEncoding.DecodeString(attrs["s"])
	iter, _ := strconv.Atoi(attrs["i"])
	mac := func(k, d []byte) []byte { h := hmac.New(sha256.New, k); h.Write(d); return h.Sum(nil) }
	salted, _ := pbkdf2.Key(sha256.New, "pencil", salt, iter, 32)
	ckey := mac(salted, []byte("Client Key"))
	stored := sha256.Sum256(ckey)
	noProof := "c=biws,r=" + attrs["r"]
	auth := []byte(cfirst + "," + sfirst + "," + noProof)
	sig := mac(stored[:], auth)
	for i := range ckey {
		ckey[i] ^= sig[i]
	}
	tc.Write([]byte("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" + base64.StdEncoding.EncodeToString([]byte(noProof+",p="+base64.StdEncoding.EncodeToString(ckey))) + "</response>"))
	succ := readUntil(t, br, "</success>", "</failure>")
	wantV := "v=" + base64.StdEncoding.EncodeToString(mac(mac(salted, []byte("Server Key")), auth))
	if !strings.Contains(succ, base64.StdEncoding.EncodeToString([]byte(wantV))) {
		t.Fatalf("no success with the server signature: %s", succ)
	}
	tc.Write([]byte(hdr + "<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>r</resource></bind></iq>"))
	bound := readUntil(t, br, "</iq>")
	if !strings.Contains(bound, "<jid>romeo@localhost/r</jid>") {
		t.Fatalf("bind: %s", bound)
	}
}
