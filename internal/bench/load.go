package bench

import (
	"fmt"
	"os"
	"time"

	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// ballotLoad is a community of members voting on rounds of questions:
// its genesis, the proposals (one per round, all open for a day) and the
// ballots, round after round, also split into per-worker streams, each
// member's in nonce order.
type ballotLoad struct {
	appState  []byte
	proposals [][]byte
	ballots   [][]byte
	streams   [][][]byte
	rounds    int
	members   int
}

// newBallotLoad signs ballots ballots from members members of chain,
// round-robin over the questions, for workers workers.
func newBallotLoad(chain string, members, ballots, workers int) ballotLoad {
	ms := make([]*coretest.Member, members)
	for i := range ms {
		ms[i] = coretest.NewMember(fmt.Sprintf("voter %d", i))
		ms[i].Chain = chain
	}
	g := coretest.Genesis(ms...)
	g.Constitution.MaxVoting.Duration = 24 * time.Hour
	l := ballotLoad{appState: coretest.AppState(g), rounds: (ballots + members - 1) / members, members: members}
	closes := time.Now().Add(12 * time.Hour).Unix()
	for r := range l.rounds {
		l.proposals = append(l.proposals, ms[r].Sign(&tx.Propose{Title: fmt.Sprintf("Question %d", r+1), Category: "general", Closes: closes}))
	}
	for i := range ballots {
		l.ballots = append(l.ballots, ms[i%members].Ballot(uint64(i/members+1), tx.Choice(1+i%3)))
	}
	l.streams = l.split(0, ballots, workers)
	return l
}

// split deals the ballots [lo, hi) into streams for workers workers, each
// member's ballots in one stream, in nonce order.
func (l ballotLoad) split(lo, hi, workers int) [][][]byte {
	streams := make([][][]byte, workers)
	for i := lo; i < hi; i++ {
		w := (i % l.members) % workers
		streams[w] = append(streams[w], l.ballots[i])
	}
	return streams
}

// workDir returns dir, or a new temporary directory named after prefix
// when dir is empty, and the function that removes what it made.
func workDir(dir, prefix string) (string, func(), error) {
	if dir != "" {
		return dir, func() {}, nil
	}
	d, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	return d, func() { os.RemoveAll(d) }, nil
}
