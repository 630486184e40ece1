// Command folkmoot runs and audits self-governing communities: see README.md.
package main

import (
	"os"

	"github.com/folkmoot/folkmoot/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
