package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scansim/scansim/model"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.scs")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("content %q", b)
	}
	if info, _ := os.Stat(p); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the old file's 0600", info.Mode().Perm())
	}
	// A symlink at the destination is neither followed nor replaced.
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("precious"), 0o644)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Skip(err)
	}
	if err := WriteFileAtomic(link, []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("symlink: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "precious" {
		t.Errorf("symlink target changed: %q", b)
	}
	// A failure leaves the old content and no temporary file.
	if err := WriteFileAtomic(filepath.Join(dir, "nosuch", "x"), []byte("x"), 0o644); err == nil {
		t.Error("missing directory: no error")
	}
	if err := WriteFileAtomic(dir, []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestParseFile(t *testing.T) {
	s, err := ParseFile("testdata/blocking.scs")
	if err != nil || s.File != "testdata/blocking.scs" || len(s.Actions) == 0 {
		t.Fatalf("%v %v", s, err)
	}
	if _, err := ParseFile("testdata/nosuch.scs"); err == nil || err.Error() != "testdata/nosuch.scs: no such file or directory" {
		t.Errorf("missing: %v", err)
	}
}

func TestReceivesNothingHint(t *testing.T) {
	src := "[Client] Romeo\n\tjid: romeo@localhost\n\tpassword: x\n\n-----\n\nRomeo receives nothing\n"
	_, err := Parse("x.scs", []byte(src))
	if err == nil || err.Error() != `x.scs:7: unknown verb "nothing" in "Romeo receives nothing": did you mean "Romeo receives: nothing"?` {
		t.Errorf("%v", err)
	}
}

// TestStreamDiffPrettyPrintsLongStanzas: scansim diff shows a long stanza
// one element per line under its mark, a short one on its line.
func TestStreamDiffPrettyPrintsLongStanzas(t *testing.T) {
	long := "<iq id='x' type='result'><query xmlns='http://jabber.org/protocol/disco#info'><feature var='urn:xmpp:ping'/><feature var='urn:xmpp:time'/></query></iq>"
	c := ClientStreams{Client: "Romeo", Sim: []string{"<presence/>", long}, Server: []string{"<presence/>"}}
	want := "  <presence/>\n" +
		"- <iq id='x' type='result'>\n" +
		"-   <query xmlns='http://jabber.org/protocol/disco#info'>\n" +
		"-     <feature var='urn:xmpp:ping'/>\n" +
		"-     <feature var='urn:xmpp:time'/>\n" +
		"-   </query>\n" +
		"- </iq>\n"
	if got := c.Diff(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRunOptionsWithProfile(t *testing.T) {
	p, err := model.ProfileByName("prosody-0.12")
	if err != nil {
		t.Fatal(err)
	}
	o := RunOptions{Strict: true}.WithProfile(p)
	p.Name = "changed"
	if o.Profile == nil || o.Profile.Name != "prosody-0.12" || !o.Strict {
		t.Fatalf("%+v", o)
	}
	s, _ := ParseFile("testdata/blocking.scs")
	if res := Run(s, o); !res.Passed {
		t.Errorf("blocking on prosody-0.12: %v %v", res.Failure, res.Err)
	}
}
