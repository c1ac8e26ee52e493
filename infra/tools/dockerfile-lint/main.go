// Command dockerfile-lint runs BuildKit's Dockerfile checks (the rules of `docker build --check`)
// on Dockerfiles without a Docker engine or a BuildKit daemon, using BuildKit's own linter.
//
//	dockerfile-lint apps/*/Dockerfile
//
// It prints one JSON object per file ({"file", "warnings": [{"rule", "line", "message"}], "error"})
// and exits 1 when any file has a warning or does not parse.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	digest "github.com/opencontainers/go-digest"
)

// offlineImages answers every base image lookup with a minimal Linux image config instead of
// asking a registry (none is reachable where this runs). Rules that read the base image's own
// settings (its ENV, for UndefinedVar) therefore see an image with only PATH set.
type offlineImages struct{}

func (offlineImages) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	config := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]},` +
		`"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}}`)
	return ref, "", config, nil
}

type warning struct {
	Rule    string `json:"rule"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

type report struct {
	File     string    `json:"file"`
	Warnings []warning `json:"warnings"`
	Error    string    `json:"error,omitempty"`
}

func lint(file string) report {
	result := report{File: file, Warnings: []warning{}}
	source, err := os.ReadFile(file)
	if err != nil {
		result.Error = err.Error()
		return result
	}
	sourceMap := llb.NewSourceMap(nil, file, "Dockerfile", source)
	sourceMap.Definition = &llb.Definition{}
	results, err := dockerfile2llb.DockerfileLint(context.Background(), source, dockerfile2llb.ConvertOpt{SourceMap: sourceMap, MetaResolver: offlineImages{}})
	if err != nil {
		result.Error = err.Error()
		return result
	}
	for _, w := range results.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 && w.Location.Ranges[0].Start != nil {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		result.Warnings = append(result.Warnings, warning{Rule: w.RuleName, Line: line, Message: w.Detail})
	}
	if results.Error != nil {
		result.Error = results.Error.Message
	}
	return result
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: dockerfile-lint <Dockerfile>...")
		os.Exit(2)
	}
	failed := false
	encoder := json.NewEncoder(os.Stdout)
	for _, file := range os.Args[1:] {
		result := lint(file)
		if len(result.Warnings) > 0 || result.Error != "" {
			failed = true
		}
		_ = encoder.Encode(result)
	}
	if failed {
		os.Exit(1)
	}
}
