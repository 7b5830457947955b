// Package conform is the conformance report: it runs scripts and a bounded
// property run against one server (a real one through a driver.Driver, or
// the model alone) and arranges what they found by specification rule —
// XEP-0191 and RFC 6121 sections first — each rule passed or failed, with
// the rule's checks, the spec citations and the shrunk script of every
// failure. It is what a server's CI runs (scansim conform), written as a
// self-contained HTML page and as JUnit XML.
//
// The rules are data: an invariant belongs to every rule its catalogue
// entry cites (properties.Catalogue), a script to the rules its "## spec:"
// tags name or, without such a tag, to the XEP and RFC citations of its
// title and description. Nothing here knows a particular script,
// invariant or server.
//
// The property run stops at its first failure (properties.Explore), so
// conform runs it in rounds: a round that fails an invariant is followed
// by one without that invariant, up to Config.Rounds; a failure that is a
// divergence from the model rather than a broken invariant ends the
// rounds. Every figure in the report is a count, never a time, so the same
// seed against the model gives byte-identical reports.
//
// Layering: above properties and suite (it uses both), below cmd.
package conform
