// Package compare says whether a server behaved like the model: it lines
// up what each client received in two runs of the same actions (the
// model, the oracle, and a server — or the model with another seed) and
// decides whether the difference is behaviour.
//
// It is the one comparison behind `scansim diff` (scenarios.Compare),
// `scansim check --server` and the property engine's scansion action set
// (properties' wire), so all three tolerate exactly the same things:
//
//   - Masker: values that legitimately differ between runs (generated
//     resources, server ids, stamps, the run prefix, the order of
//     unordered lists, namespace declarations that change nothing) are
//     masked before comparing; values the server makes up and clients
//     echo (archive ids, instant nodes, generated item ids, upload
//     slots, TURN credentials) become numbered placeholders, so that
//     which stanzas share one is still compared (generated.go);
//   - Batches, Judge: each client's stanzas are compared as a multiset per
//     action (inside one action the order is the server's hash order, §0
//     "Unordered", not behaviour); across actions order still matters;
//   - Judge: roster pushes are compared with their versions masked, and
//     the push count and final version instead (which push carries which
//     version depends on that hash order);
//   - Allowances: the known Prosody 0.12.3 behaviours the model follows
//     only approximately or not at all, D4 (Profile.PendingKeepsAddressedTo)
//     and D6 (Profile.ResentRequestsShareStanza; docs/findings.md), each
//     allowed only under its profile field, D6 never in strict mode.
package compare
