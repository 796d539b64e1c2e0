//! The real-time socket protocol (raw WebSocket, JSON text frames).

use serde::{Deserialize, Serialize};

use crate::lead::{Lead, LeadSource};
use crate::routing::{Claim, Offer};

/// What a client sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    Authenticate {
        token: String,
        /// Our extension: replay the tenant's events after this sequence number, then go live.
        #[serde(rename = "resumeAfter", default, skip_serializing_if = "Option::is_none")]
        resume_after: Option<u64>,
    },
}

/// `auth_failure` codes of the deployed server.
pub mod failure {
    pub const INVALID_TOKEN: &str = "INVALID_TOKEN";
    pub const AUTH_ERROR: &str = "AUTH_ERROR";
}

/// What the server sends. Unknown event types decode as [`ServerMessage::Unknown`], so a newer
/// server never breaks an older client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ServerMessage {
    #[serde(rename = "auth_success")]
    AuthSuccess {
        #[serde(default)]
        message: String,
        /// Our extension: the tenant's latest sequence number. Its presence says the server can
        /// resume; the deployed server sends none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seq: Option<u64>,
        /// Our extension: the server routes new vendor leads (`lead_offered`, `lead_claimed`);
        /// a new lead rings a desktop only when it is offered to its rep.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        routing: bool,
    },
    #[serde(rename = "auth_failure")]
    AuthFailure {
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
    },
    #[serde(rename = "error")]
    Error { message: String },
    #[serde(rename = "new_lead_notification")]
    NewLead {
        data: NewLeadNotification,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timestamp: Option<String>,
        /// Our extension: the event's per-tenant sequence number (monotonically increasing).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seq: Option<u64>,
    },
    #[serde(rename = "LEAD_NOTES_UPDATED")]
    LeadNotesUpdated {
        #[serde(rename = "leadId")]
        lead_id: String,
        /// As written; `null` when they were cleared.
        #[serde(default)]
        notes: Option<String>,
        #[serde(rename = "updatedAt", default, skip_serializing_if = "Option::is_none")]
        updated_at: Option<String>,
    },
    /// Ours: who a lead is offered to now (it moved on, went to everyone, or is resent to a
    /// socket that just signed in).
    #[serde(rename = "lead_offered")]
    LeadOffered { data: OfferNotification },
    /// Ours: a rep claimed a lead; every other desktop withdraws it. A change of the lead, so it
    /// has a sequence number.
    #[serde(rename = "lead_claimed")]
    LeadClaimed {
        data: ClaimNotification,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seq: Option<u64>,
    },
    /// Ours: a resuming socket has been sent everything it missed and every offer still open.
    #[serde(rename = "caught_up")]
    CaughtUp,
    #[serde(other)]
    Unknown,
}

/// The `data` of a `new_lead_notification`. `lead` is our server's additive extension: the whole
/// lead, so a client need not fetch it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewLeadNotification {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_id: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default)]
    pub is_new: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_stub: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<Box<Lead>>,
    /// Ours: who a routed lead is offered to as it arrives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<Offer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferNotification {
    pub lead_id: String,
    pub offer: Offer,
    /// The lead, whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<Box<Lead>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimNotification {
    pub lead_id: String,
    pub claim: Claim,
    /// The lead as it is now, owned by the claimer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<Box<Lead>>,
}

impl NewLeadNotification {
    /// The event for a stored lead (our server's shape: with its id and the whole lead).
    pub fn for_lead(lead: Lead, is_new: bool, process_ms: Option<f64>) -> Self {
        NewLeadNotification {
            lead_id: Some(lead.id.clone()),
            name: lead.name.clone(),
            source: lead.source.map(|s| s.as_str().to_owned()),
            is_new,
            process_ms,
            phone: lead.phone.clone(),
            is_stub: None,
            lead: Some(Box::new(lead)),
            offer: None,
        }
    }

    /// A new lead announced with its id: not an update, and not the id-less stub the deployed
    /// server sends ahead of the full event. Whether it alerts also depends on its source.
    pub fn is_new_lead(&self) -> bool {
        self.is_new && self.lead_id.is_some()
    }

    pub fn lead_source(&self) -> Option<LeadSource> {
        self.source.as_deref().and_then(LeadSource::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_deployed_shapes() {
        let m: ServerMessage = serde_json::from_str(
            r#"{"type":"new_lead_notification","data":{"leadId":"1","name":"Ann","source":"NextGen","isNew":true,"processMs":4.5},"timestamp":"2024-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        let ServerMessage::NewLead { data, .. } = m else { panic!("{m:?}") };
        assert!(data.is_new_lead());
        assert_eq!(data.lead_source(), Some(LeadSource::NextGen));

        let stub: ServerMessage = serde_json::from_str(
            r#"{"type":"new_lead_notification","data":{"name":"Ann","source":"NextGen","isNew":true,"isStub":true}}"#,
        )
        .unwrap();
        let ServerMessage::NewLead { data, .. } = stub else { panic!() };
        assert!(!data.is_new_lead(), "the id-less stub is not the lead");

        let csv: ServerMessage = serde_json::from_str(
            r#"{"type":"new_lead_notification","data":{"leadId":"555","name":"B","source":"CSV Import","isNew":true}}"#,
        )
        .unwrap();
        let ServerMessage::NewLead { data, .. } = csv else { panic!() };
        assert_eq!(data.lead_source(), Some(LeadSource::CsvImport));
    }

    #[test]
    fn unknown_types_do_not_fail() {
        let m: ServerMessage = serde_json::from_str(r#"{"type":"SOMETHING_NEW","x":1}"#).unwrap();
        assert_eq!(m, ServerMessage::Unknown);
    }

    #[test]
    fn client_message_shape() {
        let s = serde_json::to_string(&ClientMessage::Authenticate { token: "t".into(), resume_after: None }).unwrap();
        assert_eq!(s, r#"{"type":"authenticate","token":"t"}"#, "the deployed server's shape");
        let s =
            serde_json::to_string(&ClientMessage::Authenticate { token: "t".into(), resume_after: Some(7) }).unwrap();
        assert_eq!(s, r#"{"type":"authenticate","token":"t","resumeAfter":7}"#);
    }
}
