package model_test

import (
	"fmt"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
)

// motd is a whole module in one value: a message of the day, sent by the
// host to each session when it sends its initial presence (as Prosody's
// mod_motd does on presence/initial).
type motd struct{ text string }

func (motd) Name() string { return "motd" }

func (m motd) Load(api *model.ModuleAPI) {
	// After the built-in handlers (mod_offline flushes at 0), so stored
	// messages come first.
	api.Hook(model.EventInitialPresence, -10, func(e *model.HookEvent) bool {
		to, ok := e.SessionJID()
		if !ok {
			return false
		}
		msg := etree.NewElement("message")
		msg.CreateAttr("from", e.Host())
		msg.CreateAttr("to", to.String())
		msg.CreateAttr("type", "headline")
		msg.CreateElement("body").SetText(m.text)
		e.Deliver(msg)
		return false // let later handlers run too
	})
}

// A module added through Options.Modules: the message of the day reaches
// the session after the reflection of its initial presence, and only once
// — a second presence is a plain broadcast.
func Example_moduleMessageOfTheDay() {
	srv := model.New(model.Options{Modules: []model.Module{motd{"Welcome to localhost!"}}})
	id, _, _, _ := srv.Bind("juliet", "balcony")
	for i, status := range []string{"", "away"} {
		pres := etree.NewElement("presence")
		if status != "" {
			pres.CreateElement("show").SetText(status)
		}
		fmt.Printf("presence %d:\n", i+1)
		for _, ev := range srv.Process(id, pres) {
			fmt.Println(ev.Kind, ev.Reason, model.Canonical(ev.Stanza))
		}
	}
	// Output:
	// presence 1:
	// deliver  <presence from='juliet@localhost/balcony' xml:lang='en'><x xmlns='vcard-temp:x:update'><photo/></x></presence>
	// deliver module <message from='localhost' to='juliet@localhost/balcony' type='headline'><body>Welcome to localhost!</body></message>
	// presence 2:
	// deliver  <presence from='juliet@localhost/balcony' xml:lang='en'><show>away</show><x xmlns='vcard-temp:x:update'><photo/></x></presence>
}
