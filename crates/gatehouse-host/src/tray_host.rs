//! Whether this desktop shows tray icons. Linux panels show an app's AppIndicator through a
//! StatusNotifierWatcher on the session bus, with a panel registered with it as a host (KDE,
//! Xfce, Cinnamon, MATE, Budgie; GNOME only with its AppIndicator extension). Windows and
//! macOS always show them (the notification area, the menu bar).

/// The well-known name of the service panels show AppIndicator icons through.
#[cfg(all(unix, not(target_os = "macos")))]
const WATCHER: &str = "org.kde.StatusNotifierWatcher";

/// Whether an icon put in the tray is seen: whether a StatusNotifierWatcher runs on the
/// session bus and a panel has registered with it. When the bus can't be asked, yes
/// (nothing is known to be wrong).
#[cfg(all(unix, not(target_os = "macos")))]
pub async fn tray_is_shown() -> bool {
    panel_watches_tray_icons().await.unwrap_or(true)
}

/// Whether an icon put in the tray is seen: always, here.
#[cfg(not(all(unix, not(target_os = "macos"))))]
pub async fn tray_is_shown() -> bool {
    true
}

#[cfg(all(unix, not(target_os = "macos")))]
async fn panel_watches_tray_icons() -> zbus::Result<bool> {
    let bus = zbus::Connection::session().await?;
    let watcher = zbus::names::BusName::try_from(WATCHER)?;
    if !zbus::fdo::DBusProxy::new(&bus).await?.name_has_owner(watcher).await? {
        return Ok(false);
    }
    let proxy = zbus::Proxy::new(&bus, WATCHER, "/StatusNotifierWatcher", WATCHER).await?;
    proxy.get_property("IsStatusNotifierHostRegistered").await
}
