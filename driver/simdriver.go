package driver

// SimDriver is a Driver over a fresh simulation per run: the model server
// behind the same interface a real server has. It lets code written
// against Driver — comparisons, property runs against a "server" — be
// tested without a server, including against a model with mutants
// standing in for a buggy server. Like ServerDriver it asks the runner to
// prefix every local node with Prefix (leaving the Keep nodes alone), so
// the masking a real server needs is exercised too.
type SimDriver struct {
	// Options configure the simulation (a nil Profile is the default
	// profile, DefaultProfile).
	Options
	Prefix string
	Keep   []string
}

// Open starts a fresh simulation for one run: the runner's own sim path,
// with the driver's node prefix.
func (d *SimDriver) Open(host string) (Network, error) {
	n := newSimNetwork(host, d.Options, nil, false)
	return &prefixedSimNetwork{simNetwork: n, prefix: d.Prefix, keep: d.Keep}, nil
}

type prefixedSimNetwork struct {
	*simNetwork
	prefix string
	keep   []string
}

func (n *prefixedSimNetwork) NodePrefix() (string, []string) { return n.prefix, n.keep }
