//! Enrichment: what the vendor did not send, derived after the fast path has stored and
//! announced the lead, then announced as an update of the same lead (`isNew: false`, no alert).
//! Leads queue here and are written in batches, one transaction each, so under load enrichment
//! costs one commit per batch and holds the ordering lock only briefly.

use std::sync::{Arc, Mutex};

use crokodial_core::Lead;
use tokio::sync::mpsc;

use crate::hub::Hub;
use crate::routes::lead_event;
use crate::store::{self, Store};

/// At most this many leads a batch: the fast path waits for the ordering lock meanwhile.
const BATCH: usize = 32;

#[derive(Clone)]
pub struct Enricher {
    queue: mpsc::UnboundedSender<(String, String)>,
}

/// The time zone a lead with a state lacks: its ZIP code's (which tells the two halves of a split
/// state apart), else its state's. A lead without a state is placed by the apps themselves
/// (`core::textdrip::lead_zone`), from its ZIP code or phone.
fn missing_zone(lead: &Lead) -> Option<&'static str> {
    let state = lead.state.as_deref().filter(|_| lead.time_zone.is_none())?;
    crokodial_core::tz::for_lead(lead.zipcode.as_deref(), Some(state), None)
}

/// Fills in what can be derived from the lead itself; true if anything changed.
pub fn derive(lead: &mut Lead) -> bool {
    let Some(zone) = missing_zone(lead) else { return false };
    lead.time_zone = Some(zone.to_owned());
    true
}

impl Enricher {
    /// Starts the enrichment task on the current runtime. `in_order` is the lock that keeps a
    /// tenant's events in sequence order (see `AppState::in_order`).
    pub fn start(store: Arc<dyn Store>, hub: Hub, in_order: Arc<Mutex<()>>) -> Self {
        let (queue, mut rx) = mpsc::unbounded_channel::<(String, String)>();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match rx.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (hub, in_order) = (hub.clone(), in_order.clone());
                let done = store::run(&store, move |s| {
                    let _in_order = in_order.lock().unwrap_or_else(|p| p.into_inner());
                    let changes = s.edit_leads(&batch, &mut derive)?;
                    for change in &changes {
                        let tenant = change.lead.tenant_id.as_deref().unwrap_or_default();
                        hub.broadcast(tenant, &lead_event(change, false, None));
                    }
                    Ok(changes.len())
                })
                .await;
                if let Err(e) = done {
                    tracing::warn!(error = %e, "enriching leads failed");
                }
            }
        });
        Enricher { queue }
    }

    /// Queues `lead` for enrichment if there is anything to derive.
    pub fn enqueue(&self, tenant: &str, lead: &Lead) {
        if missing_zone(lead).is_some() {
            let _ = self.queue.send((tenant.to_owned(), lead.id.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_the_time_zone_once() {
        let mut lead = Lead { state: Some("IL".into()), ..Lead::default() };
        assert!(derive(&mut lead));
        assert_eq!(lead.time_zone.as_deref(), Some("America/Chicago"));
        assert!(!derive(&mut lead), "nothing left to derive");
        assert!(!derive(&mut Lead::default()), "no state, no zone");
        let mut el_paso = Lead { state: Some("TX".into()), zipcode: Some("79901".into()), ..Lead::default() };
        assert!(derive(&mut el_paso));
        assert_eq!(el_paso.time_zone.as_deref(), Some("America/Denver"), "its ZIP code, not Texas's Central time");
    }
}
