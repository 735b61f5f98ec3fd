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
//! Start-up time, from the same benchmark (`src-tauri/src/lib.rs` makes the
//! window before the database is opened, and opens it off the main thread): launch to the
//! sign-in screen went from a median of 725 ms in the process (879 ms wall clock; one launch
//! in five took about 1.2 s) to 554 ms (676 ms wall clock) over 10 runs. Blocking the main
//! thread to open the database while WebKit started made the slow launches the rule. Then
//! `main_window.rs` showed the window only once its page had loaded: a window drawn
//! earlier made WebKit stall the main thread for 500 ms in one launch in three. Now 316 ms
//! (390 ms wall clock, slowest of 10: 418).
//!
//! Two page-outs (the last items below) then took the window-open number to 211 MiB (app 71,
//! WebKitWebProcess 111, WebKitNetworkProcess 28); 208 in plain PSS. With only the tray (no
//! window, no WebKit process), plain PSS of the app, measured 35 s in: started in the tray
//! 65 MiB, after closing the window 125 MiB, both with the settings below except the
//! page-outs; with them 21 and 55. The same page-out in the web process (the last item)
//! took the window open to 179 MiB (app 71, WebKitWebProcess 79, WebKitNetworkProcess 28);
//! 177 in plain PSS, launch to sign-in screen 425 ms wall clock (3 runs).
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
//! - **Code pages kept after the window is gone: about 45 to 70 MiB in the tray.** The
//!   libraries stay mapped for the app's life (WebKit's, JavaScriptCore's, Mesa's, GTK's,
//!   this binary's), and every page of them the window touched stays counted against the
//!   app: 125 MiB after closing the window, 65 when started in the tray (start-up code).
//!   [`release_file_pages`] hands those pages back with `MADV_PAGEOUT` once only the tray
//!   is left, as Android compacts a backgrounded app, and again at 30 s, after WebKit's
//!   teardown in this process has touched 6 MiB of code again: 55 and 21 MiB, steady (to
//!   150 s). They are clean copies of files; the few the tray and the watcher need come
//!   back on first touch. What stays is written memory: the heap (4 MiB), other anonymous
//!   memory, and libLLVM's relocated data (25 MiB, once the window has loaded Mesa).
//! - **Start-up's pages, with the window open: 18 MiB in the app.** Most of this binary (16
//!   MiB resident: start-up code, and the UI files it served the page) and the parts of
//!   WebKit's UI code no other process shares are used once. The same page-out, 10 s after
//!   the window is made, takes the app from 89 to 71 MiB, and it stays there.
//! - **Start-up's pages in the web process: about 32 MiB.** WebKit's web process touches
//!   engine code to load and lay out the page that it doesn't need again while the page
//!   sits there. The app can't advise another process's memory (that needs CAP_SYS_NICE),
//!   so the web process does it itself: gatehouse-footprint, built as a shared library, is a
//!   WebKit web process extension that WebKit loads from [`web_extensions_dir`] and that
//!   hands the process's unshared file pages back 10 s after it starts. Web process 110 →
//!   79 MiB (libwebkit2gtk 41 → 21, JavaScriptCore 13 → 5, ICU 5 → 0). What the page needs
//!   comes back on first touch: typing into the sign-in form and sending it after the
//!   page-out took 15 major page faults in the web process; 1011 ms against 931 ms without
//!   the extension, where a second try showed the same 75 ms gap with no faults at all
//!   (run-to-run noise, debug build under WebDriver).
//!
//! What is left with the window open (179 MiB) is mostly code, and none of it can be turned off:
//! - libwebkit2gtk: 42 MiB across the three processes (21 in the web process).
//! - libjavascriptcoregtk: 13 MiB.
//! - Mesa's libLLVM: 20 MiB in the app and 20 in the web process, mostly its relocations
//!   and start-up code. WebKit opens an EGL display in both. Without EGL the web process
//!   aborts ("Could not create default EGL display"). GDK_GL=disable keeps GTK from
//!   opening GLX, but WebKit's EGL loads Mesa anyway. Debian's Mesa is one driver file for
//!   every GPU (iris_dri.so, radeonsi_dri.so and swrast_dri.so are hard links to it), and
//!   that file links libLLVM, so this cost stays with a GPU too, unless the GPU uses
//!   NVIDIA's own driver.
//! - flite's voices: 5 MiB per process. The distribution's WebKit links them for speech
//!   synthesis.
//! - This binary: 2 MiB after the start-up page-out.
//! - Data: the app 11 MiB (heap and anonymous memory); the web process 15, of which about
//!   6 is the page itself (DOM, JS heap). Before the web process's page-out, about 30 of its
//!   MiB was this page rather than about:blank, and most of that was engine code it ran.
//!
//! Things that did not help:
//! - The cache model DOCUMENT_VIEWER and the page cache off: no change, idle or after use
//!   (the UI is one page).
//! - Developer extras off (debug builds) and WebGL/WebAudio off: no change idle.
//! - MALLOC_ARENA_MAX=2, and malloc_trim at idle: no change. Nor WebKit's own allocator
//!   swapped for glibc's (Malloc=1), or WebAssembly off.
//! - NO_AT_BRIDGE: no change (and accessibility stays on).
//! - An ephemeral (incognito) web context, so the network process keeps no cookie or cache
//!   database: no change (network process 28 → 27 MiB, within noise).
//! - With the renderer switch in place, GDK_GL=disable, WEBKIT_DISABLE_COMPOSITING_MODE and
//!   WEBKIT_SKIA_ENABLE_CPU_RENDERING, alone or together: no change (228 to 229 MiB).
//! - Fonts: 0.4 MiB mapped. The CSS uses system fonts and loads no web fonts.
//! - The UI bundle: 248 KB of JS loads at start. zxcvbn's dictionaries load only on a
//!   password form.
//!
//! JavaScriptCore with the JIT off (JSC_useJIT=0) would save 7 MiB (only its optimizing
//! tiers off, JSC_useDFGJIT=0: 3 MiB). But each keystroke's
//! password-strength check then takes about 34 ms instead of 7, and launch to the sign-in
//! screen took 565 ms instead of 433 (measured before the web process's page-out: 209 →
//! 201 MiB), so it stays on.

/// Process-wide settings. Call this first thing in `run()`, before any thread starts
/// (logging, the async runtime, GTK): it may set environment variables, which WebKit's child
/// processes inherit.
pub fn before_start() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    linux::hold_mmap_threshold();
    #[cfg(target_os = "linux")]
    linux::choose_renderer();
}

/// Hands back to the kernel the pages of program and library files this process has
/// mapped and no other process shares (the kernel leaves shared pages alone), as Android
/// compacts an app sent to the background. They are clean copies of files, so nothing is
/// lost: a page needed again is read back in on first touch. Called once a window's
/// start-up is over (start-up code is not run again), and once only the tray is left (the
/// window and WebKit's processes are gone, or the app started in the tray). Without it,
/// the pages start-up and the window touched stay counted against the app while it runs.
pub fn release_file_pages() {
    let done = gatehouse_footprint::page_out_file_pages();
    tracing::debug!(ranges = done.ranges, refused = done.refused, "handed file pages back to the kernel");
}

/// The folder of WebKit web process extensions holding gatehouse-footprint's library, if
/// there is one: the package's (`/usr/lib/gatehouse/web-extensions` beside `/usr/bin`), or
/// a build's (`target/<profile>/web-extensions`, where the scripts copy it). WebKit loads
/// every library in the folder, so it holds that one alone. Linux only (elsewhere the
/// web view's "extensions" are browser extensions).
pub fn web_extensions_dir() -> Option<std::path::PathBuf> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let exe = std::env::current_exe().ok()?;
    let bin = exe.parent()?;
    [bin.join("../lib/gatehouse/web-extensions"), bin.join("web-extensions")]
        .into_iter()
        .find(|dir| dir.join(WEB_EXTENSION_LIBRARY).is_file())
}

/// gatehouse-footprint built as a shared library.
const WEB_EXTENSION_LIBRARY: &str = "libgatehouse_footprint.so";

/// Logs the choices [`before_start`] made (it runs before logging is set up).
pub fn log_choices() {
    #[cfg(target_os = "linux")]
    tracing::debug!(
        dmabuf_renderer = if linux::DMABUF_OFF.load(std::sync::atomic::Ordering::Relaxed) {
            "off (software rendering)"
        } else {
            "WebKit's default"
        },
        web_extensions = ?web_extensions_dir(),
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
