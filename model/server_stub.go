package model

// TEMPORARY: signatures only, replaced by the real implementation.

import "github.com/beevik/etree"

// Server is the in-memory XMPP server: one virtual host, single goroutine.
type Server struct{ opts Options }

// New creates a server with empty storage.
func New(opts Options) *Server { return &Server{opts: opts} }

// Bind authenticates user (a localpart; every account exists) and binds a
// session with the requested resource, or a generated one when resource is
// empty. A resource already bound by another session of the user replaces
// that session (its stream error and unbind are in the returned events).
func (s *Server) Bind(user, resource string) (SessionID, JID, []Event, error) {
	panic("not implemented")
}

// Process handles one stanza the client of session id sent. The server
// takes ownership of st and may modify it.
func (s *Server) Process(id SessionID, st *etree.Element) []Event { panic("not implemented") }

// Close destroys session id: clean (the client closed its stream) or
// abrupt (the transport dropped).
func (s *Server) Close(id SessionID, abrupt bool) []Event { panic("not implemented") }

// SessionJID returns the full JID bound by session id, if it is bound.
func (s *Server) SessionJID(id SessionID) (JID, bool) { panic("not implemented") }
