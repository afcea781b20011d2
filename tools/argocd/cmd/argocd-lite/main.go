// Command argocd-lite is the part of Argo CD that `npm run validate:argocd` runs: the application controller,
// the repo server and the git ask-pass helper the repo server execs. Like Argo CD's own cmd/main.go it picks the
// component from the name it was started under (argocd-application-controller, argocd-repo-server,
// argocd-git-ask-pass), so one binary linked under three names serves all three; leaving out the API server, the
// CLI, Dex and the ApplicationSet controller keeps the build to what the check needs.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	appcontroller "github.com/argoproj/argo-cd/v3/cmd/argocd-application-controller/commands"
	gitaskpass "github.com/argoproj/argo-cd/v3/cmd/argocd-git-ask-pass/commands"
	reposerver "github.com/argoproj/argo-cd/v3/cmd/argocd-repo-server/commands"
	"github.com/argoproj/argo-cd/v3/common"
	"github.com/argoproj/argo-cd/v3/util/log"
)

func init() {
	klog.SetLogger(log.NewLogrusLogger(log.NewWithCurrentConfig()))
}

func main() {
	// Argo CD's own main turns off gRPC's DNS SRV lookups (argo-cd#29989), which the grpclb balancer turns on
	// when linked. This binary does not link grpclb, so they are off already, and grpc.DisableSRVLookups would
	// panic on finding them so.
	name := filepath.Base(os.Args[0])
	if v := os.Getenv("ARGOCD_BINARY_NAME"); v != "" {
		name = v
	}
	var command *cobra.Command
	switch name {
	case common.CommandApplicationController:
		command = appcontroller.NewCommand()
	case common.CommandRepoServer:
		command = reposerver.NewCommand()
	case common.CommandGitAskPass:
		command = gitaskpass.NewCommand()
		command.SilenceErrors = true
		command.SilenceUsage = true
	default:
		fmt.Fprintf(os.Stderr, "argocd-lite: start me as %s, %s or %s (got %q)\n",
			common.CommandApplicationController, common.CommandRepoServer, common.CommandGitAskPass, name)
		os.Exit(2)
	}
	if err := command.Execute(); err != nil {
		os.Exit(1)
	}
}
