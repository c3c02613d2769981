package pprofsource

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/pprof/profile"

	"github.com/slaspec/slaspec/loadrunner"
)

// keep summarizes profile p of kind k into out and writes its file. An
// optional profile without samples (mutex, block: the service did not turn
// it on) is skipped with a note.
func (s *source) keep(out *loadrunner.Profiles, k kind, p *profile.Profile) {
	if k.optional && len(p.Sample) == 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("%s profile empty in the window, skipped (off unless the service calls %s)", k.name, k.hint))
		return
	}
	si, err := sampleIndex(p, k)
	if err != nil {
		s.warn("%v", err)
		return
	}
	p.DefaultSampleType = k.sampleType // what `go tool pprof` shows first
	sum := summarize(p, si, s.cfg.top)
	if k == kindGoroutine {
		sum.Parked = parked(p, si, s.cfg.top)
	}
	if s.cfg.dir != "" {
		path, err := writeProfile(s.cfg.dir, k.fileName(), p)
		if err != nil {
			s.warn("%s profile not written: %v", k.name, err)
		}
		sum.File = path
	}
	*slot(out, k) = sum
}

// writeProfile writes p gzip-compressed into dir/name and returns the path.
func writeProfile(dir, name string, p *profile.Profile) (path string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path = filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	if err := p.Write(f); err != nil {
		return "", err
	}
	return path, nil
}
