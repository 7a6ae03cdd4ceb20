// Package standin registers the two AWS components of the otel-collector config that cannot be
// built here: the Go module proxy serves neither the contrib extension/awsproxy module nor the
// internal/aws/xray and internal/aws/awsutil modules exporter/awsxrayexporter imports (404/403 for
// every release tried, v0.158.0 to v0.165.1). The stand-ins carry the component types "awsxray"
// and "awsproxy" so `validate` and a run check everything else of the rendered config with the real
// collector (wiring, the other components' configs); their own configs are checked only for the
// keys we set, all of which the real components have: an unknown key is rejected, as upstream.
// The awsxray stand-in drops what it gets: collector.test.ts swaps it for otlphttp to a local stub
// when it needs to see the exported spans.
package standin

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// XRayConfig holds the awsxray exporter keys the platform sets (awsutil.AWSSessionSettings'
// region, endpoint and role_arn; the exporter's indexed_attributes and index_all_attributes).
type XRayConfig struct {
	Region             string   `mapstructure:"region"`
	Endpoint           string   `mapstructure:"endpoint"`
	RoleARN            string   `mapstructure:"role_arn"`
	IndexedAttributes  []string `mapstructure:"indexed_attributes"`
	IndexAllAttributes bool     `mapstructure:"index_all_attributes"`
}

// ProxyConfig holds the awsproxy extension keys the platform sets.
type ProxyConfig struct {
	Endpoint string `mapstructure:"endpoint"`
	Region   string `mapstructure:"region"`
	RoleARN  string `mapstructure:"role_arn"`
}

func (c *ProxyConfig) Validate() error {
	if c.Endpoint == "" {
		return errors.New("awsproxy: endpoint must not be empty")
	}
	return nil
}

// NewXRayFactory returns the "awsxray" stand-in: a traces exporter that drops what it gets.
func NewXRayFactory() exporter.Factory {
	return exporter.NewFactory(
		component.MustNewType("awsxray"),
		func() component.Config { return &XRayConfig{} },
		exporter.WithTraces(func(context.Context, exporter.Settings, component.Config) (exporter.Traces, error) {
			return dropTraces{}, nil
		}, component.StabilityLevelBeta),
	)
}

// NewProxyFactory returns the "awsproxy" stand-in: an extension that does nothing.
func NewProxyFactory() extension.Factory {
	return extension.NewFactory(
		component.MustNewType("awsproxy"),
		func() component.Config { return &ProxyConfig{Endpoint: "localhost:2000"} },
		func(context.Context, extension.Settings, component.Config) (extension.Extension, error) {
			return nop{}, nil
		},
		component.StabilityLevelBeta,
	)
}

type nop struct{}

func (nop) Start(context.Context, component.Host) error { return nil }
func (nop) Shutdown(context.Context) error              { return nil }

type dropTraces struct{ nop }

func (dropTraces) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }
func (dropTraces) ConsumeTraces(context.Context, ptrace.Traces) error {
	return nil
}
