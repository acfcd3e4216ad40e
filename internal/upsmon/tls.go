package upsmon

import (
	"strings"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/nuttls"
)

// TLSPolicy is upsmon.conf's TLS policy for a server: CERTPATH, CERTFILE,
// CERTVERIFY and FORCESSL, overridden for that host by a CERTHOST line.
// STARTTLS is always tried, as NUT's upsmon does.
func TLSPolicy(c *config.UpsmonConf, host string) nuttls.Client {
	p := nuttls.Client{CAPath: c.CertPath, CertFile: c.CertFile, Verify: c.CertVerify, Force: c.ForceSSL}
	for _, h := range c.CertHost {
		if strings.EqualFold(h.Host, host) {
			p.CertName, p.Verify, p.Force = h.CertName, h.Verify, h.ForceSSL
		}
	}
	return p
}
