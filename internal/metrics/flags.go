package metrics

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
)

// Config is ups-metrics' command line: nut_exporter's flags (and their
// NUT_EXPORTER_* environment variables), plus sysnut's.
type Config struct {
	Opts                 Options
	Listen               []string // --web.listen-address; unused under socket activation
	UPSPath, AllPath     string
	LogLevel             slog.Level
	Version              bool
	systemdSocket, jsonL bool
}

// listFlag is a repeatable string flag.
type listFlag struct {
	vals *[]string
	set  bool
}

func (l *listFlag) String() string {
	if l.vals == nil {
		return ""
	}
	return strings.Join(*l.vals, ",")
}

func (l *listFlag) Set(s string) error {
	if !l.set {
		*l.vals, l.set = nil, true
	}
	*l.vals = append(*l.vals, s)
	return nil
}

// ParseFlags reads args (without the program name) and env as
// nut_exporter does: a flag wins over its environment variable, which wins
// over the default. The password comes only from NUT_EXPORTER_PASSWORD.
func ParseFlags(args []string, env func(string) string) (*Config, error) {
	fs := flag.NewFlagSet("ups-metrics", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	def := func(envName, d string) string {
		if v := env(envName); v != "" {
			return v
		}
		return d
	}
	defBool := func(envName string) bool { b, _ := strconv.ParseBool(env(envName)); return b }
	c := &Config{Listen: []string{":9199"}}
	host := fs.String("nut.server", def("NUT_EXPORTER_SERVER", "127.0.0.1"), "`host` name or address of upsd")
	port := fs.String("nut.serverport", def("NUT_EXPORTER_SERVERPORT", "3493"), "upsd's `port`")
	fs.StringVar(&c.Opts.Server.Username, "nut.username", env("NUT_EXPORTER_USERNAME"), "authenticate to upsd as `user` (password in NUT_EXPORTER_PASSWORD)")
	fs.BoolVar(&c.Opts.DisableDeviceInfo, "nut.disable_device_info", defBool("NUT_EXPORTER_DISABLE_DEVICE_INFO"), "do not export device_info")
	vars := fs.String("nut.vars_enable", def("NUT_EXPORTER_VARIABLES", DefaultVariables), "comma-separated `variables` to export; empty: every number")
	on := fs.String("nut.on_regex", def("NUT_EXPORTER_ON_REGEX", DefaultOnRegex), "string values exported as 1 (case-insensitive `regex`)")
	off := fs.String("nut.off_regex", def("NUT_EXPORTER_OFF_REGEX", DefaultOffRegex), "string values exported as 0 (case-insensitive `regex`)")
	statuses := fs.String("nut.statuses", def("NUT_EXPORTER_STATUSES", DefaultStatuses), "status `flags` always exported (0 when not set)")
	fs.StringVar(&c.Opts.Namespace, "metrics.namespace", def("NUT_EXPORTER_METRICS_NAMESPACE", DefaultNamespace), "`prefix` of the variables' metric names")
	fs.Var(&listFlag{vals: &c.Listen}, "web.listen-address", "`address` to listen on, repeatable (ignored under socket activation)")
	fs.BoolVar(&c.systemdSocket, "web.systemd-socket", false, "use the sockets systemd passes (always done when it passes some)")
	fs.StringVar(&c.UPSPath, "web.telemetry-path", def("NUT_EXPORTER_WEB_TELEMETRY_PATH", "/ups_metrics"), "`path` of nut_exporter's one-UPS metrics")
	fs.StringVar(&c.AllPath, "web.exporter-telemetry-path", def("NUT_EXPORTER_WEB_EXPORTER_TELEMETRY_PATH", "/metrics"), "`path` of every UPS's metrics and the exporter's own")
	webConfig := fs.String("web.config.file", "", "not supported (TLS and basic authentication)")
	printMetrics := fs.Bool("printMetrics", false, "not supported")
	level := fs.String("log.level", def("NUT_EXPORTER__LOG_LEVEL", "info"), "least `level` logged: error, warn, info or debug")
	fs.BoolVar(&c.jsonL, "log.json", false, "accepted; the journal keeps fields anyway")
	fs.StringVar(&c.Opts.StateFile, "upsmon.state", "/run/sysnut-upsmon/state.json", "upsmon's state `file` (sysnut; empty: none)")
	fs.BoolVar(&c.Version, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *webConfig != "" {
		return nil, errors.New("--web.config.file: TLS and basic authentication are not supported; ups-metrics listens on localhost (ups-metrics.socket), put a TLS proxy in front to serve it further")
	}
	if *printMetrics {
		return nil, errors.New("--printMetrics is not supported: the metrics are listed in ups-metrics(8)")
	}
	c.Opts.Server.Addr = net.JoinHostPort(*host, *port)
	c.Opts.Server.Password = env("NUT_EXPORTER_PASSWORD")
	if c.Opts.Server.Username != "" && c.Opts.Server.Password == "" {
		return nil, errors.New("--nut.username is set but NUT_EXPORTER_PASSWORD is not")
	}
	c.Opts.Variables = SplitList(*vars)
	c.Opts.Statuses = SplitList(*statuses)
	var err error
	if c.Opts.On, err = CompileRegex(*on); err != nil {
		return nil, fmt.Errorf("--nut.on_regex: %w", err)
	}
	if c.Opts.Off, err = CompileRegex(*off); err != nil {
		return nil, fmt.Errorf("--nut.off_regex: %w", err)
	}
	if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return nil, fmt.Errorf("--log.level: %w", err)
	}
	return c, nil
}
