package model

import (
	"encoding/json"
	"slices"
)

// Built-in modules that keep a little persistent data per account (private
// XML storage, the vCard4 node) keep it the way modules outside the
// package do: bytes under the module's name in the account's record
// (record.Modules), so they need no part of their own in modstate.go.

// moduleBytes returns module name's data for u (nil: none).
func (s *Server) moduleBytes(u *user, name string) []byte { return u.moduleData[name] }

// setModuleBytes replaces module name's data for u (nil deletes it) and
// marks the account for storage.
func (s *Server) setModuleBytes(u *user, name string, b []byte) {
	if b == nil {
		delete(u.moduleData, name)
	} else {
		if u.moduleData == nil {
			u.moduleData = map[string][]byte{}
		}
		u.moduleData[name] = slices.Clone(b)
	}
	s.touch(u)
}

// moduleJSON decodes module name's data for u into v; it reports false
// when there is none or it does not decode.
func (s *Server) moduleJSON(u *user, name string, v any) bool {
	b := s.moduleBytes(u, name)
	return b != nil && json.Unmarshal(b, v) == nil
}

// setModuleJSON stores v as module name's data for u.
func (s *Server) setModuleJSON(u *user, name string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return // only the modules' own plain structs are stored
	}
	s.setModuleBytes(u, name, b)
}
