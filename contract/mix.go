package contract

import (
	"context"
	"slices"

	"github.com/slaspec/slaspec/loadrunner"
)

// Mix prepares every operation (see Prepare) and combines their targets in
// one weighted mix on a shared schedule: each operation's share is its
// x-sla weight (user, then operation, then document, then suite; default
// 1). The prepared operations carry each one's budget, judged on its
// sub-result (Result.Operations[op.ID]).
func Mix(ops []*Operation, baseURL string, user map[string]LoadSpec, suite LoadSpec, opts ...Option) (*loadrunner.MixTarget, []*Prepared, error) {
	parts := make([]loadrunner.Weighted, 0, len(ops))
	prepared := make([]*Prepared, 0, len(ops))
	for _, op := range ops {
		p, err := op.Prepare(baseURL, user[op.ID], suite, opts...)
		if err != nil {
			return nil, nil, err
		}
		weight := p.Spec.Weight
		if weight == 0 {
			weight = 1
		}
		parts = append(parts, loadrunner.Weighted{Name: op.ID, Weight: weight, Target: p.Target})
		prepared = append(prepared, p)
	}
	mix := loadrunner.Mix(parts...)
	if err := mix.Validate(); err != nil {
		return nil, nil, err
	}
	return mix, prepared, nil
}

// DiscoverEach runs Operation.Discover for each of ops, one after another,
// and returns opts followed by a WithLearned for each: what Mix (or
// Prepare) needs so that a mix's requests name resources that exist.
func DiscoverEach(ctx context.Context, ops []*Operation, baseURL string, opts ...Option) ([]Option, error) {
	out := slices.Clip(opts)
	for _, op := range ops {
		learned, err := op.Discover(ctx, baseURL, opts...)
		if err != nil {
			return nil, err
		}
		out = append(out, WithLearned(learned))
	}
	return out, nil
}
