package differential

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

// traceViolation checks one run's trace — the real server's as much as
// the model's — against the invariants of invariants.md A.7 that need
// nothing but the trace, and describes the first violation ("" if none):
//
//   - inv36, RFC 6120 §8.2.3: every iq get/set a client sends to the
//     server, to a bare JID or to itself is answered exactly once (a
//     result or an error with its id). Iqs to full JIDs are left out:
//     the addressed client would answer, and generated clients do not.
//   - inv12, XEP-0191 §3.3: once the server acknowledged a block, nothing
//     from a blocked JID (the item itself, or a full JID under a bare
//     item) reaches any session of the blocking account — except error
//     replies, which the server addresses "from" the target it refused
//     (§7.6 outbound bounces). Under a profile without
//     RecheckBlocklistOnOfflineFlush (Prosody, §5.5), an offline message
//     stored before the block and flushed after it is the known
//     deviation (docs/findings.md F4), recognised by its delay stamp from
//     the host, and not reported.
//
// Each client is one session; the account is the node of its JID.
func traceViolation(trace []sim.TraceEvent, end uint64, prof model.Profile, host string) string {
	type pendingIQ struct {
		client, id string
		answers    int
		desc       string
	}
	type edit struct {
		account string
		block   bool
		items   []string // none: unblock all
	}
	var iqs []*pendingIQ
	edits := map[string]edit{}              // client + id -> blocklist edit awaiting its result
	blocked := map[string]map[string]bool{} // account node -> blocked JIDs
	for _, ev := range trace {
		if end > 0 && ev.Seq > end {
			break
		}
		switch ev.Kind {
		case sim.TraceSend:
			st := parse(ev.Stanza)
			if st == nil {
				continue
			}
			typ := st.SelectAttrValue("type", "")
			if st.Tag != "iq" || (typ != "get" && typ != "set") {
				continue
			}
			id := st.SelectAttrValue("id", "")
			if to := st.SelectAttrValue("to", ""); strings.Contains(to, "/") {
				continue
			}
			iqs = append(iqs, &pendingIQ{client: ev.Client, id: id, desc: ev.Stanza})
			if typ == "set" && len(st.ChildElements()) == 1 {
				c := st.ChildElements()[0]
				if c.Tag == "block" || c.Tag == "unblock" {
					e := edit{account: ev.JID.Node, block: c.Tag == "block"}
					for _, it := range c.SelectElements("item") {
						// A malformed item is refused (jid-malformed), so it
						// blocks nothing.
						if j, err := model.ParseJID(it.SelectAttrValue("jid", "")); err == nil {
							e.items = append(e.items, j.String())
						}
					}
					edits[ev.Client+"\x00"+id] = e
				}
			}
		case sim.TraceDeliver, sim.TraceError, sim.TraceFlush:
			st := parse(ev.Stanza)
			if st == nil {
				continue
			}
			typ := st.SelectAttrValue("type", "")
			id := st.SelectAttrValue("id", "")
			if st.Tag == "iq" && (typ == "result" || typ == "error") {
				for _, q := range iqs {
					if q.client == ev.Client && q.id == id {
						q.answers++
					}
				}
				if e, ok := edits[ev.Client+"\x00"+id]; ok && typ == "result" {
					delete(edits, ev.Client+"\x00"+id)
					set := blocked[e.account]
					if set == nil {
						set = map[string]bool{}
						blocked[e.account] = set
					}
					switch {
					case e.block:
						for _, j := range e.items {
							set[j] = true
						}
					case len(e.items) == 0:
						blocked[e.account] = map[string]bool{}
					default:
						for _, j := range e.items {
							delete(set, j)
						}
					}
				}
			}
			if typ != "error" {
				from, err := model.ParseJID(st.SelectAttrValue("from", ""))
				flushed := st.Tag == "message" && isDelayedBy(st, host)
				if set := blocked[ev.JID.Node]; err == nil && (set[from.String()] || set[from.Bare().String()]) &&
					!(flushed && !prof.RecheckBlocklistOnOfflineFlush) {
					return fmt.Sprintf("inv12 (XEP-0191 §3.3): %s received a stanza from %s, which its account blocked: %s", ev.Client, from, ev.Stanza)
				}
			}
		}
	}
	for _, q := range iqs {
		if q.answers != 1 {
			return fmt.Sprintf("inv36 (RFC 6120 §8.2.3): %s's iq %q was answered %d times: %s", q.client, q.id, q.answers, q.desc)
		}
	}
	return ""
}

// isDelayedBy reports whether st carries a delay stamp from host: how an
// offline message flushed at initial presence looks on the wire (§5.5).
func isDelayedBy(st *etree.Element, host string) bool {
	for _, c := range st.ChildElements() {
		if c.Tag == "delay" && c.SelectAttrValue("xmlns", "") == "urn:xmpp:delay" && c.SelectAttrValue("from", "") == host {
			return true
		}
	}
	return false
}

func parse(s string) *etree.Element {
	if s == "" {
		return nil
	}
	d := etree.NewDocument()
	if d.ReadFromString(s) != nil {
		return nil
	}
	return d.Root()
}
