package query

// ABCI query paths: the names a client gives CometBFT's abci_query to read
// the committed state (internal/abci answers them). Each answer is JSON in
// the response's Value. Proofs are against the app hash after the latest
// block, or after the query's height when given.
const (
	PathStatus      = "/status"      // the community's summary (Status)
	PathMembers     = "/members"     // current members ([]Member)
	PathMember      = "/member"      // data: key hex; one current member with its next nonce (Member)
	PathProposals   = "/proposals"   // data: status (optional); proposals, newest first ([]Proposal)
	PathProposal    = "/proposal"    // data: id; one proposal with its tally or result (Proposal)
	PathTx          = "/tx"          // data: tx id hex; the block holding a transaction, and its code (TxStatus)
	PathProof       = "/proof"       // data: tx id hex; inclusion proof of a transaction's leaf (Proof)
	PathLeaf        = "/leaf"        // data: index; inclusion proof of any leaf (Proof)
	PathOffices     = "/offices"     // the offices with holders and elections to come
	PathOffice      = "/office"      // data: name; one office with its past elections, petitions, notices, payments
	PathElections   = "/elections"   // data: office (optional); elections, newest first
	PathElection    = "/election"    // data: id; one election with its round-by-round count
	PathLaws        = "/laws"        // data: RFC 3339 time (optional); the laws in force now, or at that time
	PathLaw         = "/law"         // data: number; one law with its history
	PathRules       = "/rules"       // data: question; "" the rule history, "proposal=N" the rules that applied to proposal N, "height=H" those in force after block H
	PathInitiatives = "/initiatives" // data: status (optional); popular initiatives, newest first
	PathSecret      = "/secret"      // data: proposal id; everything public about a secret vote (SecretDetail)
	PathDraws       = "/draws"       // draws by lot, newest first ([]Draw)
	PathDraw        = "/draw"        // data: id; one draw with its commitments, reveals, seed and seats (Draw)
)
