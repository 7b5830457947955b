package model

import (
	"testing"

	"github.com/beevik/etree"
)

// serialise must write exactly what a document holding the stanza
// writes (the stored form of earlier versions, which deserialise reads),
// and must leave the stanza where it is.
func TestSerialiseIsDocumentForm(t *testing.T) {
	for _, xml := range []string{
		`<presence/>`,
		`<message to='a@localhost' type="chat" xml:lang='en'><body>a &amp; b &lt; c " '</body><x:y xmlns:x='urn:x' x:k='v&quot;'/></message>`,
		`<iq id='1'><query xmlns='jabber:iq:roster'><item jid='b@localhost' name='B&apos;s'><group>G</group></item></query>
</iq>`,
		`<m><!--c--><![CDATA[raw <x>]]><?pi d?></m>`,
	} {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(xml); err != nil {
			t.Fatal(err)
		}
		parent := etree.NewElement("wrapper")
		st := doc.Root()
		parent.AddChild(st)
		want := func() string {
			d := etree.NewDocument()
			d.SetRoot(st.Copy())
			s, err := d.WriteToString()
			if err != nil {
				t.Fatal(err)
			}
			return s
		}()
		if got := serialise(st); got != want {
			t.Errorf("serialise(%s)\n got %s\nwant %s", xml, got, want)
		}
		if st.Parent() != parent {
			t.Errorf("serialise(%s) moved the stanza", xml)
		}
		back, err := deserialise(serialise(st))
		if err != nil {
			t.Fatalf("deserialise(serialise(%s)): %v", xml, err)
		}
		if serialise(back) != want {
			t.Errorf("round trip of %s changed it: %s", xml, serialise(back))
		}
	}
}
