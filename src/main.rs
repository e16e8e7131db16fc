//! The `arq` binary: everything lives in the library; this only hands over.

// mimalloc: arq's bulk paths (imports, the daily run over 100k accounts) allocate and
// free millions of small strings, often on different threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // SIGPIPE stays ignored (Rust's default): a command arq feeds (the SMS gateway)
    // that exits early is a failed delivery, not the end of arq. Output piped into
    // `head` still ends quietly: the command line's writer exits on a closed pipe.
    arq::cli::main()
}
