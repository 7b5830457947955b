package model_test

import (
	"os"
	"path/filepath"
	"testing"
)

// TestProsody13UpstreamPubSub: Prosody's own PubSub, PEP and bookmarks
// scripts, which real 13.0.1 passes under the upstream configuration,
// pass on the prosody-13 profile under several seeds and latencies.
func TestProsody13UpstreamPubSub(t *testing.T) {
	dir := os.Getenv("SCANSIM_SHARED")
	if dir == "" {
		dir = "../../shared"
	}
	for _, n := range []string{"pubsub_advanced", "pubsub_basic", "pubsub_config", "pubsub_createdelete",
		"pubsub_max_items", "pubsub_multi_items", "pubsub_preconditions", "pubsub_resend_on_sub",
		"pep_itemreply", "pep_nickname", "pep_publish_subscribe", "pep_pubsub_max",
		"bookmarks2", "empty_bookmarks"} {
		f := filepath.Join(dir, "scansion-upstream", n+".scs")
		if _, err := os.Stat(f); err != nil {
			t.Skipf("no upstream scripts: %v", err)
		}
		t.Run(n, func(t *testing.T) {
			for _, o := range runs() {
				if res := replay13(t, f, o); !res.Passed {
					t.Fatalf("seed %d latency %v: %v %v", o.Seed, o.MaxLatency, res.Failure, res.Err)
				}
			}
		})
	}
}
