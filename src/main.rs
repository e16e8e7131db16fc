//! The `arq` binary: everything lives in the library; this only hands over.

// mimalloc: arq's bulk paths (imports, the daily run over 100k accounts) allocate and
// free millions of small strings, often on different threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    arq::cli::main()
}
