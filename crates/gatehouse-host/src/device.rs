//! This installation as a device: a random id kept in the keychain (so it survives
//! restarts but not a reinstall), the host name, OS and version (`os_info`), and a
//! best-effort form factor.

use gatehouse_core::{ClientKind, DeviceInfo, DeviceKind};

use crate::keychain::{Keychain, KeychainError};

/// Describes this machine for a sign-in by `client`, creating the installation id on first use.
pub fn this_device(keychain: &dyn Keychain, client: ClientKind) -> Result<DeviceInfo, KeychainError> {
    let entry = format!("device-id/{}", client.as_str());
    let installation_id = match keychain.get(&entry)? {
        Some(id) if !id.trim().is_empty() => id.trim().to_owned(),
        _ => {
            let id = uuid::Uuid::new_v4().to_string();
            keychain.set(&entry, &id)?;
            id
        }
    };
    let info = os_info::get();
    let kind = match client {
        ClientKind::Cli => DeviceKind::Terminal,
        ClientKind::Desktop => detect_device_kind(),
    };
    Ok(DeviceInfo {
        installation_id,
        name: host_name(),
        kind,
        os: info.os_type().to_string(),
        os_version: version_text(info.version()),
    })
}

/// "12" rather than "12.0.0"; "Unknown" when the OS does not say.
fn version_text(version: &os_info::Version) -> String {
    let text = match version {
        os_info::Version::Semantic(major, 0, 0) => major.to_string(),
        os_info::Version::Semantic(major, minor, 0) => format!("{major}.{minor}"),
        other => other.to_string(),
    };
    if text.trim().is_empty() || text == "Unknown" { "Unknown".to_owned() } else { text }
}

fn host_name() -> String {
    let name = gethostname::gethostname().to_string_lossy().trim().to_owned();
    let name: String = name.chars().filter(|c| !c.is_control()).take(64).collect();
    if name.is_empty() { "This computer".to_owned() } else { name }
}

/// Laptop or desktop, from the firmware's chassis type or a battery (Linux); desktop
/// when unsure.
pub fn detect_device_kind() -> DeviceKind {
    #[cfg(target_os = "linux")]
    {
        // SMBIOS chassis types: 8 portable, 9 laptop, 10 notebook, 14 sub-notebook,
        // 31 convertible, 32 detachable; 30 tablet.
        let chassis = std::fs::read_to_string("/sys/class/dmi/id/chassis_type").unwrap_or_default();
        match chassis.trim() {
            "8" | "9" | "10" | "14" | "31" | "32" => return DeviceKind::Laptop,
            "30" => return DeviceKind::Tablet,
            _ => {}
        }
        let has_battery = std::fs::read_dir("/sys/class/power_supply")
            .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("BAT")))
            .unwrap_or(false);
        if has_battery {
            return DeviceKind::Laptop;
        }
    }
    DeviceKind::Desktop
}
