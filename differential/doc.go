// Package differential runs random action sequences on the model and on
// a real XMPP server and reports the first place they disagree, shrunk to
// a small .scs script. The model is the oracle: a divergence is either a
// gap in the model or a bug in the server.
//
// It builds on package scenarios: each generated sequence is a scansion
// script of connects, sends and disconnects, run with scenarios.Run on
// the model and on the server (the two runs scenarios.Compare makes), so
// the real server is driven by the same runner, the same ping
// synchronisation and the same masking (scenarios.Masker) as scripted
// replays.
package differential
