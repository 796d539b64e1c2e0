//! The commands the UI may call, one module per feature: a few lines over the engine each, and
//! the types that feature's commands take and answer, beside them. `list.rs` names them all.

pub mod admin;
pub mod agency;
pub mod alerts;
pub mod app;
pub mod auth;
pub mod calls;
pub mod followups;
pub mod import;
pub mod leads;
pub mod routing;
pub mod settings;
pub mod textdrip;

macro_rules! commands {
    ($($module:ident::$name:ident),* $(,)?) => {
        /// Registers every command of `list.rs`.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }

        /// Their names, as the UI invokes them.
        #[cfg(test)]
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}
include!("list.rs");

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use ts_rs::TS;

    use super::*;
    use crate::error::{AppError, ErrorCode};

    const ROOT: &str = env!("CARGO_MANIFEST_DIR");

    fn read(path: &str) -> String {
        std::fs::read_to_string(format!("{ROOT}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn the_capability_file_and_the_ui_name_exactly_the_commands_registered() {
        let names: BTreeSet<String> = NAMES.iter().map(|n| (*n).to_owned()).collect();
        assert_eq!(names.len(), NAMES.len(), "a command is listed twice");

        let capability: serde_json::Value = serde_json::from_str(&read("src-tauri/capabilities/default.json")).unwrap();
        let allowed: BTreeSet<String> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        assert_eq!(allowed, names, "src-tauri/capabilities/default.json allows other commands than list.rs names");

        // ui/src/lib/api.ts is the only module that invokes, always as `call<T>('name', …)`.
        let api = read("ui/src/lib/api.ts");
        let invoked: BTreeSet<String> = api
            .split("call<")
            .skip(1)
            .filter_map(|rest| rest.split_once(">('")?.1.split_once('\'').map(|(name, _)| name.to_owned()))
            .collect();
        assert_eq!(invoked, names, "ui/src/lib/api.ts calls other commands than list.rs names");
    }

    const BINDINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/lib/bindings.ts");
    const HEADER: &str = "// Generated from Rust by the `bindings_are_fresh` test in src-tauri; do not edit by hand.\n";

    fn generated() -> String {
        use crate::live::*;
        use admin::*;
        use agency::*;
        use alerts::*;
        use app::*;
        use auth::*;
        use calls::*;
        use followups::*;
        use import::*;
        use leads::*;
        use routing::*;
        use settings::*;
        use textdrip::*;
        let mut decls = vec![
            AppError::decl(),
            ErrorCode::decl(),
            AppInfo::decl(),
            ConnectionState::decl(),
            ConnectionStatus::decl(),
            Latency::decl(),
            LeadEvent::decl(),
            ClaimEvent::decl(),
            Withdrawal::decl(),
            AlertHush::decl(),
            DemoAccount::decl(),
            Role::decl(),
            SessionInfo::decl(),
            UserInfo::decl(),
            DispositionOption::decl(),
            EditEntry::decl(),
            EditStatus::decl(),
            EditableField::decl(),
            FieldChange::decl(),
            FacetValue::decl(),
            ZoneFacet::decl(),
            CallingHours::decl(),
            Exported::decl(),
            NotesDraft::decl(),
            NewLeadInput::decl(),
            ProfileInfo::decl(),
            FieldGroup::decl(),
            FieldRow::decl(),
            LeadDetail::decl(),
            LeadList::decl(),
            LeadRow::decl(),
            ClaimInfo::decl(),
            ListFacets::decl(),
            ListQuery::decl(),
            ListSort::decl(),
            SyncStatus::decl(),
            AlertPanel::decl(),
            AlertSettings::decl(),
            AlertSound::decl(),
            AudioHealth::decl(),
            ImportCounts::decl(),
            ImportField::decl(),
            ImportPhase::decl(),
            ImportPreview::decl(),
            ImportProgress::decl(),
            ImportResult::decl(),
            ImportRow::decl(),
            ReasonCount::decl(),
            TextEncoding::decl(),
            TextPreview::decl(),
            TextSent::decl(),
            TextTemplate::decl(),
            TextdripCampaign::decl(),
            TextdripContact::decl(),
            TextdripSender::decl(),
            TextdripState::decl(),
            TextdripStatus::decl(),
            Invitation::decl(),
            LastLead::decl(),
            NextGenCredentials::decl(),
            NextGenInfo::decl(),
            TeamMember::decl(),
            AppSettings::decl(),
            LogLevel::decl(),
            UpdateState::decl(),
            UpdateStatus::decl(),
            RoutingMode::decl(),
            RoutingInfo::decl(),
            TeamPresence::decl(),
            OfferInfo::decl(),
            ClaimResult::decl(),
            SpeedLine::decl(),
            SpeedTable::decl(),
            CallSummary::decl(),
            CallPanel::decl(),
            CallEntry::decl(),
            PlacedCall::decl(),
            OutcomeOption::decl(),
            CallDesk::decl(),
            FollowUpRow::decl(),
            FollowUpBoard::decl(),
            PresetOption::decl(),
            LeadFollowUps::decl(),
            CallbackDue::decl(),
        ];
        decls.sort();
        let body: Vec<String> = decls.iter().map(|d| format!("export {d}\n")).collect();
        format!("{HEADER}\n{}", body.join("\n"))
    }

    /// Fails when ui/src/lib/bindings.ts is not what the Rust types generate.
    /// `UPDATE_BINDINGS=1 cargo test -p crokodial-desktop bindings` rewrites it.
    #[test]
    fn bindings_are_fresh() {
        let want = generated();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(BINDINGS, &want).unwrap();
        }
        let have = std::fs::read_to_string(BINDINGS).unwrap_or_default();
        assert!(have == want, "ui/src/lib/bindings.ts is stale; run with UPDATE_BINDINGS=1.\n--- generated:\n{want}");
    }
}
