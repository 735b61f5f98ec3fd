//! The app's memory footprint: where it goes and the settings that cut it.
//!
//! Measured with `scripts/bench-startup 5 --release` (Xvfb, no GPU, so Mesa renders in
//! software with llvmpipe; WebKitGTK 2.50). The number is idle PSS on the sign-in screen,
//! in MiB, for the app process plus WebKit's two children, counting only the sharing
//! inside the test session (the bench's "session PSS"). Before these settings it was 313:
//! app 92, WebKitWebProcess 192, WebKitNetworkProcess 28. With them it is 230: app 88,
//! WebKitWebProcess 113, WebKitNetworkProcess 28. In plain PSS on a quiet machine, which
//! is about 12 MiB lower, that is 301 → 218 (debug build: 319 → 236). Launch to the
//! sign-in screen is not slower. In an interleaved A/B on a busy machine it was about
//! 75 ms faster (median 735 ms against 811).
//!
//! - **WebKit's DMA-BUF renderer, with no GPU: about 80 MiB, in the web process.** With no
//!   render node, WebKit falls back to shared-memory buffers, and Skia draws through
//!   llvmpipe. That costs about 53 MiB of extra anonymous memory in the web process (GL
//!   textures and Skia's GPU resource cache) and 7 MiB of shared-memory frame buffers.
//!   Turning the renderer off brings the web process down to 113 MiB. The X server gains
//!   about 3 MiB. Only this setting is applied, and only when rendering is in software
//!   anyway (see [`before_start`]). One side effect: in this mode WebKit repaints only
//!   when the page changes, and a WebDriver screenshot waits for the next repaint. The
//!   end-to-end tests therefore keep a 1-pixel dot flickering while they take one
//!   (tests/e2e/conftest.py). Tried and not kept (total MiB):
//!   - WEBKIT_DISABLE_COMPOSITING_MODE: 235.
//!   - The hardware-acceleration-policy NEVER setting: 241. Set after the web view is
//!     created, it also races the first load.
//!   - Either of those on top of the renderer switch: 231.
//!   - WEBKIT_SKIA_ENABLE_CPU_RENDERING: 285.
//!   - WEBKIT_DMABUF_RENDERER_FORCE_SHM: 313.
//!   - Mesa's softpipe (GALLIUM_DRIVER) or LP_NUM_THREADS=0: no change.
//! - **glibc's sliding mmap threshold: about 27 MiB in the app after the first sign-in.**
//!   An argon2 hash needs one 19 MiB block. The first block is mmap'd, and freeing it raises
//!   glibc's mmap threshold to 19 MiB. Every later block then comes from a malloc arena that
//!   never shrinks back. Measured after signing in and opening every page: the app uses 96
//!   MiB with the threshold held at 128 KiB, and 123 MiB without. Idle on the sign-in
//!   screen, nothing changes. MALLOC_ARENA_MAX=2 saved nothing (116 after the same use).
//!   After that use, the total is 293 MiB, down from 451.
//!
//! What is left (230 MiB) is mostly code, and none of it can be turned off:
//! - libwebkit2gtk: 63 MiB across the three processes (41 in the web process).
//! - libjavascriptcoregtk: 21 MiB.
//! - Mesa's libLLVM: 20 MiB in the app and 20 in the web process, mostly its relocations
//!   and start-up code. WebKit opens an EGL display in both. Without EGL the web process
//!   aborts ("Could not create default EGL display"). GDK_GL=disable keeps GTK from
//!   opening GLX, but WebKit's EGL loads Mesa anyway. Debian's Mesa is one driver file for
//!   every GPU (iris_dri.so, radeonsi_dri.so and swrast_dri.so are hard links to it), and
//!   that file links libLLVM, so this cost stays with a GPU too, unless the GPU uses
//!   NVIDIA's own driver.
//! - flite's voices: 5 MiB per process. The distribution's WebKit links them for speech
//!   synthesis.
//! - This binary: 15 MiB.
//! - Data: the app 13 MiB (heap and anonymous memory); the web process 15, of which about
//!   6 is the page itself (DOM, JS heap). About 30 of the web process's MiB is this page
//!   rather than about:blank, and most of that is engine code it runs.
//!
//! Things that did not help:
//! - The cache model DOCUMENT_VIEWER and the page cache off: no change, idle or after use
//!   (the UI is one page).
//! - Developer extras off (debug builds) and WebGL/WebAudio off: no change idle.
//! - MALLOC_ARENA_MAX=2, and malloc_trim at idle: no change.
//! - NO_AT_BRIDGE: no change (and accessibility stays on).
//! - Fonts: 0.4 MiB mapped. The CSS uses system fonts and loads no web fonts.
//! - The UI bundle: 248 KB of JS loads at start. zxcvbn's dictionaries load only on a
//!   password form.
//!
//! JavaScriptCore with the JIT off (JSC_useJIT=0) would save 7 MiB. But each keystroke's
//! password-strength check then takes about 34 ms instead of 7, so it stays on.

/// Process-wide settings. Call this first thing in `run()`, before any thread starts
/// (logging, the async runtime, GTK): it may set environment variables, which WebKit's child
/// processes inherit.
pub fn before_start() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    linux::hold_mmap_threshold();
    #[cfg(target_os = "linux")]
    linux::choose_renderer();
}

/// Logs the choices [`before_start`] made (it runs before logging is set up).
pub fn log_choices() {
    #[cfg(target_os = "linux")]
    tracing::debug!(
        dmabuf_renderer = if linux::DMABUF_OFF.load(std::sync::atomic::Ordering::Relaxed) {
            "off (software rendering)"
        } else {
            "WebKit's default"
        },
        "web view memory settings"
    );
}

#[cfg(target_os = "linux")]
mod linux {
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Whether [`choose_renderer`] turned WebKit's DMA-BUF renderer off.
    pub(super) static DMABUF_OFF: AtomicBool = AtomicBool::new(false);

    const DISABLE_DMABUF: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

    /// Keeps glibc's mmap threshold at its default 128 KiB. Otherwise glibc raises it to the
    /// size of the largest block freed so far (argon2's 19 MiB), and later blocks that size
    /// stay in a malloc arena after they are freed.
    #[cfg(target_env = "gnu")]
    pub(super) fn hold_mmap_threshold() {
        // SAFETY: mallopt only changes allocator parameters. glibc takes the arena lock, and
        // this runs before any other thread exists. It fails only for an unknown parameter
        // or a value above 32 MiB; either way the default behavior remains.
        let _ = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024) };
    }

    /// Turns WebKit's DMA-BUF renderer off when the GPU can't be used anyway. With a GPU,
    /// WebKit's buffers live in GPU memory and DMA-BUF is its zero-copy path, so that case
    /// is left alone. A WEBKIT_DISABLE_DMABUF_RENDERER the user set wins either way.
    pub(super) fn choose_renderer() {
        if std::env::var_os(DISABLE_DMABUF).is_some() || !renders_in_software() {
            return;
        }
        // SAFETY: `before_start` runs first thing in `run()`: no other thread exists yet (no
        // logging, async runtime or GTK), so nothing can read the environment while it
        // changes. WebKit reads this variable in this process and in the web process it
        // spawns later, which inherits it.
        unsafe { std::env::set_var(DISABLE_DMABUF, "1") };
        DMABUF_OFF.store(true, Ordering::Relaxed);
    }

    /// Whether Mesa will render in software (llvmpipe): LIBGL_ALWAYS_SOFTWARE is set, or
    /// there is no DRM render node this user can open (no GPU, Xvfb, many VMs and remote
    /// desktops).
    fn renders_in_software() -> bool {
        let forced = std::env::var("LIBGL_ALWAYS_SOFTWARE").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
        if forced {
            return true;
        }
        let Ok(entries) = std::fs::read_dir("/dev/dri") else {
            return true;
        };
        !entries.flatten().any(|entry| {
            entry.file_name().to_str().is_some_and(|name| name.starts_with("renderD"))
                && std::fs::OpenOptions::new().read(true).write(true).open(entry.path()).is_ok()
        })
    }
}
