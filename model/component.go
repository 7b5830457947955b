package model

import (
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// A component is a host beside the virtual host (Prosody's Component
// "conference.localhost" "muc"): an address the server answers for with
// its own module list, its own disco identities, features and forms, and
// its own iq handlers. Stanzas to it (the domain, or any JID at it) pass
// the sender's outbound stage like stanzas to a remote domain, then go to
// the component instead of being bounced (route.go). A component has no
// accounts and no sessions; it answers iq gets and sets through the
// handlers its modules registered and everything else as unhandled
// (§1.3 step 5). Its disco#info and disco#items are answered here, as
// Prosody's mod_disco answers them on a component: identities, features
// in load order, then disco#info and disco#items, then the data forms.
type component struct {
	domain     string
	identities [][3]string
	features   []string
	extensions []*etree.Element
	iq         map[componentIQKey][]Handler
	// route handles the stanzas to JIDs at the component (a node, maybe
	// a resource: MUC rooms and occupants), and those to the domain that
	// nothing else answered; nil: they are unhandled.
	route Handler
}

// componentIQKey names an iq payload a component module handles.
type componentIQKey struct {
	set       bool
	space, to string
}

// componentsKey is Profile.Components for the load cache's key.
func componentsKey(cs []ComponentConfig) string {
	if cs == nil {
		return ""
	}
	var b strings.Builder
	b.WriteByte('[')
	for _, c := range cs {
		b.WriteString(c.Domain)
		b.WriteByte('=')
		b.WriteString(strings.Join(c.Modules, ","))
		b.WriteByte(';')
	}
	return b.String()
}

// loadComponents builds the profile's components: each loads the
// inheritable modules of the virtual host's list (hostModules), then its
// own, in order. Unknown module names are ignored, as for the host
// (CheckModules reports them).
func (s *Server) loadComponents(hostModules []string) {
	if len(s.prof.Components) == 0 {
		return
	}
	s.components = make(map[string]*component, len(s.prof.Components))
	for _, cc := range s.prof.Components {
		c := &component{domain: cc.Domain + "." + s.host, iq: map[componentIQKey][]Handler{}}
		api := &ModuleAPI{s: s, comp: c}
		var names []string
		for _, n := range hostModules {
			if b := builtins[n]; b != nil && b.inheritable {
				names = append(names, n)
			}
		}
		for _, n := range append(names, cc.Modules...) {
			if b := builtins[n]; b != nil {
				api.name = n
				b.load(s, api)
			}
		}
		s.components[c.domain] = c
	}
}

// componentIQ registers h for an iq get or set (set) whose payload is
// <tag xmlns=space> on the component being loaded; handlers run in
// registration order until one returns true.
func (m *ModuleAPI) componentIQ(set bool, space, tag string, h Handler) {
	k := componentIQKey{set, space, tag}
	m.comp.iq[k] = append(m.comp.iq[k], h)
}

// AddExtension adds a data form (or any element) to the disco#info of
// the host or component being loaded, after those added before (Prosody's
// module:add_extension). The element is copied into every answer.
func (m *ModuleAPI) AddExtension(el *etree.Element) {
	if m.comp != nil {
		m.comp.extensions = append(m.comp.extensions, el)
		return
	}
	m.s.hostExtensions = append(m.s.hostExtensions, el)
}

// IsComponent reports whether the module is being loaded on a component.
func (m *ModuleAPI) IsComponent() bool { return m.comp != nil }

// componentOf returns the component serving domain (nil: none).
func (s *Server) componentOf(domain string) *component {
	return s.components[domain]
}

// routeComponent delivers a stanza that passed the outbound stage to its
// component.
func (s *Server) routeComponent(e *HookEvent, c *component) {
	st := e.stanza
	if e.kind != kindHost && c.route != nil {
		if c.route(e) {
			return
		}
	}
	t := attrOr(st, "type")
	if st.Tag == "iq" && (t == "get" || t == "set") && e.kind == kindHost {
		if kids := childElements(st); len(kids) == 1 {
			q := kids[0]
			e.query = q
			isDisco := t == "get" && q.Tag == "query" && (ns(q) == nsDiscoInfo || ns(q) == nsDiscoItems)
			if node, _ := attr(q, "node"); isDisco && node != "" {
				// A module that has nodes answers for them first
				// (mod_pubsub's disco-info-node).
				for _, h := range c.iq[componentIQKey{false, ns(q), q.Tag}] {
					if h(e) {
						return
					}
				}
			}
			if isDisco && hostNodeNotFound(e) {
				return
			}
			switch {
			case t == "get" && ns(q) == nsDiscoInfo && q.Tag == "query":
				c.discoInfo(e)
				return
			case t == "get" && ns(q) == nsDiscoItems && q.Tag == "query":
				r := reply(st)
				newNS(r, "query", nsDiscoItems)
				e.send(r, "result")
				return
			}
			for _, h := range c.iq[componentIQKey{t == "set", ns(q), q.Tag}] {
				if h(e) {
					return
				}
			}
		}
	}
	if e.kind == kindHost && c.route != nil && c.route(e) {
		return
	}
	s.unhandled(e)
}

// componentRoute sets the handler of the component being loaded for the
// stanzas to JIDs at it (component.route).
func (m *ModuleAPI) componentRoute(h Handler) { m.comp.route = h }

// discoInfo answers disco#info to the component itself.
func (c *component) discoInfo(e *HookEvent) {
	features := c.features
	for _, f := range []string{nsDiscoInfo, nsDiscoItems} {
		if !slices.Contains(features, f) {
			features = append(slices.Clip(features), f)
		}
	}
	sendDiscoInfo(e, c.identities, features, c.extensions)
}

// componentDomains lists the components' domains in profile order (the
// host's disco#items).
func (s *Server) componentDomains() []string {
	var ds []string
	for _, cc := range s.prof.Components {
		ds = append(ds, cc.Domain+"."+s.host)
	}
	return ds
}
