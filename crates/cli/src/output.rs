//! Human-readable lines. Lead text comes from vendors: control characters are escaped so a
//! hostile name cannot drive the terminal.

use crokodial_client::account::Arrival;
use crokodial_client::account::Routed;
use crokodial_client::cache::{CallCount, CallState, EditState, ImportState, QueuedCall, QueuedEdit, QueuedImport};
use crokodial_client::feed::Change;
use crokodial_client::import::Checked;
use crokodial_client::settings::{AlertSettings, Hush};
use crokodial_client::socket::ConnectionState;
use crokodial_client::sync::{PushReport, SyncMode, SyncReport};
use crokodial_core::followups::FollowUp;
use crokodial_core::routing::{RoutingMode, RoutingView, SpeedReport, SpeedRow};
use crokodial_core::ws::NewLeadNotification;
use crokodial_core::Lead;

/// Escapes control characters (ANSI escapes, newlines) in untrusted text.
pub fn safe(text: &str) -> String {
    text.chars().flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect()
}

fn opt(v: Option<&str>) -> String {
    safe(v.unwrap_or("-"))
}

pub fn lead_line(lead: &Lead) -> String {
    let received = lead.created_at.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "-".into());
    format!(
        "{received}  {:<28}  {:<12}  {:<2}  {:<14}  {}",
        safe(&lead.name),
        opt(lead.phone.as_deref()),
        opt(lead.state.as_deref()),
        lead.source.map(|s| s.as_str()).unwrap_or("-"),
        opt(lead.disposition.as_deref()),
    )
}

/// Every field the lead has, one per line.
pub fn lead_detail(lead: &Lead) -> String {
    let mut out = String::new();
    for (key, v) in lead.filled_fields() {
        let text = match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        out.push_str(&format!("{key:<22} {}\n", safe(&text)));
    }
    out
}

/// The lead's clock as `lead --json` adds it: its time, today's hours and the rules they come
/// from (with the attempts a day they allow, where capped).
pub fn clock_json(c: &crokodial_core::calling::Window) -> serde_json::Value {
    serde_json::json!({
        "zone": c.zone,
        "localTime": c.local_time,
        "hours": c.hours,
        "callableNow": c.open,
        "rules": c.rules.name,
        "source": c.rules.source,
        "attemptsPerDay": c.rules.attempts_per_day,
    })
}

/// A lead's calls in short: "3 calls, last 2026-12-07 15:04 (voicemail)".
pub fn call_count(c: &CallCount) -> String {
    let mut out = match c.count {
        0 => "none".to_owned(),
        1 => "1 call".to_owned(),
        n => format!("{n} calls"),
    };
    if let Some(at) = c.last_at {
        out.push_str(&format!(", last {}", at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")));
    }
    if let Some(o) = c.last_outcome {
        out.push_str(&format!(" ({})", o.as_str()));
    }
    out
}

/// A call just recorded: when, which lead, how it went, where it stands, and the lead's count.
pub fn call_line(q: &QueuedCall, count: &CallCount) -> String {
    let at = q.call.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S");
    let outcome = q.call.outcome.map_or("no outcome", |o| o.as_str());
    let state = match q.state {
        CallState::Pending => "pending".to_owned(),
        CallState::Synced => "synced".to_owned(),
        CallState::Failed => format!("failed: {}", safe(q.detail.as_deref().unwrap_or_default())),
    };
    format!("{at}  {}  {}  {outcome}  {state}  ({})", safe(&q.call.lead_id), q.call.phone, call_count(count))
}

/// A callback (due time on this computer's clock, and the lead's) or a pinned lead.
pub fn followup_line(f: &FollowUp, lead: Option<&Lead>) -> String {
    let name = safe(lead.map_or("", |l| l.name.as_str()));
    let Some(due) = f.due else { return format!("pinned            {}  {name}", safe(&f.lead_id)) };
    let here = due.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M");
    let zone = lead.and_then(crokodial_core::textdrip::lead_tz);
    let there = zone.map(|z| format!(" ({} there)", crokodial_core::followups::describe(due, z))).unwrap_or_default();
    let note = f.note.as_deref().map(|n| format!(": {}", safe(n))).unwrap_or_default();
    format!("{here}{there}  {}  {name}{note}", safe(&f.lead_id))
}

/// One edit of the outbox: when, which lead, what, and where it stands.
pub fn edit_line(q: &QueuedEdit) -> String {
    let what: Vec<String> = q.fields.iter().map(|(f, v)| format!("{}={:?}", f.as_str(), safe(v))).collect();
    let state = match q.state {
        EditState::Pending => "pending".to_owned(),
        EditState::Synced => "synced".to_owned(),
        EditState::Conflict | EditState::Failed => {
            let word = if q.state == EditState::Conflict { "conflict" } else { "failed" };
            format!("{word}: {}", safe(q.detail.as_deref().unwrap_or_default()))
        }
    };
    let made = q.made_at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S");
    format!("{made}  {}  {}  {state}", safe(&q.lead_id), what.join(" "))
}

/// A lead from the feed: `NEW source name phone id`, and why it did not alert, if it did not.
pub fn arrival_line(a: &Arrival) -> String {
    let l = &a.lead;
    let mut line = format!(
        "NEW {}  {}  {}  {}",
        l.source.map(|s| s.as_str()).unwrap_or("-"),
        safe(&l.name),
        opt(l.phone.as_deref()),
        safe(&l.id)
    );
    if let Some(why) = &a.unannounced {
        line.push_str(&format!("  (not alerted: {})", safe(&why.to_string())));
    }
    line
}

/// A claim, an offer withdrawn, or what came while away, as a line of text or JSON.
pub fn routed_line(routed: &Routed, me: &str, json: bool) -> Option<String> {
    Some(match routed {
        Routed::Claimed(lead) => {
            let claim = lead.claim.as_ref()?;
            let mine = claim.by == me;
            if json {
                serde_json::json!({"type": "claim", "leadId": lead.id, "by": claim.by, "name": claim.name,
                                   "at": claim.at, "mine": mine})
                .to_string()
            } else {
                let who = if mine { "you".to_owned() } else { safe(&claim.name) };
                format!("CLAIMED {}  {}  by {who}", safe(&lead.name), safe(&lead.id))
            }
        }
        Routed::Withdrawn { lead_id, to } if json => {
            serde_json::json!({"type": "withdrawn", "leadId": lead_id, "to": to}).to_string()
        }
        Routed::Withdrawn { lead_id, to } => format!("GONE {}  offered to {} now", safe(lead_id), safe(to)),
        Routed::Missed(leads) if json => {
            let leads: Vec<_> = leads
                .iter()
                .map(|l| serde_json::json!({"leadId": l.id, "name": l.name, "claimedBy": l.claim.as_ref().map(|c| &c.name)}))
                .collect();
            serde_json::json!({"type": "missed", "leads": leads}).to_string()
        }
        Routed::Missed(leads) => {
            let open = leads.iter().filter(|l| l.claim.is_none()).count();
            let mut out = format!("WHILE YOU WERE AWAY {} leads came; {open} unclaimed", leads.len());
            for l in leads {
                let state =
                    l.claim.as_ref().map_or("unclaimed".to_owned(), |c| format!("claimed by {}", safe(&c.name)));
                out.push_str(&format!("\n  {}  {}  {state}", safe(&l.name), safe(&l.id)));
            }
            out
        }
    })
}

/// The team's routing, and who is available.
pub fn routing_view(v: &RoutingView) -> String {
    let s = &v.settings;
    let mode = match s.mode {
        RoutingMode::Everyone => {
            "everyone: every available rep is offered each lead; the first to claim owns it".into()
        }
        RoutingMode::RoundRobin => format!(
            "round robin: one available rep at a time for {} s, then everyone after {} s",
            s.offer_seconds, s.pool_after_seconds
        ),
        RoutingMode::Owner => {
            format!("owner: every lead is offered to {}", safe(v.owner_name.as_deref().unwrap_or("-")))
        }
    };
    let mut out = format!("routing:  {mode}\nyou:      {}\n", if v.available { "available" } else { "away" });
    for p in &v.team {
        let state = match (p.available, p.connected) {
            (true, true) => "available, connected",
            (true, false) => "available, not connected",
            (false, _) => "away",
        };
        out.push_str(&format!("  {:<28} {state}\n", safe(&p.name)));
    }
    out
}

fn ms(v: Option<u64>) -> String {
    v.map_or("-".into(), |ms| format!("{:.1} s", ms as f64 / 1000.0))
}

/// The speed-to-lead report as two tables.
pub fn speed_report(r: &SpeedReport) -> String {
    let table = |title: &str, rows: &[SpeedRow]| {
        let mut out =
            format!("{title:<28} {:>8} {:>8} {:>10} {:>10} {:>10}\n", "offered", "claimed", "timed out", "p50", "p95");
        for row in rows {
            out.push_str(&format!(
                "{:<28} {:>8} {:>8} {:>10} {:>10} {:>10}\n",
                safe(&row.label),
                row.offered,
                row.claimed,
                row.timed_out,
                ms(row.claim_p50_ms),
                ms(row.claim_p95_ms)
            ));
        }
        out
    };
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M");
    format!(
        "Speed to lead, {} to {} (time from arrival to claim)\n\n{}\n{}\n{} leads unclaimed\n",
        local(r.since),
        local(r.until),
        table("Rep", &r.reps),
        table("Vendor", &r.vendors),
        r.unclaimed
    )
}

/// A lead from the feed as one JSON line; `lead` has the socket event's shape.
pub fn arrival_json(a: &Arrival) -> serde_json::Value {
    let hush = a.hush.map(|h| match h {
        Hush::Muted { .. } => "muted",
        Hush::QuietHours => "quiet hours",
    });
    let event = NewLeadNotification::for_lead(a.lead.clone(), a.is_new, a.latency.server_ms);
    serde_json::json!({
        "type": "lead",
        "lead": event,
        "announce": a.announce,
        "alert": a.alert.is_some(),
        "hush": hush,
        "notAlerted": a.unannounced.as_ref().map(ToString::to_string),
        "offeredTo": a.offer.as_ref().map(|o| o.to.iter().map(|t| &t.id).collect::<Vec<_>>()),
    })
}

/// Leads changed elsewhere, as a line of text or JSON.
pub fn change_line(change: &Change, json: bool) -> String {
    match (json, change) {
        (true, Change::Notes { lead_id }) => serde_json::json!({"type": "notes", "leadId": lead_id}).to_string(),
        (true, Change::Uploaded { leads }) => serde_json::json!({"type": "upload", "leads": leads}).to_string(),
        (false, Change::Notes { lead_id }) => format!("NOTES {}", safe(lead_id)),
        (false, Change::Uploaded { leads }) => format!("UPLOAD {leads} leads added elsewhere"),
    }
}

/// What a sync did, a line for each part that has something to say.
pub fn sync_report(report: &SyncReport) -> String {
    let mut out = String::new();
    let how = match report.mode {
        SyncMode::Changes => "changes",
        SyncMode::Pages { full: true } => "every page",
        SyncMode::Pages { full: false } => "new pages",
    };
    let p = report.pushed;
    if p != PushReport::default() {
        out += &format!(
            "sent {} edits; {} conflicts, {} refused, {} kept for the next sync (see `crokodial outbox`)\n",
            p.synced, p.conflicts, p.failed, p.held
        );
    }
    let t = &report.tolerance;
    if !t.is_empty() {
        out += &format!(
            "{} values a field could not hold were kept as sent; {} records that are not leads were left out\n",
            t.set_aside.len(),
            t.refused.len()
        );
    }
    out += &format!(
        "synced {} leads ({how}) in {} ms; {} in the cache\n",
        report.fetched,
        report.took.as_millis(),
        report.cached
    );
    out
}

pub fn state_line(state: &ConnectionState) -> String {
    match state {
        ConnectionState::Connecting => "connecting…".into(),
        ConnectionState::Live => "live: waiting for leads".into(),
        ConnectionState::Listening => {
            "live beside this account's web app (it holds the signed-in connection): waiting for leads".into()
        }
        ConnectionState::Offline { reason, retrying: true } => format!("offline ({reason}); retrying"),
        ConnectionState::Offline { reason, retrying: false } => format!("offline ({reason})"),
        ConnectionState::AuthFailed { reason } => format!("session refused ({reason})"),
    }
}

/// The alert settings, one per line.
pub fn alert_settings(a: &AlertSettings, now: chrono::DateTime<chrono::Utc>) -> String {
    let sources: Vec<_> = a.sources.iter().map(|s| s.as_str()).collect();
    let muted = match a.muted_at(now) {
        Some(until) => format!("until {}", until.with_timezone(&chrono::Local).format("%H:%M")),
        None => "no".into(),
    };
    format!(
        "sound:        {}\nvolume:       {}%\noutput:       {}\nquiet hours:  {}\nmuted:        {muted}\nalert for:    {}\n",
        a.sound.name(),
        a.volume_percent(),
        safe(a.device.as_deref().unwrap_or("system default")),
        a.quiet_hours.map_or("off".into(), |q| q.to_string()),
        if sources.is_empty() { "nothing".into() } else { sources.join(", ") },
    )
}

/// What a checked import file holds.
pub fn checked(c: &Checked, errors: Option<&std::path::Path>) -> String {
    let t = &c.tally;
    let mut out = format!("{} file, {}", c.vendor.label(), c.encoding);
    if c.converted_rows > 0 {
        out.push_str(&format!(" ({} rows read as Windows-1252)", c.converted_rows));
    }
    out.push('\n');
    for (header, field) in &c.mapping {
        out.push_str(&format!("  {:<28} -> {}\n", safe(header), field.as_deref().unwrap_or("(not imported)")));
    }
    out.push_str(&format!(
        "{} rows: {} leads ({} repeat an earlier row), {} cannot be imported\n",
        t.rows, t.leads, t.duplicates, t.invalid
    ));
    for (reason, n) in &t.reasons {
        out.push_str(&format!("  {}: {n}\n", safe(reason)));
    }
    if let (Some(new), Some(updates)) = (c.new, c.updates) {
        out.push_str(&format!("{new} new, {updates} already among your leads (as last synced)\n"));
    }
    if let (Some(path), true) = (errors, t.invalid > 0) {
        out.push_str(&format!("The rows that cannot be imported, with why, are in {}\n", path.display()));
    }
    out
}

/// What became of an import on the server.
pub fn import_line(q: &QueuedImport) -> String {
    let s = q.stats;
    let counts = format!("{} new, {} updated, {} unchanged", s.imported, s.updated, s.unchanged);
    match q.state {
        ImportState::Sent => format!("Sent {} leads, tagged {:?}: {counts}", q.sent, safe(&q.tag)),
        ImportState::Pending => {
            format!("Queued: {} of {} leads sent so far ({counts}); the rest at the next sync", q.sent, q.leads)
        }
        ImportState::Reading => "Still being read".to_owned(),
        ImportState::Cancelled => format!("Cancelled after {} of {} leads ({counts})", q.sent, q.leads),
        ImportState::Failed => format!(
            "Refused by the server after {} of {} leads: {}",
            q.sent,
            q.leads,
            safe(q.detail.as_deref().unwrap_or("no reason given"))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_control() {
        assert_eq!(safe("Ann\x1b[2J\nLee"), "Ann\\u{1b}[2J\\nLee");
        assert_eq!(safe("<img src=x onerror=alert(1)>"), "<img src=x onerror=alert(1)>");
    }
}
