package properties

import (
	"testing"

	"github.com/scansim/scansim/model"
	"pgregory.net/rapid"
)

func TestProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		users := rapid.IntRange(2, 4).Draw(rt, "users")
		p := model.ProsodyTrunk()
		m := &machine{h: newHarness(users, p, p, nil, 1)}
		rt.Repeat(m.actions())
	})
}
