// Package scenarios reads, writes and runs scansion scripts (.scs), the
// test language of Prosody's scansion tool, against scansim's simulated
// network.
//
// The language is specified in ../shared/docs/scansion-language.md
// (cited as §N). This package implements §1-§5 with the project's
// adopted rules of §4.5 (matching) and §5.2 (timing):
//
//   - Parse (ParseFile for a path) reads a script into a Script: metadata, [Client] definitions
//     and actions, with the XML of every sends/receives block parsed up
//     front (default namespace jabber:client, the scansion: prefix
//     pre-declared). Variables (${Name's JID}, ${Name's full JID}) are
//     checked at parse time and substituted at run time.
//   - Matcher compares an expected stanza with a received one (§4.5) and
//     explains the first difference as a Mismatch.
//   - Run executes a script on a fresh sim.Sim and reports a Result
//     (RunOptions{}.WithProfile(p) runs it on a profile from
//     model.ProfileByName); a timeout names the closest discarded stanza.
//     With
//     RunOptions.Driver set to a driver.ServerDriver it runs the script against
//     a real XMPP server over TCP instead (docs/real-server.md), with
//     fresh accounts per run (PrefixNodes), and Compare lines a server
//     run up with a simulation run.
//   - Format writes a Script back in mod_scansion_record's layout (§8),
//     and FromTrace turns a simulation trace into a Script;
//     WriteFileAtomic is how scansim writes a user's files (temporary
//     file and rename, symbolic links refused).
package scenarios
