//! `/api/invitations`: staff invitations. A `users:manage` holder invites an address with roles
//! × departments (step-up, and only what they may grant), lists the pending invitations and
//! revokes one; the invitee accepts with the e-mailed link's token and a password, which makes
//! the account and signs it in (public, throttled per client). The rules are the use cases'
//! (`rampart_core::accounts::invitations`).

mod accept;
mod manage;

use rampart_domain::Permission;
use utoipa::OpenApi;

use super::{Access, RouteTable};

pub(super) fn routes() -> RouteTable {
    let manage = Access::Permission(Permission::UsersManage);
    RouteTable::new()
        .get("/api/invitations", manage, manage::list_invitations)
        .post("/api/invitations", manage, manage::create_invitation)
        .delete("/api/invitations/{id}", manage, manage::revoke_invitation)
        .post("/api/invitations/accept", Access::Public, accept::accept_invitation)
}

#[derive(OpenApi)]
#[openapi(paths(
    manage::list_invitations,
    manage::create_invitation,
    manage::revoke_invitation,
    accept::accept_invitation,
))]
pub(super) struct Api;
