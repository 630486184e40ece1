package main
import (
 _ "github.com/cometbft/cometbft/node"
 _ "modernc.org/sqlite"
 _ "github.com/fxamacker/cbor/v2"
 _ "github.com/hdevalence/ed25519consensus"
 _ "filippo.io/age"
 _ "github.com/spf13/cobra"
 _ "github.com/prometheus/client_golang/prometheus"
 _ "github.com/BurntSushi/toml"
)
func main(){}
