package pprofsource

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/pprof/profile"

	"github.com/slaspec/slaspec/loadrunner"
)

// backend reads profiles from one place: this process or a remote service.
type backend interface {
	name() string
	validate() error
	// startCPU starts a CPU profile meant to last d.
	startCPU(ctx context.Context, d time.Duration) (cpuRun, error)
	// read returns the named profile now, as Go encodes it.
	read(ctx context.Context, name string) ([]byte, error)
	// notes say what the backend's profiles are.
	notes() []string
}

// cpuRun is a CPU profile being taken.
type cpuRun interface {
	// stop ends the profile (or waits for its end) and returns it.
	stop(ctx context.Context) ([]byte, error)
}

var _ loadrunner.ProfileSource = (*source)(nil)

// source implements loadrunner.ProfileSource over a backend: it reads the
// cumulative profiles at both ends of the window and keeps the difference,
// runs a CPU profile across it, reads goroutines at its end, and writes and
// summarizes each.
type source struct {
	b   backend
	cfg config

	mu       sync.Mutex
	begun    bool
	cpu      cpuRun
	base     map[string]*profile.Profile
	warnings []string
}

func newSource(b backend, opts []Option) *source {
	return &source{b: b, cfg: newConfig(opts)}
}

// Name describes the source for reports.
func (s *source) Name() string { return s.b.name() }

// Validate reports a bad option or a service the source may not read.
func (s *source) Validate() error {
	if s.cfg.err != nil {
		return s.cfg.err
	}
	return s.b.validate()
}

// Begin starts the CPU profile and reads the cumulative profiles' baseline.
// A profile the service does not give is a warning in End's result, not an
// error: Begin fails only for a bad option or a refused host.
func (s *source) Begin(ctx context.Context, window time.Duration) error {
	if err := s.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.begun {
		return fmt.Errorf("pprofsource: %s: Begin twice without End", s.Name())
	}
	s.begun, s.cpu, s.base, s.warnings = true, nil, map[string]*profile.Profile{}, nil
	cpu, err := s.b.startCPU(ctx, window)
	if err != nil {
		s.warn("cpu profile not taken: %v", err)
	} else {
		s.cpu = cpu
	}
	for i, r := range s.readProfiles(ctx, deltaKinds) {
		if r.err != nil {
			s.warn("%s profile not taken: %v", deltaKinds[i].name, r.err)
			continue
		}
		s.base[deltaKinds[i].file] = r.p
	}
	return nil
}

// End reads the window's end, waits for the CPU profile and returns the
// summaries; the files are written when the source has a folder.
func (s *source) End(ctx context.Context) (loadrunner.Profiles, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.begun {
		return loadrunner.Profiles{}, fmt.Errorf("pprofsource: %s: End without Begin", s.Name())
	}
	s.begun = false
	out := loadrunner.Profiles{Source: s.Name(), Dir: s.cfg.dir, Notes: s.b.notes()}
	kinds := []kind{kindGoroutine}
	for _, k := range deltaKinds {
		if s.base[k.file] != nil {
			kinds = append(kinds, k)
		}
	}
	for i, r := range s.readProfiles(context.WithoutCancel(ctx), kinds) { // each read has its own timeout
		k := kinds[i]
		if r.err == nil && k.delta {
			r.p, r.err = subtract(r.p, s.base[k.file])
		}
		if r.err != nil {
			s.warn("%s profile not taken: %v", k.name, r.err)
			continue
		}
		s.keep(&out, k, r.p)
	}
	s.endCPU(ctx, &out)
	out.Warnings = append(out.Warnings, s.warnings...)
	return out, nil
}

// read is the outcome of reading one profile.
type read struct {
	p   *profile.Profile
	err error
}

// readProfiles reads the kinds' profiles at once, so that they show the
// same moment and a slow service costs one timeout, not one per profile.
func (s *source) readProfiles(ctx context.Context, kinds []kind) []read {
	out := make([]read, len(kinds))
	var wg sync.WaitGroup
	for i, k := range kinds {
		wg.Go(func() { out[i].p, out[i].err = s.readProfile(ctx, k.name) })
	}
	wg.Wait()
	return out
}

// endCPU stops (or waits for) the CPU profile and keeps it.
func (s *source) endCPU(ctx context.Context, out *loadrunner.Profiles) {
	if s.cpu == nil {
		return
	}
	data, err := s.cpu.stop(ctx)
	var p *profile.Profile
	if err == nil {
		p, err = decode(data, s.cfg.maxProfile)
	}
	if err != nil {
		s.warn("cpu profile not taken: %v", err)
		return
	}
	if p.Period > 0 {
		out.CPURate = int(time.Second / time.Duration(p.Period))
	}
	s.keep(out, kindCPU, p)
}

// readProfile reads and decodes the named profile.
func (s *source) readProfile(ctx context.Context, name string) (*profile.Profile, error) {
	data, err := s.b.read(ctx, name)
	if err != nil {
		return nil, err
	}
	return decode(data, s.cfg.maxProfile)
}

func (s *source) warn(format string, args ...any) {
	s.warnings = append(s.warnings, fmt.Sprintf(format, args...))
}
