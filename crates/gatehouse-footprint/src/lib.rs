//! Handing a process's file pages back to the kernel once start-up is over, as Android
//! compacts an app sent to the background. Pages of program and library files that this
//! process alone has mapped (the kernel leaves shared ones alone) are clean copies of the
//! files: dropping them loses nothing, and a page needed again is read back on first touch.
//!
//! The desktop app calls [`page_out_file_pages`] for itself. Built as a shared library, this
//! crate is also a WebKitGTK web process extension: the app points its web view at the
//! folder holding it, WebKit loads it into the web process that draws the UI, and
//! [`webkit_web_extension_initialize`] does the same there once the page has started.

use std::time::Duration;

/// How long after a web process loads the extension its start-up pages are handed back:
/// the page has loaded and drawn by then (launch to sign-in screen takes under 0.5 s).
pub const WEB_PROCESS_START_UP: Duration = Duration::from_secs(10);

/// What [`page_out_file_pages`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PagedOut {
    /// File mappings advised.
    pub ranges: usize,
    /// Of those, how many the kernel refused (before Linux 5.4, every one).
    pub refused: usize,
}

/// `MADV_PAGEOUT` (Linux 5.4+) on every file-backed mapping of this process. Pages that
/// were written (a library's relocated data) are anonymous memory by now and stay. Does
/// nothing on other systems.
pub fn page_out_file_pages() -> PagedOut {
    #[cfg(target_os = "linux")]
    {
        linux::page_out_file_pages()
    }
    #[cfg(not(target_os = "linux"))]
    PagedOut::default()
}

/// The entry point WebKitGTK calls in each web process that loads this library: hands the
/// process's start-up pages back after [`WEB_PROCESS_START_UP`], on a thread of its own
/// (the web process's main thread is never held).
#[cfg(target_os = "linux")]
#[unsafe(no_mangle)]
pub extern "C" fn webkit_web_extension_initialize(_extension: *mut std::ffi::c_void) {
    // A thread that can't start leaves the pages where they are; nothing else changes.
    let _ = std::thread::Builder::new().name("gatehouse-footprint".to_owned()).spawn(|| {
        std::thread::sleep(WEB_PROCESS_START_UP);
        page_out_file_pages();
    });
}

#[cfg(target_os = "linux")]
mod linux {
    use super::PagedOut;

    pub(super) fn page_out_file_pages() -> PagedOut {
        let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else { return PagedOut::default() };
        let mut done = PagedOut::default();
        for (start, end) in maps.lines().filter_map(file_backed_range) {
            done.ranges += 1;
            // SAFETY: the range is one of this process's own mappings, and MADV_PAGEOUT
            // never changes what memory holds: the kernel only drops clean file pages from
            // it (read back on the next touch) and leaves the rest.
            let advised =
                unsafe { rustix::mm::madvise(start as *mut _, end - start, rustix::mm::Advice::LinuxPageOut) };
            done.refused += usize::from(advised.is_err());
        }
        done
    }

    /// "start-end perms offset dev inode path" → (start, end) for a mapping of a file.
    pub(super) fn file_backed_range(line: &str) -> Option<(usize, usize)> {
        let mut fields = line.split_whitespace();
        let (start, end) = fields.next()?.split_once('-')?;
        let path = fields.nth(4)?;
        // Not anonymous memory, the heap, stacks or [vdso]; not shared memory (memfd,
        // /dev/shm: its pages aren't file copies) or devices.
        if !path.starts_with('/')
            || path.starts_with("/memfd:")
            || path.starts_with("/dev/")
            || path.starts_with("/SYSV")
        {
            return None;
        }
        Some((usize::from_str_radix(start, 16).ok()?, usize::from_str_radix(end, 16).ok()?))
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::linux::file_backed_range;

    #[test]
    fn only_mappings_of_files_are_paged_out() {
        let library =
            "7f12a4000000-7f12a4200000 r-xp 00001000 fd:01 131 /usr/lib/x86_64-linux-gnu/libwebkit2gtk-4.1.so.0.17.3";
        assert_eq!(file_backed_range(library), Some((0x7f12a4000000, 0x7f12a4200000)));
        for line in [
            "55d0c3a1e000-55d0c3a3f000 rw-p 00000000 00:00 0 [heap]",
            "7f12a0000000-7f12a0021000 rw-p 00000000 00:00 0 ",
            "7f12a5000000-7f12a5800000 rw-s 00000000 00:01 77 /memfd:wayland-shm (deleted)",
            "7f12a6000000-7f12a6001000 rw-s 00000000 00:05 12 /dev/dri/renderD128",
            "7ffd1e5f2000-7ffd1e5f4000 r-xp 00000000 00:00 0 [vdso]",
        ] {
            assert_eq!(file_backed_range(line), None, "{line}");
        }
    }
}
