package tx

import "github.com/folkmoot/folkmoot/internal/reject"

// Check applies to b the rules every node applies when it decodes a
// transaction, whatever the state: lengths, ranges, and the fields each
// kind allows together (an initiative names no voting times, a repeal
// names a law, ...). Signers call it before signing, so that a body the
// network would refuse is refused here with the same code and sentence.
func Check(b Body) *reject.Error { return b.check() }
