package model

// pipeliningMutants are mod_blocklist's mutants of the order in which a
// session handles its own input (deferred.go): bugs that only pipelined
// stanzas — several written at once, none waiting for an answer — show.
var pipeliningMutants = []mutantDef{
	// ejabberd (before PR 2651) kept the active list in the c2s
	// process's state and set it when the iq result of the edit, routed
	// back through the process's mailbox, passed user_receive_packet: a
	// stanza the client had written right behind the iq was already in
	// the mailbox and was checked against the old list. Modelled as each
	// session's own copy of the list, which the outbound check reads,
	// updated in the session's next turn (deferToSession) while the
	// account's list (storage, pushes, inbound checks) changes at once.
	{name: "pipelined-stanza-old-list", ref: "ejabberd PR 2651",
		summary: "a stanza pipelined right after a block or unblock iq is judged with the old list (the session's copy is updated in its next turn)",
		apply: func(m *modules) {
			m.blocklist.sessionList = func(sess *session) map[string]bool { return sess.ownBlocklist }
			m.blocklist.sessionCopies = func(s *Server, editing *session, nbl map[string]bool) {
				for _, o := range editing.user.sessions {
					s.deferToSession(o, func() { o.ownBlocklist = nbl })
				}
			}
		}},
}
