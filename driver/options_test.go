package driver

import "testing"

// TestForServerRegister: only a server driver that registers its
// accounts changes the model (RegisteredAccounts), on a copy of the
// profile.
func TestForServerRegister(t *testing.T) {
	o, err := NewOptions("prosody-0.12", 0, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	before := o.Profile
	o.ForServer(nil)
	o.ForServer(&ServerDriver{})
	if o.ProfileValue().RegisteredAccounts || o.Profile != before {
		t.Fatalf("no registering driver changed the profile")
	}
	o.ForServer(&ServerDriver{Register: true})
	if !o.ProfileValue().RegisteredAccounts || before.RegisteredAccounts {
		t.Fatalf("Register: RegisteredAccounts %v (the original %v)", o.ProfileValue().RegisteredAccounts, before.RegisteredAccounts)
	}
}
