package loadrunner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
)

// Weighted is one operation of a Mix: its name, its share of the traffic
// (relative to the other weights) and the target that performs it.
type Weighted struct {
	Name   string
	Weight float64
	Target Target
}

// maxMixCycle bounds the length of a mix's repeating pattern.
const maxMixCycle = 1000

// MixTarget sends several operations on one shared open-model schedule, each
// hit going to one operation in proportion to the weights. The choice is a
// pure function of the hit's index, interleaved smoothly (no bursts of one
// operation), identical on every shard. Each operation's latency, errors and
// load are recorded apart, in Result.Operations, as well as in total.
type MixTarget struct {
	parts []Weighted
	cycle []uint16 // operation index of each slot of the repeating pattern
	err   error
}

// Mix returns a target that sends parts in proportion to their weights, e.g.
// 70% GET /items/{sku}, 20% GET /search, 10% POST /items:
//
//	loadrunner.Mix(
//		loadrunner.Weighted{Name: "getItem", Weight: 7, Target: get},
//		loadrunner.Weighted{Name: "search", Weight: 2, Target: search},
//		loadrunner.Weighted{Name: "createItem", Weight: 1, Target: create})
func Mix(parts ...Weighted) *MixTarget {
	m := &MixTarget{parts: parts}
	m.err = m.build()
	return m
}

func (m *MixTarget) build() error {
	if len(m.parts) == 0 {
		return errors.New("loadrunner: mix: no operations")
	}
	if len(m.parts) > maxMixCycle {
		return fmt.Errorf("loadrunner: mix: %d operations, at most %d", len(m.parts), maxMixCycle)
	}
	seen := map[string]bool{}
	var total float64
	for i, p := range m.parts {
		switch {
		case strings.TrimSpace(p.Name) == "":
			return fmt.Errorf("loadrunner: mix: operation %d has no name", i)
		case seen[p.Name]:
			return fmt.Errorf("loadrunner: mix: operation %q appears twice", p.Name)
		case p.Target == nil:
			return fmt.Errorf("loadrunner: mix: operation %q has no target", p.Name)
		case !(p.Weight > 0) || math.IsInf(p.Weight, 0):
			return fmt.Errorf("loadrunner: mix: operation %q: weight %g must be positive and finite", p.Name, p.Weight)
		}
		seen[p.Name] = true
		total += p.Weight
		if v, ok := capability[Validator](p.Target); ok {
			if err := v.Validate(); err != nil {
				return fmt.Errorf("loadrunner: mix: operation %q: %w", p.Name, err)
			}
		}
	}
	slots := m.slots(total)
	// Smooth weighted round robin over the integer slot counts: each step
	// picks the operation furthest behind its share, so the pattern
	// interleaves (7:2:1 gives a a b a a c a a b a, not a run of seven).
	n := 0
	for _, s := range slots {
		n += s
	}
	current := make([]int, len(slots))
	for range n {
		best := 0
		for i, s := range slots {
			current[i] += s
			if current[i] > current[best] {
				best = i
			}
		}
		current[best] -= n
		m.cycle = append(m.cycle, uint16(best))
	}
	return nil
}

// slots turns the weights into whole slot counts over a cycle of at most
// maxMixCycle: exact for whole-number weights that fit, else the largest
// remainder rounding of the shares (every operation keeps at least one slot).
func (m *MixTarget) slots(total float64) []int {
	whole := true
	for _, p := range m.parts {
		whole = whole && p.Weight == math.Trunc(p.Weight)
	}
	out := make([]int, len(m.parts))
	if whole && total <= maxMixCycle {
		for i, p := range m.parts {
			out[i] = int(p.Weight)
		}
		return out
	}
	type rem struct {
		i    int
		frac float64
	}
	left, rems := maxMixCycle, make([]rem, len(m.parts))
	for i, p := range m.parts {
		exact := p.Weight / total * maxMixCycle
		out[i] = max(int(exact), 1)
		left -= out[i]
		rems[i] = rem{i, exact - math.Trunc(exact)}
	}
	for left > 0 {
		best := 0
		for i := range rems {
			if rems[i].frac > rems[best].frac {
				best = i
			}
		}
		out[rems[best].i]++
		rems[best].frac = -1
		left--
	}
	return out
}

// Validate reports a bad mix (no operations, a bad weight, a bad target).
func (m *MixTarget) Validate() error { return m.err }

// Prepare prepares each operation's target for the plan; Run calls it.
func (m *MixTarget) Prepare(p Plan) {
	for _, part := range m.parts {
		if t, ok := capability[Preparer](part.Target); ok {
			t.Prepare(p)
		}
	}
}

// Operations returns the names of the mix's operations, in order.
func (m *MixTarget) Operations() []string {
	names := make([]string, len(m.parts))
	for i, p := range m.parts {
		names[i] = p.Name
	}
	return names
}

// OperationOf returns the index of the operation hit seq goes to.
func (m *MixTarget) OperationOf(seq uint64) int { return int(m.cycle[seq%uint64(len(m.cycle))]) }

// Hit sends hit seq to its operation.
func (m *MixTarget) Hit(ctx context.Context, seq uint64, tr *Trace) error {
	i := m.OperationOf(seq)
	tr.Op = i
	return m.parts[i].Target.Hit(ctx, seq, tr)
}

// String describes the mix.
func (m *MixTarget) String() string {
	parts := make([]string, len(m.parts))
	for i, p := range m.parts {
		parts[i] = fmt.Sprintf("%s×%g", p.Name, p.Weight)
	}
	return "mix of " + strings.Join(parts, ", ")
}
