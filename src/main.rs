//! The `sctui` binary: parse the command line, start logging, run. Everything else is in the
//! library so tests drive the same code.

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = sctui::cli::args::parse();
    // Past `ulimit -f`, a write must fail (EFBIG, reported like a full disk) instead of the
    // signal killing the process with the terminal left in the alternate screen.
    #[cfg(unix)]
    let _ = signal_hook::flag::register(
        signal_hook::consts::SIGXFSZ,
        std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
    );
    let _log = sctui::logging::init(cli.global.log_level.as_deref());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("sctui: error: cannot start the async runtime: {e}");
            return ExitCode::from(sctui::cli::exit::FAILURE);
        }
    };
    let code = runtime.block_on(sctui::cli::run(cli));
    // work left on blocking threads (a search being stopped, a write waiting for a lock) gets a
    // moment to end, never a wait the user feels
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    code
}
