// Generated from Rust by the `bindings_are_fresh` test in src-tauri; do not edit by hand.

export type AlertHush = "muted" | "quietHours";

export type AlertPanel = { settings: AlertSettings, sounds: Array<AlertSound>, 
/**
 * Output devices the system offers, by name.
 */
devices: Array<string>, 
/**
 * Every lead source, in the server's spelling.
 */
sources: Array<string>, audio: AudioHealth, };

export type AlertSettings = { sound: AlertSound, 
/**
 * 0 to 100.
 */
volume: number, 
/**
 * An output device by name; null follows the system default.
 */
device: string | null, 
/**
 * Quiet hours ("HH:MM", local time): both set, or both null for none.
 */
quietStart: string | null, quietEnd: string | null, 
/**
 * RFC 3339; set by the mute command, ignored when saving.
 */
mutedUntil: string | null, 
/**
 * The sources that alert, in the server's spelling ("NextGen", "CSV Import").
 */
sources: Array<string>, taskbarAttention: boolean, };

export type AlertSound = "chime" | "bell" | "triple" | "reminder";

export type AppError = { code: ErrorCode, message: string, };

export type AppInfo = { version: string, defaultServerUrl: string | null, };

export type AppSettings = { 
/**
 * Start at login, minimised to the tray (the OS's own start-up entry).
 */
startAtLogin: boolean, logLevel: LogLevel, checkForUpdates: boolean, 
/**
 * False in builds for distribution packages (no updater); ignored when saving.
 */
updaterAvailable: boolean, };

export type AudioHealth = { 
/**
 * No output could be opened: alerts are silent.
 */
silent: boolean, 
/**
 * What the rep should know: why alerts are silent, or that the chosen output is missing and
 * alerts play on the default one. `None` when all is as chosen.
 */
problem: string | null, };

export type CallDesk = { 
/**
 * Dials from this computer since midnight.
 */
dialsToday: number, awaiting: PlacedCall | null, outcomes: Array<OutcomeOption>, };

export type CallEntry = { id: string, 
/**
 * RFC 3339.
 */
at: string, outcome: string | null, note: string | null, 
/**
 * "pending", "synced" or "failed".
 */
status: string, 
/**
 * Why the server refused it.
 */
detail: string | null, };

export type CallPanel = { summary: CallSummary, 
/**
 * Who put the phone on the do-not-call list and when, for people to read.
 */
doNotCall: string | null, 
/**
 * Said before the call, which the rep confirms: outside the lead's hours, past its state's
 * attempts a day, or its time unknown.
 */
caution: string | null, 
/**
 * Newest first.
 */
recent: Array<CallEntry>, };

export type CallSummary = { count: number, 
/**
 * RFC 3339; none when only the deployed server counted them (it keeps no times).
 */
lastAt: string | null, 
/**
 * The last outcome, for people to read.
 */
lastOutcome: string | null, 
/**
 * On the do-not-call list: no call or text button.
 */
doNotCall: boolean, };

export type CallbackDue = { callback: FollowUpRow, };

export type CallingHours = { weekdays: [number, number] | null, saturday: [number, number] | null, sunday: [number, number] | null, };

export type ClaimEvent = { lead: LeadRow, 
/**
 * This rep claimed it (here or on another of their devices).
 */
mine: boolean, };

export type ClaimInfo = { 
/**
 * The rep's user id.
 */
by: string, name: string, 
/**
 * RFC 3339.
 */
at: string, };

export type ClaimResult = { 
/**
 * The lead is this rep's now.
 */
mine: boolean, 
/**
 * "Yours", or who has it ("Claimed by Ann Lee", "Offered to Bo Chan alone for 20 more seconds").
 */
message: string, 
/**
 * The lead as it is now, when it is this rep's.
 */
lead: LeadRow | null, };

export type ConnectionState = { status: ConnectionStatus, detail: string | null, 
/**
 * RFC 3339: when the last lead event arrived.
 */
lastEventAt: string | null, 
/**
 * Whether the rep takes routed leads; none from a server that does not route leads (or
 * until it is known).
 */
available: boolean | null, };

export type ConnectionStatus = "idle" | "connecting" | "live" | "shared" | "offline" | "authFailed";

export type DemoAccount = { email: string, password: string, role: Role, };

export type DispositionOption = { 
/**
 * Its id on the server ("default-N" before the first sync).
 */
id: string, name: string, 
/**
 * A CSS colour, e.g. `#2563eb`.
 */
color: string, emoji: string, };

export type EditEntry = { 
/**
 * An opaque id of the edit.
 */
key: string, 
/**
 * RFC 3339.
 */
madeAt: string, 
/**
 * E.g. `Disposition → Quoted`.
 */
change: string, status: EditStatus, 
/**
 * For a conflict, what the server has now; for a failure, why.
 */
detail: string | null, };

export type EditStatus = "pending" | "synced" | "conflict" | "failed";

export type EditableField = { 
/**
 * The wire name: "name", "email", "phone", "zipcode", "dob", "height", "weight", "gender" or "state".
 */
field: string, label: string, value: string, };

export type ErrorCode = "invalid_credentials" | "invalid_input" | "network" | "server" | "keychain_unavailable" | "not_logged_in" | "no_sound" | "cancelled" | "textdrip_not_connected" | "textdrip_invalid" | "rate_limited" | "outside_hours" | "opted_out" | "forbidden" | "unsupported" | "internal";

export type Exported = { path: string, rows: number, };

export type FacetValue = { value: string, count: number, };

export type FieldChange = { field: string, value: string, };

export type FieldGroup = { title: string, fields: Array<FieldRow>, };

export type FieldRow = { label: string, value: string, };

export type FollowUpBoard = { 
/**
 * Open callbacks whose time has come, oldest first.
 */
due: Array<FollowUpRow>, upcoming: Array<FollowUpRow>, 
/**
 * Called back lately.
 */
done: Array<FollowUpRow>, pinned: Array<FollowUpRow>, 
/**
 * False against the deployed server: they are kept on this computer only.
 */
synced: boolean, };

export type FollowUpRow = { id: string, leadId: string, 
/**
 * Empty when the lead is not in the cache (any more).
 */
leadName: string, 
/**
 * RFC 3339; null for a pin.
 */
due: string | null, 
/**
 * The due time in the lead's own zone, e.g. "Tue 9:00 AM CST".
 */
dueThere: string | null, note: string | null, done: boolean, };

export type ImportCounts = { 
/**
 * Rows read (blank lines not counted).
 */
rows: number, 
/**
 * Rows that are leads, those repeating an earlier row included.
 */
leads: number, 
/**
 * Rows that repeat an earlier row's lead (the same phone, else email, else vendor id).
 */
duplicates: number, 
/**
 * Rows that cannot be imported.
 */
invalid: number, reasons: Array<ReasonCount>, encoding: string, convertedRows: number, 
/**
 * Leads (repeats left out) not among the rep's synced leads; null when unknown.
 */
newLeads: number | null, 
/**
 * Leads already among the rep's synced leads, which the import will update; null when unknown.
 */
updates: number | null, };

export type ImportField = { key: string, label: string, };

export type ImportPhase = "reading" | "sending";

export type ImportPreview = { path: string, fileName: string, 
/**
 * The vendor recognised ("NextGen Leads", "USHA Marketplace", "GoHighLevel", "Other"); null when the file cannot be leads.
 */
vendor: string | null, 
/**
 * Why the file cannot be leads (e.g. an EverQuote transaction report); null otherwise.
 */
notLeads: string | null, headers: Array<string>, 
/**
 * The first rows of the file, as read.
 */
rows: Array<ImportRow>, 
/**
 * Per column: the key of the lead field it fills, or null when it is not imported.
 */
mapping: Array<string | null>, 
/**
 * Every field a column may fill, in the order to offer them.
 */
fields: Array<ImportField>, 
/**
 * The saved mapping in use for these headers, by name.
 */
savedMapping: string | null, };

export type ImportProgress = { phase: ImportPhase, done: number, total: number, rowsPerSecond: number, };

export type ImportResult = { importId: string, 
/**
 * The tag the batch's leads carry, e.g. "NextGen Leads 2026-12-01".
 */
tag: string, 
/**
 * True when the app is offline: the import is kept and sent when the server is back.
 */
queued: boolean, counts: ImportCounts, imported: number, updated: number, unchanged: number, 
/**
 * Rows that could not be imported, with their reasons, as a CSV file on this computer; null when there were none.
 */
errorFile: string | null, };

export type ImportRow = { row: number, cells: Array<string>, };

export type Invitation = { member: TeamMember, 
/**
 * The one-time code the new user sets a password with; shown once.
 */
code: string, };

export type LastLead = { id: string, name: string, 
/**
 * RFC 3339.
 */
receivedAt: string, };

export type Latency = { 
/**
 * The server's own time from webhook to broadcast, when it says (`processMs`).
 */
serverMs: number | null, 
/**
 * From the server receiving the webhook to this app receiving the event. It spans two
 * clocks, so it is only as good as their agreement (exact on one machine).
 */
deliveryMs: number | null, 
/**
 * From this app receiving the event to the alert sound starting; none when no sound.
 */
soundMs: number | null, };

export type LeadDetail = { id: string, name: string, 
/**
 * For people to read.
 */
phone: string | null, email: string | null, disposition: string | null, notes: string | null, 
/**
 * The fields the rep may change besides disposition and notes, with their values.
 */
editable: Array<EditableField>, groups: Array<FieldGroup>, 
/**
 * Newest first.
 */
history: Array<EditEntry>, calls: CallPanel, 
/**
 * Notes typed here and not saved yet, to restore.
 */
notesDraft: NotesDraft | null, };

export type LeadEvent = { lead: LeadRow, 
/**
 * A new, fresh lead from a source that alerts, seen for the first time (an update or a
 * replay is not).
 */
announced: boolean, 
/**
 * Why an announced lead made no sound.
 */
hush: AlertHush | null, 
/**
 * Why the OS is keeping this lead's notification out of sight (on Windows: a full-screen
 * app, presentation mode, quiet time), when it tells; the sound still plays.
 */
notificationHidden: string | null, latency: Latency, 
/**
 * Why it did not alert this rep ("offered to Bo Chan", "claimed by Ann Lee"…), when it did not.
 */
notAlerted: string | null, 
/**
 * Who it is offered to, from a server that routes leads.
 */
offer: OfferInfo | null, };

export type LeadFollowUps = { pinned: boolean, 
/**
 * Its open callbacks, soonest first.
 */
callbacks: Array<FollowUpRow>, presets: Array<PresetOption>, };

export type LeadList = { rows: Array<LeadRow>, offset: number, total: number, 
/**
 * RFC 3339.
 */
syncedAt: string | null, };

export type LeadRow = { id: string, name: string, 
/**
 * For people to read (`core::phone::format_us`).
 */
phone: string | null, state: string | null, source: string | null, disposition: string | null, 
/**
 * RFC 3339.
 */
receivedAt: string | null, 
/**
 * Who claimed it, when it was routed and claimed.
 */
claim: ClaimInfo | null, 
/**
 * The lead's IANA time zone (from its ZIP code, state or area code), to show its local time.
 */
zone: string | null, 
/**
 * Its state's calling hours (local to the lead), to tell whether it may be called now.
 */
hours: CallingHours, calls: CallSummary, };

export type ListFacets = { states: Array<FacetValue>, dispositions: Array<FacetValue>, sources: Array<FacetValue>, 
/**
 * Imports, by tag.
 */
batches: Array<FacetValue>, 
/**
 * The leads' time zones, East to West.
 */
zones: Array<ZoneFacet>, };

export type ListQuery = { search: string | null, 
/**
 * Any of these states (none: every state).
 */
states: Array<string>, 
/**
 * Any of these dispositions; "No Disposition" for leads without one.
 */
dispositions: Array<string>, 
/**
 * Any of these IANA time zones (a facet's value).
 */
zones: Array<string>, 
/**
 * Only the leads that may be called now, in their own time and state's hours.
 */
callableNow: boolean, 
/**
 * A source's wire spelling, e.g. "NextGen".
 */
source: string | null, 
/**
 * The tag of an import, e.g. "NextGen Leads 2026-12-01".
 */
batch: string | null, 
/**
 * `YYYY-MM-DD`, the rep's local day, inclusive.
 */
receivedFrom: string | null, 
/**
 * `YYYY-MM-DD`, the rep's local day, inclusive.
 */
receivedTo: string | null, sort: ListSort, ascending: boolean, offset: number, limit: number, };

export type ListSort = "createdAt" | "name" | "state" | "disposition" | "timeZone";

export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

export type NewLeadInput = { firstName: string, lastName: string, phone: string, email: string, state: string, zipcode: string, notes: string, };

export type NextGenCredentials = { sid: string, apikey: string, };

export type NextGenInfo = { webhookUrl: string, lastLead: LastLead | null, };

export type NotesDraft = { text: string, 
/**
 * RFC 3339.
 */
at: string, };

export type OfferInfo = { 
/**
 * "Ann Lee", "Ann Lee and Bo Chan", "5 reps".
 */
to: string, 
/**
 * Offered to this rep (alone or with others): they may claim it.
 */
mine: boolean, };

export type OutcomeOption = { 
/**
 * The value `tell_call_outcome` takes.
 */
value: string, label: string, key: string, };

export type PlacedCall = { callId: string, leadId: string, leadName: string, 
/**
 * RFC 3339.
 */
at: string, };

export type PresetOption = { 
/**
 * What `schedule_callback` takes.
 */
value: string, label: string, 
/**
 * "Tue 9:00 AM CST" in the lead's zone (this computer's when unknown); null when passed.
 */
when: string | null, };

export type ProfileInfo = { user: UserInfo, canChangePassword: boolean, };

export type ReasonCount = { reason: string, count: number, };

export type Role = "admin" | "user";

export type RoutingInfo = { mode: RoutingMode, offerSeconds: number, poolAfterSeconds: number, ownerId: string | null, available: boolean, team: Array<TeamPresence>, };

export type RoutingMode = "everyone" | "roundRobin" | "owner";

export type SessionInfo = { serverUrl: string, user: UserInfo, };

export type SpeedLine = { label: string, offered: number, claimed: number, timedOut: number, 
/**
 * From arrival to claim, over the claimed leads.
 */
claimP50Ms: number | null, claimP95Ms: number | null, };

export type SpeedTable = { 
/**
 * RFC 3339.
 */
since: string, until: string, reps: Array<SpeedLine>, vendors: Array<SpeedLine>, unclaimed: number, };

export type SyncStatus = { 
/**
 * Leads in the cache.
 */
cached: number, 
/**
 * Edits not yet on the server.
 */
pending: number, conflicts: number, failed: number, 
/**
 * RFC 3339: the last successful sync.
 */
syncedAt: string | null, };

export type TeamMember = { id: string, name: string, email: string, role: Role, active: boolean, invited: boolean, textdripConnected: boolean, };

export type TeamPresence = { id: string, name: string, available: boolean, connected: boolean, };

export type TextEncoding = "gsm7" | "ucs2";

export type TextPreview = { 
/**
 * The message with the lead's fields filled in.
 */
text: string, chars: number, segments: number, encoding: TextEncoding, 
/**
 * Placeholders the lead has no value for, or that are not fields.
 */
missing: Array<string>, 
/**
 * The lead's phone, for people to read; null when it has none Textdrip can text.
 */
to: string | null, 
/**
 * The sender chosen: one of `senders`' `phone`.
 */
sender: string | null, senders: Array<TextdripSender>, 
/**
 * The lead's local time, e.g. "8:15 PM CST"; null when unknown.
 */
localTime: string | null, 
/**
 * Today's calling hours in the lead's state, e.g. "8 AM–8 PM" (texts keep to them too).
 */
hours: string | null, 
/**
 * Outside those hours, or the lead's local time is unknown: sending needs confirmation.
 */
outsideHours: boolean, 
/**
 * Textdrip says the lead opted out: no text can go.
 */
optedOut: boolean, };

export type TextSent = { to: string, sender: string | null, };

export type TextTemplate = { name: string, body: string, };

export type TextdripCampaign = { id: string, title: string, };

export type TextdripContact = { exists: boolean, optedOut: boolean, };

export type TextdripSender = { 
/**
 * E.164: the value to send back as the chosen sender.
 */
phone: string, 
/**
 * For people to read.
 */
display: string, primary: boolean, };

export type TextdripState = "connected" | "not_connected" | "invalid" | "keychain_unavailable";

export type TextdripStatus = { state: TextdripState, 
/**
 * What to do, in words, for every state but connected.
 */
detail: string | null, };

export type UpdateState = "disabled" | "idle" | "checking" | "up_to_date" | "downloading" | "ready" | "failed";

export type UpdateStatus = { state: UpdateState, version: string | null, notes: string | null, 
/**
 * Why, for failed or disabled.
 */
message: string | null, };

export type UserInfo = { id: string, name: string, email: string, role: Role, };

export type Withdrawal = { leadId: string, 
/**
 * Who it is offered to now, by name.
 */
to: string, };

export type ZoneFacet = { value: string, label: string, count: number, };
