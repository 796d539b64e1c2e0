// The only module that talks to the Rust side. Every command rejects with an AppError.
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import type {
  AlertPanel,
  AlertSound,
  AlertSettings,
  AppInfo,
  AudioHealth,
  AppSettings,
  CallDesk,
  CallbackDue,
  FollowUpBoard,
  ClaimEvent,
  ClaimResult,
  ConnectionState,
  DemoAccount,
  DispositionOption,
  Exported,
  FieldChange,
  ImportCounts,
  ImportPreview,
  ImportProgress,
  ImportResult,
  Invitation,
  LeadDetail,
  LeadEvent,
  LeadFollowUps,
  LeadList,
  LeadRow,
  ListFacets,
  ListQuery,
  NextGenCredentials,
  NewLeadInput,
  NextGenInfo,
  PlacedCall,
  ProfileInfo,
  Role,
  RoutingInfo,
  RoutingMode,
  SessionInfo,
  SpeedTable,
  SyncStatus,
  TeamMember,
  TextPreview,
  TextSent,
  TextTemplate,
  TextdripCampaign,
  TextdripContact,
  TextdripStatus,
  UpdateStatus,
  Withdrawal,
} from './bindings';
import { toAppError } from './errors';

export type { UnlistenFn };

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toAppError(e);
  }
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>('app_info');
}

export function demoAccounts(serverUrl: string): Promise<DemoAccount[]> {
  return call<DemoAccount[]>('demo_accounts', { serverUrl });
}

export function restoreSession(): Promise<SessionInfo | null> {
  return call<SessionInfo | null>('restore_session');
}

export function login(serverUrl: string, email: string, password: string): Promise<SessionInfo> {
  return call<SessionInfo>('login', { serverUrl, email, password });
}

export function logout(): Promise<null> {
  return call<null>('logout');
}

/** Signs in with an admin's one-time invite code, setting the password: a session, as `login` gives. */
export function acceptInvite(serverUrl: string, email: string, code: string, password: string): Promise<SessionInfo> {
  return call<SessionInfo>('accept_invite', { serverUrl, email, code, password });
}

/** One window of the list (from the local cache, which works offline), how many match, and when it synced. */
export function listLeads(query: ListQuery): Promise<LeadList> {
  return call<LeadList>('list_leads', { query });
}

/** The filter choices, with counts, from the cached leads. */
export function listFacets(): Promise<ListFacets> {
  return call<ListFacets>('list_facets');
}

/** The tenant's dispositions, in its order. */
export function dispositions(): Promise<DispositionOption[]> {
  return call<DispositionOption[]>('dispositions');
}

export function leadDetail(id: string): Promise<LeadDetail> {
  return call<LeadDetail>('lead_detail', { id });
}

/** Kept locally at once (pending) and sent when online; answers the lead as it is now. */
export function setDisposition(id: string, disposition: string): Promise<LeadDetail> {
  return call<LeadDetail>('set_disposition', { id, disposition });
}

/** Replaces the lead's notes ("" clears them); kept and sent like a disposition. */
export function saveNotes(id: string, notes: string): Promise<LeadDetail> {
  return call<LeadDetail>('save_notes', { id, notes });
}

/**
 * Changes the lead's contact and personal fields (`EditableField.field` names); kept and sent
 * like a disposition. An empty value changes nothing (as on the server), so send only real changes.
 */
export function editLead(id: string, changes: FieldChange[]): Promise<LeadDetail> {
  return call<LeadDetail>('edit_lead', { id, changes });
}

/** Applies a conflicting edit's values again over the server's: a new pending edit. */
export function reapplyEdit(id: string, key: string): Promise<LeadDetail> {
  return call<LeadDetail>('reapply_edit', { id, key });
}

/** The cache and the edits not yet on the server. */
/** Writes the leads the query chooses (all of them, in its order) to a CSV file the rep picks;
 * null when they cancelled. */
export function exportLeads(query: ListQuery): Promise<Exported | null> {
  return call<Exported | null>('export_leads', { query });
}

/** Keeps the notes being typed on a lead (call it at each pause in typing). */
export function keepNoteDraft(id: string, text: string): Promise<null> {
  return call<null>('keep_note_draft', { id, text });
}

/** Throws a lead's notes draft away (the rep kept the saved notes). */
export function dropNoteDraft(id: string): Promise<null> {
  return call<null>('drop_note_draft', { id });
}

/** Admins: adds a disposition (last); answers the list. */
export function addDisposition(name: string, color: string, emoji: string | null): Promise<DispositionOption[]> {
  return call<DispositionOption[]>('add_disposition', { name, color, emoji });
}

/** Admins: renames, recolours or changes the emoji of a disposition (null: kept); answers the list. */
export function changeDisposition(
  id: string,
  change: { name?: string | null; color?: string | null; emoji?: string | null },
): Promise<DispositionOption[]> {
  return call<DispositionOption[]>('change_disposition', {
    id,
    name: change.name ?? null,
    color: change.color ?? null,
    emoji: change.emoji ?? null,
  });
}

/** Admins: puts the dispositions in this order of ids; answers the list. */
export function reorderDispositions(ids: string[]): Promise<DispositionOption[]> {
  return call<DispositionOption[]>('reorder_dispositions', { ids });
}

export function removeDisposition(id: string): Promise<DispositionOption[]> {
  return call<DispositionOption[]>('remove_disposition', { id });
}

/** Admins: a lead typed in by hand, for themselves; answers its row. */
export function createLead(lead: NewLeadInput): Promise<LeadRow> {
  return call<LeadRow>('create_lead', { lead });
}

/** Admins (and on our server the lead's owner): deletes the lead everywhere. */
export function deleteLead(id: string): Promise<null> {
  return call<null>('delete_lead', { id });
}

/** The user's profile, and whether this server can change the password safely. */
export function profile(): Promise<ProfileInfo> {
  return call<ProfileInfo>('profile');
}

/** Changes the name, email or password (with the current one); null or empty values are kept. */
export function updateProfile(change: {
  name?: string | null;
  email?: string | null;
  password?: string | null;
  currentPassword?: string | null;
}): Promise<ProfileInfo> {
  return call<ProfileInfo>('update_profile', {
    name: change.name ?? null,
    email: change.email ?? null,
    password: change.password ?? null,
    currentPassword: change.currentPassword ?? null,
  });
}

export function syncStatus(): Promise<SyncStatus> {
  return call<SyncStatus>('sync_status');
}

/** The rep pressed Call: the attempt is kept before the phone app opens. */
export function recordCall(leadId: string): Promise<PlacedCall> {
  return call<PlacedCall>('record_call', { leadId });
}

/** How call `callId` went (an OutcomeOption's value), with an optional note. */
export function tellCallOutcome(callId: string, outcome: string, note: string | null): Promise<CallDesk> {
  return call<CallDesk>('tell_call_outcome', { callId, outcome, note });
}

/** Dials today, the call waiting for its outcome, and the outcomes to pick from. */
export function callDesk(): Promise<CallDesk> {
  return call<CallDesk>('call_desk');
}

/** Schedules a callback: a PresetOption's value, or a local date and time ("2026-12-08T09:30"). */
export function scheduleCallback(
  leadId: string,
  when: { preset: string } | { at: string },
  note: string | null,
): Promise<LeadFollowUps> {
  const preset = 'preset' in when ? when.preset : null;
  const at = 'at' in when ? when.at : null;
  return call<LeadFollowUps>('schedule_callback', { leadId, preset, at, note });
}

/** Puts a due callback off by ten minutes. */
export function snoozeCallback(id: string): Promise<FollowUpBoard> {
  return call<FollowUpBoard>('snooze_callback', { id });
}

/** Called back: done. */
export function finishCallback(id: string): Promise<FollowUpBoard> {
  return call<FollowUpBoard>('finish_callback', { id });
}

/** Removes a callback (or a pin, by its id). */
export function removeFollowup(id: string): Promise<FollowUpBoard> {
  return call<FollowUpBoard>('remove_followup', { id });
}

export function setPinned(leadId: string, pinned: boolean): Promise<FollowUpBoard> {
  return call<FollowUpBoard>('set_pinned', { leadId, pinned });
}

/** The Callbacks view and the follow-up strip: due, upcoming, done lately, pinned. */
export function followupBoard(): Promise<FollowUpBoard> {
  return call<FollowUpBoard>('followup_board');
}

/** A lead's callbacks, whether it is pinned, and the presets for it. */
export function leadFollowups(leadId: string): Promise<LeadFollowUps> {
  return call<LeadFollowUps>('lead_followups', { leadId });
}

export function connectionState(): Promise<ConnectionState> {
  return call<ConnectionState>('connection_state');
}

/** The alert settings with the choices the settings screen offers. */
export function alertPanel(): Promise<AlertPanel> {
  return call<AlertPanel>('alert_panel');
}

/** Rejects with `invalid_input` (and a message) for settings the engine refuses. */
export function saveAlertSettings(settings: AlertSettings): Promise<AlertPanel> {
  return call<AlertPanel>('save_alert_settings', { settings });
}

/** Plays an alert now (the saved sound and volume, unless given); rejects with `no_sound` when there is no sound output. */
export function testAlert(sound: AlertSound | null, volume: number | null): Promise<null> {
  return call<null>('test_alert', { sound, volume });
}

/** Mutes alert sounds for `minutes`; 0 unmutes. */
export function muteAlerts(minutes: number): Promise<AlertPanel> {
  return call<AlertPanel>('mute_alerts', { minutes });
}

/** The rep has seen the new leads: clears the unread count and the taskbar attention. */
export function markSeen(): Promise<null> {
  return call<null>('mark_seen');
}

// --- The app on this computer: start at login, updates, logs ---------------------------------

export function appSettings(): Promise<AppSettings> {
  return call<AppSettings>('app_settings');
}

/** Saves them and answers them as they are now; `updaterAvailable` is ignored. */
export function saveAppSettings(settings: AppSettings): Promise<AppSettings> {
  return call<AppSettings>('save_app_settings', { settings });
}

/**
 * Asks where to save a zip of the logs, versions and settings (never passwords or tokens), and
 * writes it: the path written, or null when cancelled.
 */
export function exportDiagnostics(): Promise<string | null> {
  return call<string | null>('export_diagnostics');
}

export function updateStatus(): Promise<UpdateStatus> {
  return call<UpdateStatus>('update_status');
}

/** Checks now; a new version is downloaded in the background and announced by `update-status` when ready. */
export function checkForUpdate(): Promise<UpdateStatus> {
  return call<UpdateStatus>('check_for_update');
}

/** Installs the downloaded update and restarts the app. */
export function restartToUpdate(): Promise<null> {
  return call<null>('restart_to_update');
}

/** Hands a tel: or mailto: link to the OS's phone or mail app (the webview cannot follow them). */
export function openLink(url: string): Promise<null> {
  return call<null>('open_link', { url });
}

/** Opens the system's file picker; null when cancelled. */
export function importPickFile(): Promise<string | null> {
  return call<string | null>('import_pick_file');
}

/** The file's first rows, the vendor recognised and the mapping proposed (a saved one first). */
export function importPreview(path: string): Promise<ImportPreview> {
  return call<ImportPreview>('import_preview', { path });
}

/** Reads the whole file under `mapping` and counts what it holds; nothing is sent. */
export function importCheck(path: string, mapping: (string | null)[]): Promise<ImportCounts> {
  return call<ImportCounts>('import_check', { path, mapping });
}

/** Keeps `mapping` under `name` for files with this file's headers. */
export function importSaveMapping(path: string, name: string, mapping: (string | null)[]): Promise<null> {
  return call<null>('import_save_mapping', { path, name, mapping });
}

/**
 * Imports the file under `mapping`, telling its progress; resolves when it finished or was
 * queued (offline), rejects when it failed or was cancelled.
 */
export async function importStart(
  path: string,
  mapping: (string | null)[],
  onProgress: (progress: ImportProgress) => void,
): Promise<ImportResult> {
  let channel: Channel<ImportProgress>;
  try {
    channel = new Channel<ImportProgress>();
  } catch (e) {
    throw toAppError(e);
  }
  channel.onmessage = onProgress;
  return call<ImportResult>('import_start', { path, mapping, onProgress: channel });
}

/** Cancels the running import; the leads already sent stay sent. */
export function importCancel(): Promise<null> {
  return call<null>('import_cancel');
}

/** Saves the import's error file where the user picks; the path, or null when cancelled. */
export function importExportErrors(importId: string): Promise<string | null> {
  return call<string | null>('import_export_errors', { importId });
}

// --- Textdrip (the rep's own account; the token stays in the keychain, never comes back) -------

export function textdripStatus(): Promise<TextdripStatus> {
  return call<TextdripStatus>('textdrip_status');
}

/** Textdrip checks the token, then it is kept in the OS keychain; the UI must not keep it. */
export function textdripConnect(token: string): Promise<TextdripStatus> {
  return call<TextdripStatus>('textdrip_connect', { token });
}

/** Forgets the kept token. */
export function textdripDisconnect(): Promise<TextdripStatus> {
  return call<TextdripStatus>('textdrip_disconnect');
}

export function textdripCampaigns(): Promise<TextdripCampaign[]> {
  return call<TextdripCampaign[]>('textdrip_campaigns');
}

export function textTemplates(): Promise<TextTemplate[]> {
  return call<TextTemplate[]>('text_templates');
}

/** Replaces every template. */
export function saveTextTemplates(templates: TextTemplate[]): Promise<null> {
  return call<null>('save_text_templates', { templates });
}

/**
 * The message as the lead would get it, its size, the senders and whether it may go now. Cheap
 * (nothing is sent); `sender` null picks the primary number.
 */
export function textdripCompose(leadId: string, message: string, sender: string | null): Promise<TextPreview> {
  return call<TextPreview>('textdrip_compose', { leadId, message, sender });
}

/** Rejects with `outside_hours` unless confirmed when it is outside the lead's 8 am–9 pm, `opted_out` for a lead who opted out. */
export function textdripSend(
  leadId: string,
  message: string,
  sender: string | null,
  confirmOutsideHours: boolean,
): Promise<TextSent> {
  return call<TextSent>('textdrip_send', { leadId, message, sender, confirmOutsideHours });
}

/** Whether the lead is a contact in the rep's Textdrip account. */
export function textdripContact(leadId: string): Promise<TextdripContact> {
  return call<TextdripContact>('textdrip_contact', { leadId });
}

export function textdripAddToCampaign(leadId: string, campaignId: string): Promise<TextdripContact> {
  return call<TextdripContact>('textdrip_add_to_campaign', { leadId, campaignId });
}

// --- Admin (rejects with `forbidden` for a rep) ----------------------------------------------

/** The NextGen webhook's address and the last lead it brought, without its credentials. */
export function adminNextgen(): Promise<NextGenInfo> {
  return call<NextGenInfo>('admin_nextgen');
}

/** The webhook's credentials: ask only to reveal or copy them, and keep them no longer than shown. */
export function adminNextgenCredentials(): Promise<NextGenCredentials> {
  return call<NextGenCredentials>('admin_nextgen_credentials');
}

/** New webhook credentials; the old ones stop working at once. */
export function adminRotateNextgen(): Promise<NextGenCredentials> {
  return call<NextGenCredentials>('admin_rotate_nextgen');
}

/** The team's lead routing, this rep's availability and the team's; `unsupported` from the deployed server. */
export function routingView(): Promise<RoutingInfo> {
  return call<RoutingInfo>('routing_view');
}

/** Available (offered leads) or away. */
export function setAvailable(available: boolean): Promise<RoutingInfo> {
  return call<RoutingInfo>('set_available', { available });
}

/** Admins: a new mode, offer window, time before everyone is offered a lead, or owner (what is left out is kept). */
export function setRouting(change: {
  mode?: RoutingMode;
  offerSeconds?: number;
  poolAfterSeconds?: number;
  owner?: string;
}): Promise<RoutingInfo> {
  return call<RoutingInfo>('set_routing', change);
}

/** Claims a lead: the first claim wins; otherwise the answer says who has it. */
export function claimLead(leadId: string): Promise<ClaimResult> {
  return call<ClaimResult>('claim_lead', { leadId });
}

/** Admins: speed to lead over the last `days` days. */
export function speedReport(days: number): Promise<SpeedTable> {
  return call<SpeedTable>('speed_report', { days });
}

/** Rejects with `unsupported` where the server does not manage the team. */
export function teamList(): Promise<TeamMember[]> {
  return call<TeamMember[]>('team_list');
}

/** The new member and their one-time invite code (shown once). */
export function teamInvite(email: string, name: string, role: Role): Promise<Invitation> {
  return call<Invitation>('team_invite', { email, name, role });
}

/** A new one-time code for a member who has not accepted their invite; the old code stops working. */
export function teamRenewInvite(userId: string): Promise<Invitation> {
  return call<Invitation>('team_renew_invite', { userId });
}

/** Changes a member's role and whether they may sign in; null leaves either as it is. */
export function teamUpdate(userId: string, role: Role | null, active: boolean | null): Promise<TeamMember> {
  return call<TeamMember>('team_update', { userId, role, active });
}

async function subscribe<T>(event: string, handler: (payload: T) => void): Promise<UnlistenFn> {
  try {
    return await listen<T>(event, (e) => handler(e.payload));
  } catch (e) {
    throw toAppError(e);
  }
}

export function onLeadReceived(handler: (event: LeadEvent) => void): Promise<UnlistenFn> {
  return subscribe<LeadEvent>('lead-received', handler);
}

/** A lead was claimed, by this rep or another (`lead.claim` says who). */
export function onLeadClaimed(handler: (event: ClaimEvent) => void): Promise<UnlistenFn> {
  return subscribe<ClaimEvent>('lead-claimed', handler);
}

/** A lead offered to this rep went to others before they claimed it. */
export function onLeadWithdrawn(handler: (event: Withdrawal) => void): Promise<UnlistenFn> {
  return subscribe<Withdrawal>('lead-withdrawn', handler);
}

/** A callback came due (the reminder sound has started, unless hushed). */
export function onCallbackDue(handler: (due: CallbackDue) => void): Promise<UnlistenFn> {
  return subscribe<CallbackDue>('callback-due', handler);
}

/** Back after an outage or from away: the new leads that came meanwhile, oldest first. */
export function onLeadsMissed(handler: (leads: LeadRow[]) => void): Promise<UnlistenFn> {
  return subscribe<LeadRow[]>('leads-missed', handler);
}

export function onConnectionChanged(handler: (state: ConnectionState) => void): Promise<UnlistenFn> {
  return subscribe<ConnectionState>('connection-changed', handler);
}

/** The number of announced leads not yet seen. */
export function onUnreadChanged(handler: (unread: number) => void): Promise<UnlistenFn> {
  return subscribe<number>('unread-changed', handler);
}

/** Alert settings changed elsewhere too (e.g. muted from the tray menu). */
export function onAlertSettingsChanged(handler: (settings: AlertSettings) => void): Promise<UnlistenFn> {
  return subscribe<AlertSettings>('alert-settings-changed', handler);
}

/** The alert sound's output went, fell back to the default one, or came back. */
export function onAudioChanged(handler: (audio: AudioHealth) => void): Promise<UnlistenFn> {
  return subscribe<AudioHealth>('audio-changed', handler);
}

/** The lead a `crokodial://lead/<id>` link asked for before the UI listened, if any (taken once). */
export function takePendingLead(): Promise<string | null> {
  return call<string | null>('take_pending_lead');
}

export function onOpenLead(handler: (leadId: string) => void): Promise<UnlistenFn> {
  return subscribe<string>('open-lead', handler);
}

/** The local lead cache synced, or edits were sent (or tried): the cache and the outbox now. */
export function onLeadsSynced(handler: (status: SyncStatus) => void): Promise<UnlistenFn> {
  return subscribe<SyncStatus>('leads-synced', handler);
}

/** The updater's state changed (checking, downloading, an update ready to install…). */
export function onUpdateStatus(handler: (status: UpdateStatus) => void): Promise<UnlistenFn> {
  return subscribe<UpdateStatus>('update-status', handler);
}

export type FileDrag = { kind: 'over' } | { kind: 'leave' } | { kind: 'drop'; path: string };

/** Files dragged over the window and dropped on it (the first file dropped). */
export async function onFileDrag(handler: (drag: FileDrag) => void): Promise<UnlistenFn> {
  let stop: UnlistenFn;
  try {
    stop = await getCurrentWebview().onDragDropEvent(({ payload }) => {
      if (payload.type === 'enter' || payload.type === 'over') handler({ kind: 'over' });
      else if (payload.type === 'drop' && typeof payload.paths?.[0] === 'string') {
        handler({ kind: 'drop', path: payload.paths[0] });
      } else handler({ kind: 'leave' });
    });
  } catch (e) {
    throw toAppError(e);
  }
  // Stopping is asynchronous here; a failure to stop is ignored.
  return () => void Promise.resolve(stop()).catch(() => {});
}
