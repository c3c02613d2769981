package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/pprofsource"
)

// profileFlags are -profile and -profile-dir, shared by attack, contract and
// capacity.
type profileFlags struct{ url, dir string }

func (p *profileFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.url, "profile", "", "profile the service over the measured window from its net/http/pprof `URL` (e.g. http://127.0.0.1:8080/debug/pprof/): CPU, allocations, goroutines; costs the service a few percent of its CPU; hosts outside loopback must be in $"+loadrunner.AllowHostsEnv)
	fs.StringVar(&p.dir, "profile-dir", "", "write the profiles into `dir` (default: beside -json, FILE.profiles; else ./profiles)")
}

// folder is where the profiles of the run named sub ("" for one run) go:
// -profile-dir, else beside the JSON result, else ./profiles.
func (p *profileFlags) folder(jsonOut, sub string) string {
	dir := p.dir
	switch {
	case dir != "":
	case jsonOut != "" && jsonOut != "-":
		dir = strings.TrimSuffix(jsonOut, filepath.Ext(jsonOut)) + ".profiles"
	default:
		dir = "profiles"
	}
	if sub != "" {
		dir = pprofsource.RunDir(dir, sub)
	}
	return dir
}

// options returns the run option that profiles the service into the folder
// of the run named sub; none without -profile. The allow-list of load
// targets ($SLASPEC_ALLOW_HOSTS) is the profiler's too.
func (p *profileFlags) options(jsonOut, sub string) ([]loadrunner.Option, error) {
	if p.url == "" {
		return nil, nil
	}
	var allow []string
	for _, h := range strings.Split(os.Getenv(loadrunner.AllowHostsEnv), ",") {
		if h = strings.TrimSpace(h); h != "" {
			allow = append(allow, h)
		}
	}
	src := pprofsource.Remote(p.url, pprofsource.WithDir(p.folder(jsonOut, sub)), pprofsource.WithAllowHosts(allow...))
	if err := src.(interface{ Validate() error }).Validate(); err != nil {
		return nil, fmt.Errorf("-profile: %w", err)
	}
	return []loadrunner.Option{loadrunner.WithProfileSource(src)}, nil
}
