// Pinned upstream Go modules whose releases carry the CustomResourceDefinitions our manifests use.
// Nothing here is compiled: test/cluster/scripts/fetch-crds.sh downloads these exact module versions
// (verified against go.sum) and copies their CRD files into .tools/crds. See docs/cluster.md.
module bank-platform/test/cluster/crds

go 1.26.1

require (
	github.com/argoproj/argo-cd/v3 v3.2.11
	github.com/argoproj/argo-rollouts v1.10.1
	github.com/external-secrets/external-secrets v1.3.2
	github.com/prometheus-operator/prometheus-operator v0.85.0
)
