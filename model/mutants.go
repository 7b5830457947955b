package model

import (
	"fmt"
	"sort"
)

// A mutant is a deliberately wrong behaviour, switched on by name through
// Options.Mutants. Each is a realistic bug in a blocking or subscription
// implementation; the property suite must catch every one of them. None
// is ever active by default.
type mutant uint8

const (
	mutNone mutant = iota
	mutNoUnavailableOnBlock
	mutUnavailableToUnsubscribed
	mutBlocklistPushToAll
	mutNoPushOnUnblockAll
	mutDomainItemIgnored
	mutFullItemBlocksAccount
	mutBlockedMessageToFullDelivered
	mutBlockedMessageStoredOffline
	mutOutboundErrorWithoutBlocked
	mutPendingKeptOnBlock
	mutProbeAnsweredToBlocked
	mutPresenceOnUnblockToNone
	mutPushOnNoop
	mutSubscribedFromToPI
	mutPriorityTieOneResource
	mutPendingLosesExtensions
	mutNegativePriorityGetsBare
	mutReblockSendsUnavailable
	mutInboundPresenceFromBlocked
	mutOutboundToBlockedRouted
	mutNoPresenceOnUnblock
	mutUnblockAllNoop
	mutOfflineAtNegativePriority
	mutRosterPushToAll
	mutNoReflection
	mutNoVCardHint
	mutProbeIgnoresSubscription
	mutOfflineLostOnRestart
	mutOfflineKeptAfterFlush
	mutCount
)

var mutantNames = map[string]mutant{
	"no-unavailable-on-block":            mutNoUnavailableOnBlock,
	"unavailable-to-unsubscribed":        mutUnavailableToUnsubscribed,
	"blocklist-push-to-all":              mutBlocklistPushToAll,
	"no-push-on-unblock-all":             mutNoPushOnUnblockAll,
	"domain-item-ignored":                mutDomainItemIgnored,
	"full-item-blocks-account":           mutFullItemBlocksAccount,
	"blocked-message-to-full-delivered":  mutBlockedMessageToFullDelivered,
	"blocked-message-stored-offline":     mutBlockedMessageStoredOffline,
	"outbound-error-without-blocked":     mutOutboundErrorWithoutBlocked,
	"pending-kept-on-block":              mutPendingKeptOnBlock,
	"probe-answered-to-blocked":          mutProbeAnsweredToBlocked,
	"presence-on-unblock-to-none":        mutPresenceOnUnblockToNone,
	"roster-push-on-noop":                mutPushOnNoop,
	"subscribed-to-pi-gives-from":        mutSubscribedFromToPI,
	"priority-tie-one-resource":          mutPriorityTieOneResource,
	"stored-subscribe-loses-extensions":  mutPendingLosesExtensions,
	"negative-priority-gets-bare":        mutNegativePriorityGetsBare,
	"reblock-sends-unavailable":          mutReblockSendsUnavailable,
	"inbound-presence-from-blocked":      mutInboundPresenceFromBlocked,
	"outbound-message-to-blocked-routed": mutOutboundToBlockedRouted,
	"no-presence-on-unblock":             mutNoPresenceOnUnblock,
	"unblock-all-noop":                   mutUnblockAllNoop,
	"offline-flush-at-negative-priority": mutOfflineAtNegativePriority,
	"roster-push-to-all":                 mutRosterPushToAll,
	"no-presence-reflection":             mutNoReflection,
	"no-vcard-hint":                      mutNoVCardHint,
	"probe-ignores-subscription":         mutProbeIgnoresSubscription,
	"offline-lost-on-restart":            mutOfflineLostOnRestart,
	"offline-kept-after-flush":           mutOfflineKeptAfterFlush,
}

// Mutants lists the known mutant names, sorted.
func Mutants() []string {
	names := make([]string, 0, len(mutantNames))
	for n := range mutantNames {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// CheckMutants reports the first unknown name.
func CheckMutants(names []string) error {
	for _, n := range names {
		if _, ok := mutantNames[n]; !ok {
			return fmt.Errorf("unknown mutant %q (see scansim check --list-mutants)", n)
		}
	}
	return nil
}

type mutantSet [mutCount]bool

// newMutantSet switches on the named mutants; unknown names are ignored
// here (callers validate with CheckMutants).
func newMutantSet(names []string) mutantSet {
	var m mutantSet
	for _, n := range names {
		if id, ok := mutantNames[n]; ok {
			m[id] = true
		}
	}
	return m
}

func (m *mutantSet) has(id mutant) bool { return m[id] }
