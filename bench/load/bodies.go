package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
)

type bodiesConfig struct {
	n, batch, users int
	seed            uint64
}

func bodiesFlags(fs *flag.FlagSet) *bodiesConfig {
	c := &bodiesConfig{}
	fs.IntVar(&c.n, "n", 4096, "how many bodies")
	fs.IntVar(&c.batch, "batch", 0, "checks per body (a check/batch body); 0 for single checks")
	fs.IntVar(&c.users, "users", 1000, "users in the store")
	fs.Uint64Var(&c.seed, "seed", 1, "seed")
	return c
}

// writeBodies prints the bodies `load run` would send with the same
// flags, one a line.
func writeBodies(c *bodiesConfig, w io.Writer) error {
	if c.n < 1 || c.users < 1 || c.batch < 0 || c.batch > 1000 {
		return fmt.Errorf("-n and -users must be positive, -batch 0 to 1000")
	}
	bw := bufio.NewWriter(w)
	for _, b := range checkBodies(c.seed, c.n, c.batch, c.users) {
		bw.Write(b)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
