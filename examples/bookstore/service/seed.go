package service

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Word lists the seeded catalog is built from.
var (
	adjectives = []string{
		"silent", "golden", "hidden", "broken", "distant", "crimson", "quiet", "endless",
		"forgotten", "burning", "northern", "secret", "wandering", "hollow", "bright", "last",
		"frozen", "wild", "paper", "iron", "glass", "midnight", "emerald", "restless",
	}
	nouns = []string{
		"river", "garden", "city", "machine", "ocean", "library", "mountain", "kingdom",
		"lighthouse", "forest", "archive", "harbor", "orchard", "compass", "empire", "winter",
		"island", "signal", "bridge", "cathedral", "engine", "map", "storm", "voyage",
	}
	subjects = []string{
		"go", "distributed systems", "gardening", "astronomy", "cooking", "chess",
		"typography", "sailing", "databases", "jazz", "painting", "networks",
	}
	firstNames = []string{
		"ada", "grace", "alan", "barbara", "ken", "rob", "edsger", "margaret",
		"donald", "frances", "leslie", "radia", "tony", "hedy", "john", "sophie",
	}
	lastNames = []string{
		"lovelace", "hopper", "turing", "liskov", "thompson", "pike", "dijkstra", "hamilton",
		"knuth", "allen", "lamport", "perlman", "hoare", "lamarr", "backus", "wilson",
	}
	tagWords = []string{
		"fiction", "history", "science", "poetry", "travel", "mystery", "fantasy",
		"biography", "cooking", "art", "technology", "children", "classics", "sea",
	}
)

// bestsellerEvery makes every n-th seeded book a bestseller with deep stock,
// so reservation load against it does not run out within a test run.
const bestsellerEvery = 100

// seedBooks returns n books with ids 1..n, the same for the same seed.
func seedBooks(seed int64, n int) []Book {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x5eed))
	books := make([]Book, n)
	for i := range books {
		id := int64(i + 1)
		books[i] = Book{
			ID:     id,
			Title:  seedTitle(rng),
			Author: capital(pick(rng, firstNames) + " " + pick(rng, lastNames)),
			Tags:   seedTags(rng),
			Price:  float64(499+rng.IntN(7500)) / 100,
			Stock:  seedStock(rng, id),
			Year:   1900 + rng.IntN(126),
		}
	}
	return books
}

func pick(rng *rand.Rand, words []string) string { return words[rng.IntN(len(words))] }

func seedTitle(rng *rand.Rand) string {
	a, n, m := capital(pick(rng, adjectives)), capital(pick(rng, nouns)), capital(pick(rng, nouns))
	switch rng.IntN(4) {
	case 0:
		return fmt.Sprintf("The %s %s", a, n)
	case 1:
		return fmt.Sprintf("The %s of the %s %s", n, a, m)
	case 2:
		return fmt.Sprintf("A Field Guide to %s", capital(pick(rng, subjects)))
	default:
		return fmt.Sprintf("%s and the %s %s", n, a, m)
	}
}

func seedTags(rng *rand.Rand) []string {
	tags := make([]string, 0, 3)
	for range 1 + rng.IntN(3) {
		t := pick(rng, tagWords)
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return tags
}

func seedStock(rng *rand.Rand, id int64) int {
	switch {
	case id%bestsellerEvery == 0:
		return 50_000 + rng.IntN(50_000)
	case rng.IntN(20) == 0:
		return 0
	default:
		return 1 + rng.IntN(40)
	}
}

// capital upper-cases the first letter of each word of an ASCII phrase.
func capital(s string) string {
	b := []byte(s)
	for i := range b {
		if (i == 0 || b[i-1] == ' ') && b[i] >= 'a' && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}
