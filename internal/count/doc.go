// Package count holds the counting methods every folkmoot decision is counted
// with: yes/no with quorum and threshold, plurality, approval, instant-runoff
// voting, Schulze, single transferable vote (Scottish STV) and participatory
// budgeting with the Method of Equal Shares and the greedy utilitarian rule.
//
// The package is pure: functions take a profile of ballots and return a
// result, with no I/O, no clock, no randomness, and no dependence on map
// iteration order or on the order in which ballots were cast. Each method's
// doc comment states the exact rule it implements, its tie-breaking included,
// and where the rule is published. Every tie that a method had to break is
// recorded in its result beside the rule that broke it.
//
// Ties that nothing in the ballots can break are decided by lot, and the lot
// is an input: Options.TieOrder lists the candidates in an order drawn before
// the count (in folkmoot, from a published seed); the candidate earlier in that
// order is preferred. Without it the order in which candidates are listed in
// the election (the ballot paper order) is used.
//
// Ballots are aggregated: a Profile holds each distinct ranking once with the
// number of voters who cast it, so memory grows with distinct ballots, not
// with voters. The file readers in package formats build profiles from the
// standard files of the field (PrefLib, BLT, Pabulib).
package count
