package model_test

import (
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
)

func TestCanonical(t *testing.T) {
	cases := []struct{ in, want string }{
		// attributes sorted by (prefix, name); xml:lang sorts under "xml"
		{`<presence xml:lang='en' to='b' from='a'/>`, `<presence from='a' to='b' xml:lang='en'/>`},
		// whitespace between elements dropped, text kept and escaped
		{"<message>\n  <body>a &lt; b &amp; 'c'</body>\n</message>", `<message><body>a &lt; b &amp; 'c'</body></message>`},
		// quotes escaped in attributes only
		{`<x a="it's &quot;q&quot;"/>`, `<x a='it&apos;s &quot;q&quot;'/>`},
		// namespaced children keep their xmlns attribute
		{`<iq><query xmlns='jabber:iq:roster' ver='1'/></iq>`, `<iq><query ver='1' xmlns='jabber:iq:roster'/></iq>`},
		// text-only whitespace is content
		{`<body> </body>`, `<body> </body>`},
		// many attributes (beyond the stack buffer) still sort
		{`<x j='1' i='1' h='1' g='1' f='1' e='1' d='1' c='1' b='1' a='1'/>`, `<x a='1' b='1' c='1' d='1' e='1' f='1' g='1' h='1' i='1' j='1'/>`},
	}
	for _, c := range cases {
		d := etree.NewDocument()
		if err := d.ReadFromString(c.in); err != nil {
			t.Fatal(err)
		}
		if got := model.Canonical(d.Root()); got != c.want {
			t.Errorf("Canonical(%s)\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func BenchmarkCanonical(b *testing.B) {
	d := etree.NewDocument()
	_ = d.ReadFromString(`<presence from='juliet@localhost/balcony' to='romeo@localhost' xml:lang='en'><x xmlns='vcard-temp:x:update'><photo/></x><delay xmlns='urn:xmpp:delay' from='localhost' stamp='2008-08-22T21:09:04Z'/></presence>`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = model.Canonical(d.Root())
	}
}
