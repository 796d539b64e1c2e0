//! The commands the UI may call, one module per feature. Each is a few lines over the engine.
//! Keep the list in step with `COMMANDS` in build.rs and the capability file.

mod admin;
pub mod alerts;
mod app;
mod auth;
mod import;
mod leads;
mod settings;
mod textdrip;

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app::app_info,
        app::connection_state,
        auth::demo_accounts,
        auth::restore_session,
        auth::login,
        auth::logout,
        leads::list_leads,
        leads::list_facets,
        leads::dispositions,
        leads::lead_detail,
        leads::set_disposition,
        leads::save_notes,
        leads::edit_lead,
        leads::reapply_edit,
        leads::sync_status,
        alerts::alert_panel,
        alerts::save_alert_settings,
        alerts::test_alert,
        alerts::mute_alerts,
        app::mark_seen,
        app::open_link,
        import::import_pick_file,
        import::import_preview,
        import::import_check,
        import::import_save_mapping,
        import::import_start,
        import::import_cancel,
        import::import_export_errors,
        textdrip::textdrip_status,
        textdrip::textdrip_connect,
        textdrip::textdrip_disconnect,
        textdrip::textdrip_campaigns,
        textdrip::text_templates,
        textdrip::save_text_templates,
        textdrip::textdrip_compose,
        textdrip::textdrip_send,
        textdrip::textdrip_contact,
        textdrip::textdrip_add_to_campaign,
        admin::admin_nextgen,
        admin::admin_nextgen_credentials,
        admin::admin_rotate_nextgen,
        admin::team_list,
        admin::team_invite,
        admin::team_renew_invite,
        admin::team_update,
        admin::accept_invite,
        app::take_pending_lead,
        settings::app_settings,
        settings::save_app_settings,
        settings::export_diagnostics,
        settings::update_status,
        settings::check_for_update,
        settings::restart_to_update,
    ]
}
