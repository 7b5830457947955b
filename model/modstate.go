package model

import "github.com/beevik/etree"

// This file composes the built-in modules' state, each part declared in
// its module's file. A new built-in module with state adds its part here;
// a module outside the package keeps its own state.

// modules is the per-server state of the built-in modules, and the
// strategies their mutants replace before they load.
type modules struct {
	roster       rosterMod
	presence     presenceMod
	message      messageMod
	offline      offlineMod
	blocklist    blocklistMod
	vcard        vcardMod
	lastactivity lastActivityMod
	disco        discoMod
	mam          mamMod
	pubsub       pubsubMod
	pep          pepMod
	register     registerMod
	tombstones   tombstonesMod
	muc          mucMod
}

// init sets every module's correct behaviour; mutants then replace parts.
// What init sets is shared by the servers built the same way.
func (m *modules) init() {
	m.roster.init()
	m.presence.init()
	m.message.init()
	m.offline.init()
	m.blocklist.init()
	m.vcard.init()
	m.mam.init()
	m.register.init()
	m.muc.init()
}

// newState gives a server the modules' own per-server state.
func (m *modules) newState() {
	m.lastactivity.init()
	m.pubsub = pubsubMod{}
	m.pep.services, m.pep.recipients, m.pep.hashes = nil, nil, nil
	m.tombstones.newState()
	m.muc.services = nil
}

// sessionState is the modules' per-session state.
type sessionState struct {
	presenceSession
	rosterSession
	blocklistSession
	carbonsSession
	mamSession
	// moduleValues: the values of modules outside the package, by
	// module name (ModuleAPI.SetSessionValue).
	moduleValues map[string]any
}

// accountState is the modules' per-account state.
type accountState struct {
	rosterAccount
	blocklistAccount
	offlineAccount
	mamAccount
	// moduleData: the persistent data of modules outside the package,
	// by module name (ModuleAPI.SetAccountData).
	moduleData map[string][]byte
}

func newAccountState() accountState {
	return accountState{
		rosterAccount: rosterAccount{
			roster:  make(map[string]*rosterItem),
			pending: make(map[string]*etree.Element),
		},
		blocklistAccount: blocklistAccount{blocklist: make(map[string]bool)},
	}
}

// record is the serialised form of an account: each module writes and
// reads its part on account-save and account-load. The parts are
// embedded, so the JSON is flat, in this order.
type record struct {
	rosterRecord
	blocklistRecord
	offlineRecord
	mamRecord
	// Modules: the data of modules outside the package (JSON writes map
	// keys sorted).
	Modules map[string][]byte `json:"modules,omitempty"`
	loadErr error             // account-load: why a part did not decode
}
