//! Copying a withdrawal address safely: write it to the system clipboard, read it back to
//! make sure nothing altered it (clipboard hijackers swap addresses), and clear it later if
//! it still holds the address.

use std::sync::Mutex;

use arboard::Clipboard;

/// Why the clipboard could not be used or did not keep the text.
#[derive(Debug, thiserror::Error)]
pub enum ClipboardError {
    /// No clipboard (no display, no permission).
    #[error("The clipboard is not available ({0}).")]
    Unavailable(String),
    /// What came back differs from what was copied.
    #[error(
        "The clipboard does not hold the address that was copied: something changed it. Do not paste it; copy again and check."
    )]
    Altered,
}

/// The system clipboard, opened on first use and kept open (on X11 the copied text lives
/// only as long as its owner).
#[derive(Default)]
pub struct SafeClipboard {
    inner: Mutex<Option<Clipboard>>,
}

impl std::fmt::Debug for SafeClipboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SafeClipboard")
    }
}

impl SafeClipboard {
    /// Copies `text`, then reads it back and checks it is unchanged.
    pub fn copy_verified(&self, text: &str) -> Result<(), ClipboardError> {
        self.with(|clipboard| {
            clipboard.set_text(text.to_owned()).map_err(unavailable)?;
            let back = clipboard.get_text().map_err(unavailable)?;
            if back == text { Ok(()) } else { Err(ClipboardError::Altered) }
        })
    }

    /// Empties the clipboard if it still holds `text` (and leaves anything else alone).
    /// Returns whether it cleared.
    pub fn clear_if_unchanged(&self, text: &str) -> Result<bool, ClipboardError> {
        self.with(|clipboard| {
            let holds = clipboard.get_text().is_ok_and(|current| current == text);
            if holds {
                clipboard.clear().map_err(unavailable)?;
            }
            Ok(holds)
        })
    }

    fn with<T>(&self, work: impl FnOnce(&mut Clipboard) -> Result<T, ClipboardError>) -> Result<T, ClipboardError> {
        let mut guard = self.inner.lock().map_err(|_| ClipboardError::Unavailable("busy".to_owned()))?;
        if guard.is_none() {
            *guard = Some(Clipboard::new().map_err(unavailable)?);
        }
        match guard.as_mut() {
            Some(clipboard) => work(clipboard),
            None => Err(ClipboardError::Unavailable("not opened".to_owned())),
        }
    }
}

fn unavailable(err: arboard::Error) -> ClipboardError {
    ClipboardError::Unavailable(err.to_string())
}
