-- Prosody configuration for scansim's real-server mode (docs/real-server.md).
--
-- Written for Debian bookworm's Prosody 0.12.3 (the 0.12-era scansion
-- configuration, spec/scansion/prosody.cfg.lua, without its components and
-- without its os.time mock). .ci/prosody-start renders this template:
-- @STATE_DIR@ becomes a private temporary directory (pidfile, data, log)
-- and @PORT@ the c2s port (default 25222). Do not run it as root: Prosody
-- refuses to.

-- Loopback only, a non-standard port, no s2s, no HTTP.
interfaces = { "127.0.0.1" }
c2s_ports = { @PORT@ }
c2s_direct_tls_ports = { }
legacy_ssl_ports = { }
s2s_ports = { }
component_ports = { }
http_ports = { }
https_ports = { }

-- No Nagle: the runner follows every action with ping round trips, and
-- Nagle's algorithm against the client's delayed ACKs would stall some of
-- them by ~40 ms (net/server_epoll.lua; no effect on behaviour).
network_settings = { nagle = false }

-- Foreground process (.ci/prosody-start passes -F; 0.12 deprecates the
-- daemonize option), stopped by PID (.ci/prosody-stop).
pidfile = "@STATE_DIR@/prosody.pid"
data_path = "@STATE_DIR@/data"
log = {
	{ levels = { min = "info" }, to = "file", filename = "@STATE_DIR@/prosody.log" };
}

-- The scansion test setup (behaviour reference, Scope and §0): every
-- account exists, any password is accepted, state lives in memory.
authentication = "insecure"
insecure_open_authentication = "Yes please, I know what I'm doing!" -- mod_auth_insecure insists
storage = "memory"
allow_unencrypted_plain_auth = true
c2s_require_encryption = false
s2s_require_encryption = false

admins = { "admin@localhost" }

modules_enabled = {
	"roster";
	"saslauth";
	"disco";
	"carbons";
	"pep";
	"blocklist";
	"vcard4";
	"vcard_legacy";
	"version";
	"uptime";
	"time";
	"ping";
	"mam";
	"lastactivity";
	"tombstones";
	"posix";
}
modules_disabled = { "s2s" }

bounce_blocked_messages = true
hide_os_type = true
mam_smart_enable = true

-- No limits module, no stream management, no TLS: the scripts see the
-- c2s core only.

VirtualHost "localhost"
