//! Native desktop notifications through the platform's notification service (the
//! freedesktop D-Bus service on Linux, Notification Center on macOS, toasts on Windows),
//! with notify-rust. Actions ("Review", "This wasn't me") are reported back where the
//! service supports them.

use notify_rust::Notification;

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesktopAlert {
    /// One line, e.g. "New sign-in to your account".
    pub summary: String,
    /// Who, which device, where.
    pub body: String,
    /// Buttons, as (id, label); the platform may show none of them.
    pub actions: Vec<(String, String)>,
}

/// What the person did with a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertResponse {
    /// Clicked it (the default action).
    Clicked,
    /// Chose one of its actions (by id).
    Action(String),
    /// It closed without an action.
    Closed,
}

/// The notification service is missing or refused the notification.
#[derive(Debug, thiserror::Error)]
#[error("could not show a desktop notification: {0}")]
pub struct NotificationError(String);

/// Shows `alert`. Where the platform reports actions, `on_response` runs (on a thread of its
/// own) when the person clicks it, picks an action, or it closes.
pub fn show_alert(
    alert: &DesktopAlert,
    on_response: impl FnOnce(AlertResponse) + Send + 'static,
) -> Result<(), NotificationError> {
    let mut notification = Notification::new();
    notification.appname("Gatehouse").summary(&alert.summary).body(&body_text(&alert.body));
    // "default" is what a click on the notification itself invokes.
    notification.action("default", "Review");
    for (id, label) in &alert.actions {
        notification.action(id, label);
    }
    show_and_wait(&notification, on_response)
}

/// The body as the platform should show it. Freedesktop services read the body as simple
/// markup, and device and host names reported by clients go into it: `<`, `>` and `&` are
/// escaped so a device called `<b>…</b>` (or a broken `&`) shows as typed.
#[cfg(all(unix, not(target_os = "macos")))]
fn body_text(body: &str) -> String {
    body.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// macOS and Windows show the body as plain text.
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn body_text(body: &str) -> String {
    body.to_owned()
}

/// The freedesktop service (Linux, BSD) reports clicks and actions: wait for them on a
/// thread of its own.
#[cfg(all(unix, not(target_os = "macos")))]
fn show_and_wait(
    notification: &Notification,
    on_response: impl FnOnce(AlertResponse) + Send + 'static,
) -> Result<(), NotificationError> {
    let handle = notification.show().map_err(|err| NotificationError(err.to_string()))?;
    std::thread::spawn(move || {
        handle.wait_for_action(|action: &str| {
            on_response(match action {
                "default" => AlertResponse::Clicked,
                "__closed" => AlertResponse::Closed,
                other => AlertResponse::Action(other.to_owned()),
            });
        });
    });
    Ok(())
}

/// macOS and Windows report no actions through notify-rust; the alert's actions stay in the
/// app's notifications centre.
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn show_and_wait(
    notification: &Notification,
    _on_response: impl FnOnce(AlertResponse) + Send + 'static,
) -> Result<(), NotificationError> {
    notification.show().map(|_| ()).map_err(|err| NotificationError(err.to_string()))
}
