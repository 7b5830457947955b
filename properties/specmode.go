package properties

// The spec mode (scansim check --spec xep): demand XEP-0191's and RFC
// 6121's values everywhere, whatever the server profile relaxes. It is
// derived from the catalogue, not from a profile's name: every profile
// field an invariant names as its relaxation (Invariant.Relax) has its
// specification value here, and the "Strict" relaxations (Prosody
// behaviour no field selects) are dropped through Config.Strict. So it
// applies to any profile, present or future; a new relaxation field must
// state its specification value here (TestSpecValuesCoverCatalogue).

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/scansim/scansim/model"
)

// SpecXEP is the name --spec takes for the specification mode.
const SpecXEP = "xep"

// specRule is what the specification says about one relaxing profile
// field: its value, or that it leaves the choice open (the profile keeps
// its own).
type specRule struct {
	open  bool
	value bool
	why   string
}

// specValues maps each relaxing profile field (Invariant.Relax) to the
// specification's rule.
var specValues = map[string]specRule{
	"ErrorOnBlockedBroadcast":               {value: false, why: "XEP-0191 §3.3: traffic the server generates towards a blocked JID is suppressed silently (inv19; docs/findings.md P1)"},
	"RecheckBlocklistOnOfflineFlush":        {value: true, why: "XEP-0191 §3.3: nothing from a blocked JID is delivered, stored traffic included (inv12, inv27, inv35, inv38; P2)"},
	"PresenceOnUnblockAll":                  {value: true, why: "XEP-0191 §3.5: unblocking all sends presence like unblocking each (inv22; P3)"},
	"LocalRosterChangeOnBlockedOutboundSub": {value: false, why: "XEP-0191 §3.3: a stanza to a blocked JID is bounced before it changes anything (inv17, inv18, inv26; P4)"},
	"ResentRequestsShareStanza":             {value: false, why: "RFC 6120 §8.1.1.1: a stanza reaches only its addressee (inv45, sc51; D6 is a bug)"},
	"BlockMediatedInviter":                  {value: true, why: "XEP-0191 §3.3: nothing from a blocked JID reaches the user, a room's mediated invitation naming him included (sc58; docs/findings.md D10)"},
	"NoPresenceOnBlock":                     {value: false, why: "XEP-0191 §3.3: on block the server MUST send unavailable presence to the blocked contact (docs/findings.md E2)"},
	"NoPresenceOnUnblock":                   {value: false, why: "XEP-0191 §3.4: on unblock the server sends presence to the unblocked contact (E2)"},
	"BareIQIgnoresBlocklist":                {value: false, why: "XEP-0191 §3.3: an iq get or set from a blocked JID is answered with service-unavailable, whoever handles it (E9)"},
	"BlockedBouncePerSession":               {value: false, why: "XEP-0191 §3.3 and RFC 6120 §8.3: a refused stanza is answered with one error, not one per resource it reached (E10)"},
	"StoredRequestNeedsPriority":            {value: false, why: "RFC 6121 §3.1.3: a stored request is delivered when the contact next sends initial presence, whatever its priority (E11)"},
	"LostFromUnavailableUnchecked":          {value: false, why: "XEP-0191 §3.3: nothing the server sends on the user's behalf reaches a blocked contact, the unavailable for a lost subscription included (E12)"},
	"RemovalPresenceByItem":                 {value: false, why: "RFC 6121 §2.5.2 and §3.4: removing an item cancels the subscriptions and pending requests both ways, and the contact is told (E8)"},
	"HostExemptFromBlocking":                {value: false, why: "XEP-0191 §3.3 makes no exception for the server's own domain (E6)"},
	"PrivacyBounceForBlocked":               {value: false, why: "XEP-0191 §3.3: a stanza to a blocked JID is bounced with <not-acceptable/> and <blocked xmlns='urn:xmpp:blocking:errors'/> (E3)"},
	"SelfBlockable":                         {value: false, why: "XEP-0191 §5 and RFC 6121 §4.2.2: the user's own presence is reflected whatever the list holds (E4)"},
	"BlockDuplicatesKept":                   {value: false, why: "XEP-0191 §3.2: the blocklist is a set of JIDs, without duplicates (E7)"},
	"BlockPushBeforeResult":                 {open: true, why: "XEP-0191 §3.3 does not order the push and the command's result"},
	"GroupchatToBareBounced":                {open: true, why: "RFC 6121 §8.5.2.1.1 lets the server bounce a groupchat message to a bare JID; XEP-0191 only forbids delivering it"},
	"NoUnavailableProbeAnswer":              {open: true, why: "RFC 6121 §4.3.2 allows silence for a probe from an entity without a subscription"},
	"NoUnavailableReflection":               {open: true, why: "RFC 6121 §4.2.2 asks reflection of available presence only; a broadcast unavailable's reflection is left open (E5)"},
	"BounceBlockedMessages":                 {open: true, why: "XEP-0191 §3.3: an error SHOULD be returned; dropping is allowed"},
	"PushOnlyInterested":                    {open: true, why: "XEP-0191 §3.3 leaves which resources are interested to the server"},
	"UnavailableSenderIsFullJID":            {open: true, why: "XEP-0191 §3.3 does not say from which JID the unavailable comes"},
	"DropPendingInOnBlock":                  {open: true, why: "XEP-0191 §4 leaves pending requests to the server (Prosody #574 drops them)"},
	"DeliverToSessionJID":                   {open: true, why: "RFC 6120 §8.1.2.1 lets the server address a delivery to the session's full JID; the wire then does not say whether a stanza was routed to the bare JID, which a full-JID item does not block (inv19)"},
	"DomainResourceMatchesAnyUser":          {open: true, why: "XEP-0191 §6 follows XEP-0016's matching, which servers read both ways"},
}

// XEPSpec returns p with every relaxing field at the specification's
// value (fields the specification leaves open keep p's), named
// p.Name+"+xep". Use it as Config.Spec with Config.Strict set (DemandXEP).
func XEPSpec(p model.Profile) model.Profile {
	v := reflect.ValueOf(&p).Elem()
	for _, f := range relaxFields() {
		r := specValues[f]
		if r.open {
			continue
		}
		if fv := v.FieldByName(f); fv.IsValid() && fv.Kind() == reflect.Bool {
			fv.SetBool(r.value)
		}
	}
	p.Name += "+" + SpecXEP
	return p
}

// findingFields maps the findings of docs/findings.md that a profile
// field selects to that field; the others (F1–F4, F7, D7, D9) are relaxations
// only Config.Strict drops.
var findingFields = map[string]string{
	"P1": "ErrorOnBlockedBroadcast",
	"P2": "RecheckBlocklistOnOfflineFlush",
	"P3": "PresenceOnUnblockAll",
	"P4": "LocalRosterChangeOnBlockedOutboundSub",
	"D6": "ResentRequestsShareStanza",
}

// strictFindings are the findings whose relaxation Config.Strict drops.
var strictFindings = []string{"D6", "D7", "D9", "F1", "F2", "F3", "F4", "F7"}

// CheckAccept reports the first id that names no finding Config.Accept
// can keep relaxed.
func CheckAccept(ids []string) error {
	for _, id := range ids {
		if findingFields[id] == "" && !slices.Contains(strictFindings, id) {
			return fmt.Errorf("unknown finding %q to accept (known: P1–P4, F1–F4, F7, D6, D7, D9; docs/findings.md)", id)
		}
	}
	return nil
}

// DemandXEP makes c demand the specification: Spec is XEPSpec of the
// model's profile and Strict drops the relaxations no field selects.
func DemandXEP(c *Config) {
	prof, _ := c.profiles()
	spec := XEPSpec(prof)
	c.Spec, c.Strict = &spec, true
}

// relaxFields lists the profile fields the catalogue's invariants name
// as relaxations, sorted.
func relaxFields() []string {
	var out []string
	for _, inv := range catalogue {
		// Relax may name several fields ("PresenceOnUnblockAll,
		// NoPresenceOnUnblock"): each is a relaxation of its own.
		for _, f := range strings.Split(inv.Relax, ",") {
			f = strings.TrimSpace(f)
			if f != "" && f != "Strict" && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	slices.Sort(out)
	return out
}

// SpecRelaxations describes, one line per relaxing field, what --spec xep
// demands of it and why (docs and --list-invariants).
func SpecRelaxations() []string {
	var out []string
	for _, f := range relaxFields() {
		r := specValues[f]
		val := fmt.Sprint(r.value)
		if r.open {
			val = "open (profile's value)"
		}
		out = append(out, fmt.Sprintf("%s = %s: %s", f, val, r.why))
	}
	return out
}

// acceptField sets field f of spec back to prof's value: the departure
// it relaxes is accepted (a triaged finding).
func acceptField(spec *model.Profile, prof model.Profile, f string) {
	v := reflect.ValueOf(spec).Elem().FieldByName(f)
	if v.IsValid() && v.CanSet() {
		v.Set(reflect.ValueOf(prof).FieldByName(f))
	}
}
