//! The e-mail anyone can make Rampart send — a registration's link or notice, a password reset
//! link — is limited per hour, per address it goes to and per client asking, counted in the
//! database so every instance holds the same count. Over a limit the request gets the same
//! answer as any other and no mail goes out; the first refusal of each window is audited
//! (`mail_limited`), the rest only counted, so a flood does not grow the trail either.

use rampart_domain::{AuditAction, Email};
use rampart_store::mail_requests::count_mail_request;
use time::Duration;

use super::AccountError;
use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::unit_of_work::record;

/// Mails to one address per hour: enough to retry a lost link a few times.
pub const PER_ADDRESS_PER_HOUR: i64 = 5;
/// Mails asked for by one client address per hour (an office behind one address registers a few
/// people; a script does not get further).
pub const PER_CLIENT_PER_HOUR: i64 = 20;
const WINDOW: Duration = Duration::hours(1);
/// What the blind index of an address is computed over here: its own context, so this table
/// cannot be joined to `users` or to the sign-in counters.
const ADDRESS_CONTEXT: &str = "mail_requests.address";

/// Counts a request to mail `email` from `client`; `true` when both the address's and the
/// client's hour allow it.
pub(super) async fn mail_allowed(
    state: &AppState,
    email: &Email,
    client: &ClientContext,
) -> Result<bool, AccountError> {
    let now = state.clock.now();
    let window_start = rampart_domain::clock::window_start(now, WINDOW);
    let keyring = state.keyring.current();
    let address = keyring.blind_index(ADDRESS_CONTEXT, email.normalized().as_bytes())?;
    let ip = client.ip.to_canonical().to_string();
    let to_address =
        count_mail_request(&state.db, "address", &address.digest, window_start).await?;
    let from_client = count_mail_request(&state.db, "client", ip.as_bytes(), window_start).await?;
    let limits = [
        ("address", to_address, PER_ADDRESS_PER_HOUR),
        ("client", from_client, PER_CLIENT_PER_HOUR),
    ];
    let mut allowed = true;
    for (limit, count, most) in limits {
        if count > most {
            allowed = false;
            if count == most + 1 {
                record(
                    state,
                    AuditEvent::failure(AuditAction::MailLimited)
                        .client(client)
                        .detail("limit", limit),
                )
                .await?;
            }
        }
    }
    Ok(allowed)
}
