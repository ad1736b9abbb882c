//! Every route declares who may call it. The public ones are listed here on purpose: adding a
//! route anyone may call without signing in must be a visible decision in review.

use rampart_server::routes::{Access, table};

#[test]
fn the_public_routes_are_exactly_the_allowlist() {
    let mut public: Vec<&str> = table()
        .declared()
        .iter()
        .filter(|route| route.access == Access::Public)
        .map(|route| route.path)
        .collect();
    public.sort_unstable();

    assert_eq!(public, ["/healthz", "/readyz"]);
}
