package model

// MUCOptions are mod_muc's options where the real releases differ
// (checked against each with scansim diff --server on Prosody's MUC
// scripts, and read in each release's muc/*.lua). The zero value is no
// release: a profile with a conference component sets them from
// MUCOptions13 or MUCOptions012.
type MUCOptions struct {
	// MUCNoVCard: the service lists no vcard-temp feature (0.12.3, asked
	// over the wire; 13.0.1 lists it).
	MUCNoVCard bool
	// MUCAffiliationReason: the reason given with an affiliation change
	// is kept with the affiliation and listed with it in the muc#admin
	// affiliation lists (muc_outcast_reason.scs). 13.0.1: true; 0.12.3
	// lists the outcast without its reason.
	MUCAffiliationReason bool
	// MUCAdminsOwnRooms: the component's admins (and the server's) are
	// owners of every room and cannot be given another affiliation
	// (component_admins_as_room_owners: on by default in 0.12.3, off in
	// 13.0.1).
	MUCAdminsOwnRooms bool
	// MUCAllowPMField: the configuration form has the
	// muc#roomconfig_allowpm field (muc/restrict_pm, new in 13).
	MUCAllowPMField bool
	// MUCHatsNS: the namespace of hats (XEP-0317) that muc/hats.lib
	// strips from what a client sends through a room, as it strips the
	// muc and muc#user elements, so that no one claims a hat: 13.0.1
	// strips urn:xmpp:hats:0 (and would add a legacy copy only under
	// muc_hats_compat); 0.12.3 strips the pre-XEP
	// xmpp:prosody.im/protocol/hats:1, and passes urn:xmpp:hats:0
	// through. Neither release lets a client give a hat: hats live in
	// the affiliation data, which only server-side code (the admin
	// shell, community modules) writes, so the model's rooms never show
	// one.
	MUCHatsNS string
	// MUCArchivingLabel: the label of muc_mam's archiving field in the
	// configuration form (13.0.1 "Archive chat on server", 0.12.3
	// "Enable archiving?").
	MUCArchivingLabel string
}

// MUCOptions13 are Prosody 13.0.1's values.
func MUCOptions13() MUCOptions {
	return MUCOptions{MUCAffiliationReason: true, MUCAllowPMField: true, MUCHatsNS: "urn:xmpp:hats:0",
		MUCArchivingLabel: "Archive chat on server"}
}

// MUCOptions012 are Prosody 0.12.3's values.
func MUCOptions012() MUCOptions {
	return MUCOptions{MUCAdminsOwnRooms: true, MUCHatsNS: "xmpp:prosody.im/protocol/hats:1",
		MUCArchivingLabel: "Enable archiving?"}
}
