package scenarios_test

import (
	"fmt"
	"os"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/scenarios"
)

const exampleScript = `# Presence reflection
## status: stable

[Client] Romeo
	jid: romeo@localhost
	password: password

-----

Romeo connects

Romeo sends:
	<presence/>

Romeo receives:
	<presence from="${Romeo's full JID}"/>

Romeo disconnects
`

func ExampleParse() {
	s, err := scenarios.Parse("presence.scs", []byte(exampleScript))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Title, s.Tags[0])
	for i, a := range s.Actions {
		fmt.Printf("%d %v: %s %s\n", i+1, a.Pos, a.Client, a.Verb)
	}
	// Output:
	// Presence reflection status: stable
	// 1 presence.scs:10: Romeo connects
	// 2 presence.scs:12: Romeo sends
	// 3 presence.scs:15: Romeo receives
	// 4 presence.scs:18: Romeo disconnects
}

func ExampleParse_errors() {
	_, err := scenarios.Parse("bad.scs", []byte("[Client] Romeo\n\tjid: romeo@localhost\n\nJuliet connects\nRomeo sends:\n\t<message>\n"))
	for _, e := range err.(scenarios.ErrorList) {
		fmt.Println(e)
	}
	// Output:
	// bad.scs:4: unknown client "Juliet" in "Juliet connects" (defined: "Romeo")
	// bad.scs:6: malformed XML: <message> is never closed
}

func ExampleRun() {
	s, err := scenarios.Parse("presence.scs", []byte(exampleScript))
	if err != nil {
		fmt.Println(err)
		return
	}
	res := scenarios.Run(s, scenarios.RunOptions{})
	fmt.Println("passed:", res.Passed)
	// Output:
	// passed: true
}

func ExampleRun_failure() {
	s, err := scenarios.Parse("fail.scs", []byte(`[Client] Romeo
	jid: romeo@localhost
-----
Romeo connects
Romeo sends:
	<iq type='get' id='v1' to='localhost'>
		<query xmlns='jabber:iq:version'/>
	</iq>
Romeo receives:
	<iq type='result' id='v1'>
		<query xmlns='jabber:iq:version'>
			<name>Jabberd</name>
		</query>
	</iq>
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	res := scenarios.Run(s, scenarios.RunOptions{})
	fmt.Println(res.Failure)
	// Output:
	// fail.scs:9: Romeo received a stanza that does not match: /iq/query{jabber:iq:version}/name/text(): text: expected "Jabberd", received "Prosody"
}

func ExampleMatcher_Match() {
	exp, _ := scenarios.ParseBlock(`<message type='chat'><delay xmlns='urn:xmpp:delay' stamp='{scansion:any}'/></message>`)
	// A stanza as the server sends it: no xmlns on the stanza itself.
	doc := etree.NewDocument()
	_ = doc.ReadFromString(`<message type='chat' id='m1'><delay xmlns='urn:xmpp:delay' stamp='2008-08-22T21:09:04Z' from='localhost'/></message>`)
	mm := scenarios.NewMatcher().Match(exp[0], doc.Root())
	fmt.Println(mm)
	fmt.Print(mm.Diff)
	// Output:
	// /message/delay{urn:xmpp:delay}@from: unexpected attribute from="localhost" (strict mode: the attribute set must be exact)
	//   <message type='chat'>
	// -   <delay stamp='{scansion:any}' xmlns='urn:xmpp:delay'/>
	// +   <delay from='localhost' stamp='{scansion:any}' xmlns='urn:xmpp:delay'/>
	//   </message>
}

func ExampleFormat() {
	s, _ := scenarios.Parse("x.scs", []byte("[Client] Romeo\n  jid: romeo@localhost\nRomeo connects\nRomeo sends: <message to='juliet@localhost'><body>hi</body></message>\n"))
	os.Stdout.Write(scenarios.Format(s))
	// Output:
	// [Client] Romeo
	// 	jid: romeo@localhost
	//
	// -----
	//
	// Romeo connects
	//
	// Romeo sends:
	// 	<message to='juliet@localhost'>
	// 		<body>hi</body>
	// 	</message>
	//
}
