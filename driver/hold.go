package driver

import (
	"fmt"

	"github.com/scansim/scansim/xmpptcp"
)

// Holder is implemented by a Driver that can keep one idle session of
// its own open on the server for the length of a long exploration
// (ServerDriver.Hold). Whoever calls Hold calls the release function it
// returns when the exploration is over.
type Holder interface {
	Hold(host string) (release func(), err error)
}

// Hold logs one client in on host under an account of its own (a fresh
// run prefix and "hold"; registered first when the driver registers) and
// keeps the session bound, sending nothing (no presence, so no contact
// of any run can see it), until release cuts it.
//
// Why: a server may act on the moment its last session ends. Prosody
// 13's mod_debug_reset, in the upstream test configuration
// (docs/real-servers-upstream.md), deactivates and reactivates every host
// whenever no bound session is left — it empties memory storage
// (tombstones, offline messages, rosters) and costs the server ~100 ms of
// CPU each time. A property sequence ends with all its clients gone, and
// often has every client offline for a moment in its middle; the model
// keeps its state there, as a server without that module does. Holding a
// session makes the server behave like that for the whole exploration, and
// the sequences' fresh accounts (the run prefix) keep them apart without
// the reset. A script replay does not hold: between scripts the reset is
// what the upstream suite relies on.
func (d *ServerDriver) Hold(host string) (func(), error) {
	if d.NoPrefix {
		// no account of our own to hold with
		return func() {}, nil
	}
	nw, err := d.Open(host)
	if err != nil {
		return nil, err
	}
	n := nw.(*serverNetwork)
	user := n.prefix + "hold"
	c, err := xmpptcp.Dial(n.dialConfig(user, "hold", Login{}, d.Register))
	if err != nil {
		return nil, &TransportError{Err: fmt.Errorf("the holding session cannot log in: %w", err)}
	}
	// Released by cutting the connection: the session sent nothing, so
	// nobody sees it go, and a close handshake with a server that has
	// stopped answering would wait out the timeout.
	return func() { _ = c.Drop() }, nil
}
