//! What counts as "the same device" for new-device sign-in notices: the browser family from the
//! user agent and the client's network (/24 for IPv4, /48 for IPv6). Coarse on purpose: a new
//! browser version or a new address from the same provider block is not a new device. The
//! server stores only a keyed hash of it.

use std::net::IpAddr;

/// A device fingerprint, before hashing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub family: &'static str,
    pub network: String,
}

impl Device {
    pub fn new(user_agent: &str, ip: IpAddr) -> Self {
        Self { family: browser_family(user_agent), network: network_of(ip) }
    }

    /// The bytes the device hash is computed over.
    pub fn canonical(&self) -> String {
        format!("{}|{}", self.family, self.network)
    }
}

/// The browser or client family named by a user agent. Order matters: Edge and Opera also say
/// "Chrome", Chrome also says "Safari".
pub fn browser_family(user_agent: &str) -> &'static str {
    const FAMILIES: [(&str, &str); 9] = [
        ("Edg/", "edge"),
        ("OPR/", "opera"),
        ("Firefox/", "firefox"),
        ("Chrome/", "chrome"),
        ("Chromium/", "chrome"),
        ("Safari/", "safari"),
        ("curl/", "curl"),
        ("python", "python"),
        ("okhttp", "okhttp"),
    ];
    FAMILIES
        .iter()
        .find(|(marker, _)| user_agent.contains(marker))
        .map_or("other", |(_, family)| family)
}

fn network_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => network_of(IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
    const EDGE: &str =
        "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0";
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    #[test]
    fn browsers_are_told_apart_by_family_not_version() {
        assert_eq!(browser_family(CHROME), "chrome");
        assert_eq!(browser_family(EDGE), "edge");
        assert_eq!(browser_family(FIREFOX), "firefox");
        assert_eq!(browser_family(""), "other");
    }

    #[test]
    fn addresses_in_one_network_are_one_device() {
        let a = Device::new(CHROME, "203.0.113.7".parse().unwrap());
        let b = Device::new(CHROME, "203.0.113.200".parse().unwrap());
        let c = Device::new(CHROME, "203.0.114.7".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        let v6 = Device::new(FIREFOX, "2001:db8:1:2::9".parse().unwrap());
        assert_eq!(v6.network, "2001:db8:1::/48");
        let mapped = Device::new(CHROME, "::ffff:203.0.113.9".parse().unwrap());
        assert_eq!(mapped, a);
    }
}
