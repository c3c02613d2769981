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
	for _, k := range deltaKinds {
		p, err := s.readProfile(ctx, k.name)
		if err != nil {
			s.warn("%s profile not taken: %v", k.name, err)
			continue
		}
		s.base[k.file] = p
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
	bounded := context.WithoutCancel(ctx) // each read has its own timeout
	for _, k := range deltaKinds {
		if base := s.base[k.file]; base != nil {
			s.endDelta(bounded, &out, k, base)
		}
	}
	if p, err := s.readProfile(bounded, kindGoroutine.name); err != nil {
		s.warn("goroutine profile not taken: %v", err)
	} else {
		s.keep(&out, kindGoroutine, p)
	}
	s.endCPU(ctx, &out)
	out.Warnings = append(out.Warnings, s.warnings...)
	return out, nil
}

// endDelta reads a cumulative profile again and keeps the window's part.
func (s *source) endDelta(ctx context.Context, out *loadrunner.Profiles, k kind, base *profile.Profile) {
	end, err := s.readProfile(ctx, k.name)
	if err == nil {
		var d *profile.Profile
		if d, err = subtract(end, base); err == nil {
			s.keep(out, k, d)
			return
		}
	}
	s.warn("%s profile not taken: %v", k.name, err)
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
