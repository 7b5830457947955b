package model

import (
	"testing"
	"time"
)

// setClock is a Clock the test moves, forwards and back.
type setClock struct{ t time.Time }

func (c *setClock) Now() time.Time { return c.t }

// TestStampFollowsTheClock: a delay stamp is the clock's instant in
// XEP-0082's UTC form, whole seconds, whatever the instant's location,
// however the clock moved since the last stamp (stamp keeps the last text
// made, for one instant).
func TestStampFollowsTheClock(t *testing.T) {
	c := &setClock{t: Epoch}
	s := New(Options{Clock: c})
	paris := time.FixedZone("+01:00", 3600)
	for _, step := range []struct {
		at   time.Time
		want string
	}{
		{Epoch, "2008-08-22T21:09:04Z"},
		{Epoch, "2008-08-22T21:09:04Z"},
		{Epoch.Add(500 * time.Millisecond), "2008-08-22T21:09:04Z"},
		{Epoch.Add(time.Second), "2008-08-22T21:09:05Z"},
		{Epoch.Add(-time.Hour), "2008-08-22T20:09:04Z"},
		{Epoch.Add(-time.Hour).In(paris), "2008-08-22T20:09:04Z"},
		{Epoch.In(paris), "2008-08-22T21:09:04Z"},
		{time.Date(2026, 12, 7, 23, 59, 59, 999999999, paris), "2026-12-07T22:59:59Z"},
	} {
		c.t = step.at
		if got := s.stamp(); got != step.want {
			t.Errorf("stamp at %v = %s, want %s", step.at, got, step.want)
		}
	}
}
