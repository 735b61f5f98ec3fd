//! WebKit's helper processes once the window is gone. Closing the window destroys its web
//! view, and WebKit ends the web process with it; but WebKitGTK keeps its network process
//! for as long as the web context lives, and Tauri keeps the context for the app's life on
//! Linux (tauri-apps/tauri#14626: a new context would start another network process and
//! leak the old one). WebKitGTK 4.1 has no call to end it, so the app ends it itself: a
//! window made later gets a new one from WebKit (tested end to end, with what the old one
//! stored, such as the theme, still there).

/// Ends WebKit's network process (see the module docs).
#[cfg(target_os = "linux")]
pub fn stop_network_processes() {
    use rustix::process::{Pid, Signal, getpid, kill_process};

    for pid in children_named(getpid().as_raw_nonzero().get(), "WebKitNetworkPr") {
        match Pid::from_raw(pid).map(|pid| kill_process(pid, Signal::TERM)) {
            Some(Ok(())) => tracing::info!(pid, "ended WebKit's network process: no window needs it"),
            Some(Err(err)) => tracing::warn!(pid, "could not end WebKit's network process: {err}"),
            None => {}
        }
    }
}

/// On other systems WebKit (macOS) or WebView2 (Windows) ends its helpers itself.
#[cfg(not(target_os = "linux"))]
pub fn stop_network_processes() {}

/// The ids of `parent`'s child processes whose name (as the kernel keeps it, at most 15
/// bytes) is `name`.
#[cfg(target_os = "linux")]
fn children_named(parent: i32, name: &str) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
            // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split at the last ')'.
            let Some((head, rest)) = stat.rsplit_once(')') else { return false };
            let comm = head.split_once('(').map(|(_, comm)| comm);
            let ppid = rest.split_whitespace().nth(1).and_then(|ppid| ppid.parse::<i32>().ok());
            comm == Some(name) && ppid == Some(parent)
        })
        .collect()
}
