package loadrunner

import (
	"context"
	"fmt"
	"time"
)

// profiler runs a ProfileSource over the measured window: Begin in the
// background, so reading the baselines does not delay the window's first
// interval, and End when the window closes.
type profiler struct {
	src   ProfileSource
	begun chan error
}

func startProfiler(ctx context.Context, src ProfileSource, window time.Duration) *profiler {
	p := &profiler{src: src, begun: make(chan error, 1)}
	go func() { p.begun <- src.Begin(ctx, window) }()
	return p
}

// end waits for Begin, then ends the capture. A failing source does not
// fail the run: its error is kept as a warning.
func (p *profiler) end(ctx context.Context) *Profiles {
	err := <-p.begun
	if err == nil {
		prof, endErr := p.src.End(ctx)
		if endErr == nil {
			return &prof
		}
		err = endErr
	}
	return &Profiles{Source: p.src.Name(), Warnings: []string{fmt.Sprintf("profile source failed: %v", err)}}
}
