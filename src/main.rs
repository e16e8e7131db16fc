//! The `arq` binary: everything lives in the library; this only hands over.

// mimalloc: arq's bulk paths (imports, the daily run over 100k accounts) allocate and
// free millions of small strings, often on different threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Output piped into `head` ends the process quietly, as Unix tools do, instead of
    // a panic on the closed pipe.
    #[cfg(unix)]
    // SAFETY: called first thing, before any other thread exists; it only restores the
    // default action of one signal.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    arq::cli::main()
}
