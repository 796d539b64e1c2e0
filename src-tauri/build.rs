//! Generates Tauri's context. Our commands get permissions of their own (`allow-<command>`), so
//! the capability file in src-tauri/capabilities is a real allow-list.

/// Every command the UI may call: the names of the one list in commands/list.rs.
macro_rules! commands {
    ($($module:ident::$name:ident),* $(,)?) => {
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}
include!("commands/list.rs");

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/commands/list.rs");
    // tauri-build watches its default capabilities directory, not ours: a permission added to
    // the capability file must reach the ACL built into the app.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build");
}
