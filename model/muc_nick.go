package model

import "unicode"

// strictResourceprep is the nick check of muc-occupant-pre-join and
// -pre-change: resourceprep with unassigned code points refused (RFC
// 3454's stored-strings rule), which Prosody applies to nicks
// ("Nickname must pass strict validation"). The JID has already been
// prepared (mapping, prohibited output), so what is left is "assigned in
// Unicode 3.2". The model approximates it: a code point Go's tables do
// not assign is unassigned, and outside the Basic Multilingual Plane only
// the blocks Unicode 3.2 had are assigned — so emoji (Unicode 6.0 and
// later, nearly all above U+1F000) fail as they do on Prosody, while a
// BMP character added after 3.2 passes here and fails there.
func strictResourceprep(nick string) bool {
	for _, c := range nick {
		if c < 0x10000 {
			if !unicode.In(c, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.C) {
				return false
			}
			continue
		}
		if !assigned32Supplementary(c) {
			return false
		}
	}
	return true
}

// assigned32Supplementary: the supplementary-plane blocks of Unicode 3.2
// (Old Italic, Gothic, Deseret, the musical and mathematical symbols, CJK
// extension B and its compatibility supplement, the tag characters, the
// private use planes).
func assigned32Supplementary(c rune) bool {
	switch {
	case c >= 0x10300 && c <= 0x1034A, c >= 0x10400 && c <= 0x1044F,
		c >= 0x1D000 && c <= 0x1D1DD, c >= 0x1D400 && c <= 0x1D7FF,
		c >= 0x20000 && c <= 0x2A6D6, c >= 0x2F800 && c <= 0x2FA1D,
		c == 0xE0001, c >= 0xE0020 && c <= 0xE007F, c >= 0xF0000:
		return true
	}
	return false
}
