package contract

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
)

// maxRepeat bounds the extra repetitions of *, + and open {n,} when
// generating a string that matches a pattern.
const maxRepeat = 4

// patternGen generates strings matching one regular expression.
type patternGen struct {
	re   *regexp.Regexp
	tree *syntax.Regexp
}

// newPatternGen parses pattern in Go's RE2 syntax. Look-arounds and
// backreferences, which RE2 rejects, give an error saying so.
func newPatternGen(pattern string) (*patternGen, error) {
	tree, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		if strings.Contains(pattern, "(?=") || strings.Contains(pattern, "(?!") || strings.Contains(pattern, "(?<") || strings.Contains(pattern, `\1`) {
			return nil, fmt.Errorf("pattern %q cannot be generated: it uses look-arounds or backreferences, which Go's RE2 syntax cannot express: %w: %w", pattern, err, errUnsatisfiable)
		}
		return nil, fmt.Errorf("pattern %q cannot be generated: %w: %w", pattern, err, errUnsatisfiable)
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	return &patternGen{re: re, tree: tree.Simplify()}, nil
}

// generate returns a string the pattern matches, or an error when the
// pattern has an assertion (such as \b) the generated string broke.
func (p *patternGen) generate(rng *rand.Rand) (string, error) {
	var b strings.Builder
	if err := genRegexp(rng, p.tree, &b); err != nil {
		return "", err
	}
	s := b.String()
	if !p.re.MatchString(s) {
		return "", fmt.Errorf("pattern %q: generated string does not match (word boundaries or anchors inside the pattern are not generated)", p.re)
	}
	return s, nil
}

// genRegexp appends a string matching re to b.
func genRegexp(rng *rand.Rand, re *syntax.Regexp, b *strings.Builder) error {
	switch re.Op {
	case syntax.OpNoMatch:
		return fmt.Errorf("pattern matches nothing")
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return nil
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && rng.IntN(2) == 0 {
				r = unicode.SimpleFold(r)
			}
			b.WriteRune(r)
		}
	case syntax.OpCharClass:
		b.WriteRune(pickClass(rng, re.Rune))
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		b.WriteByte(byte('a' + rng.IntN(26)))
	case syntax.OpCapture:
		return genRegexp(rng, re.Sub[0], b)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		return genRepeat(rng, re, b)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if err := genRegexp(rng, sub, b); err != nil {
				return err
			}
		}
	case syntax.OpAlternate:
		return genRegexp(rng, re.Sub[rng.IntN(len(re.Sub))], b)
	default:
		return fmt.Errorf("pattern operator %v is not generated", re.Op)
	}
	return nil
}

// genRepeat appends a bounded number of repetitions of re's operand.
func genRepeat(rng *rand.Rand, re *syntax.Regexp, b *strings.Builder) error {
	lo, hi := 0, maxRepeat
	switch re.Op {
	case syntax.OpPlus:
		lo = 1
	case syntax.OpQuest:
		hi = 1
	case syntax.OpRepeat:
		lo, hi = re.Min, re.Max
		if hi < 0 || hi > lo+maxRepeat {
			hi = lo + maxRepeat
		}
	}
	n := lo + rng.IntN(hi-lo+1)
	for range n {
		if err := genRegexp(rng, re.Sub[0], b); err != nil {
			return err
		}
	}
	return nil
}

// pickClass picks a rune from a character class given as sorted ranges,
// preferring printable ASCII.
func pickClass(rng *rand.Rand, ranges []rune) rune {
	var ascii [][2]rune
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := max(ranges[i], 0x21), min(ranges[i+1], 0x7e)
		if lo <= hi {
			ascii = append(ascii, [2]rune{lo, hi})
		}
	}
	if len(ascii) > 0 {
		r := ascii[rng.IntN(len(ascii))]
		return r[0] + rune(rng.IntN(int(r[1]-r[0]+1)))
	}
	i := 2 * rng.IntN(len(ranges)/2)
	lo, hi := ranges[i], min(ranges[i+1], lo16(ranges[i]))
	return lo + rune(rng.IntN(int(hi-lo+1)))
}

// lo16 caps a range's upper end so a pick stays near its start.
func lo16(r rune) rune { return r + 0xff }
