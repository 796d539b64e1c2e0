//! Generates Tauri's context. Our commands get permissions of their own (`allow-<command>`), so
//! the capability file in src-tauri/capabilities is a real allow-list.

/// Every command the UI may call; keep in step with `commands::handler()`.
const COMMANDS: &[&str] = &[
    "app_info",
    "demo_accounts",
    "restore_session",
    "login",
    "logout",
    "list_leads",
    "list_facets",
    "dispositions",
    "lead_detail",
    "set_disposition",
    "save_notes",
    "edit_lead",
    "reapply_edit",
    "sync_status",
    "connection_state",
    "mark_seen",
    "open_link",
    "alert_panel",
    "save_alert_settings",
    "test_alert",
    "mute_alerts",
    "import_pick_file",
    "import_preview",
    "import_check",
    "import_save_mapping",
    "import_start",
    "import_cancel",
    "import_export_errors",
    "textdrip_status",
    "textdrip_connect",
    "textdrip_disconnect",
    "textdrip_campaigns",
    "text_templates",
    "save_text_templates",
    "textdrip_compose",
    "textdrip_send",
    "textdrip_contact",
    "textdrip_add_to_campaign",
    "admin_nextgen",
    "admin_nextgen_credentials",
    "admin_rotate_nextgen",
    "team_list",
    "team_invite",
    "team_renew_invite",
    "team_update",
    "accept_invite",
    "take_pending_lead",
    "app_settings",
    "save_app_settings",
    "export_diagnostics",
    "update_status",
    "check_for_update",
    "restart_to_update",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build");
}
