//! The `dvc-portal` command: subcommands only; the work is in the library.

use clap::{Parser, Subcommand};
use dvc_portal::app::{Application, open_database};
use dvc_portal::clock::Clock;
use dvc_portal::config::Config;
use dvc_portal::db::migrate;
use dvc_portal::files::FileStore;
use dvc_portal::services::{demo, reference_data};

#[derive(Parser)]
#[command(name = "dvc-portal", version, about = "Cổng dịch vụ công và hệ thống một cửa điện tử của tỉnh")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (migrating the database first).
    Serve {
        /// Create the database if needed and load the demo province's data before serving.
        #[arg(long)]
        demo: bool,
    },
    /// Run the background worker alone (outbox: mail), until SIGINT or SIGTERM.
    Worker,
    /// Create or upgrade the database schema.
    Migrate,
    /// Load the reference data and the demo province (agencies, catalogue, forms).
    SeedDemo,
    /// Load administrative units, the 2025 mapping and public holidays.
    ImportUnits,
    /// Run paygov-sim, the simulated payment gateway (no real money), until SIGINT or SIGTERM.
    PaygovSim(PaygovSimArgs),
    /// Run portal-sim, the simulated national public-service portal (dossier sync), until
    /// SIGINT or SIGTERM.
    PortalSim(PortalSimArgs),
    /// Queue the national-portal sync of every history row that has none yet (dossiers from
    /// before the portal was connected, or loaded in bulk); idempotent.
    PortalBackfill,
    /// Fill the database with a province-year of dossiers for benchmarks (bench/README.md).
    ///
    /// Seeds the demo catalogue first if it is missing. Refuses a database that already holds
    /// more than a few thousand dossiers unless --append. On SQLite the load runs with
    /// synchronous=OFF and without foreign-key checks: a crash during the load can corrupt the
    /// database, so use it on benchmark databases only.
    SeedLoad {
        /// How many dossiers.
        #[arg(long, default_value_t = 1_000_000)]
        dossiers: u64,
        /// How many agencies: UBND tỉnh, the departments, then the first communes.
        #[arg(long, default_value_t = 100)]
        agencies: usize,
        /// How many procedures of the demo catalogue.
        #[arg(long, default_value_t = 40)]
        procedures: usize,
        /// Random seed: the same seed gives the same dossiers.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// The year of submissions.
        #[arg(long, default_value_t = 2026)]
        year: i32,
        /// Last day of submissions (YYYY-MM-DD) and the "as of" of the states; default 31/12.
        #[arg(long)]
        until: Option<chrono::NaiveDate>,
        /// Add to a database that already holds dossiers.
        #[arg(long)]
        append: bool,
    },
}

/// The options of `paygov-sim`; each fault is described in `sim::paygov::Faults`.
#[derive(clap::Args)]
struct PaygovSimArgs {
    /// Where to listen (keep it on 127.0.0.1: the /sim/* controls have no authentication).
    #[arg(long, env = "DVC_PAYGOV_SIM_BIND", default_value = "127.0.0.1:8090")]
    bind: String,
    /// Base URL of the payment pages as browsers reach them (default: the bound address).
    #[arg(long, env = "DVC_PAYGOV_SIM_PUBLIC_URL")]
    public_url: Option<String>,
    /// The portal's endpoint for CONFIRM callbacks.
    #[arg(long, default_value = "http://127.0.0.1:8080/api/payments/confirm")]
    confirm_url: String,
    /// The partner code (MaDoiTac) accepted.
    #[arg(long, env = "DVC_PAYGOV_PARTNER", default_value = "TH-DVC")]
    partner: String,
    /// The key of the messages the portal signs.
    #[arg(long, env = "DVC_PAYGOV_SECRET", default_value = dvc_portal::config::DEMO_PAYGOV_SECRET, hide_env_values = true)]
    secret: String,
    /// The key the simulator signs with (default: --secret).
    #[arg(long, env = "DVC_PAYGOV_CALLBACK_SECRET", hide_env_values = true)]
    callback_secret: Option<String>,
    /// Wait this many milliseconds before answering /api/* and the payment pages.
    #[arg(long, default_value_t = 0)]
    slow_ms: u64,
    /// Answer HTTP 500 to /api/*.
    #[arg(long)]
    api_error: bool,
    /// Never deliver the CONFIRMs of transactions settled while set.
    #[arg(long)]
    drop_callback: bool,
    /// Deliver each CONFIRM twice, concurrently.
    #[arg(long)]
    duplicate_callback: bool,
    /// Sign the first delivery attempt of each CONFIRM with a wrong key.
    #[arg(long)]
    bad_signature: bool,
    /// Send SoTien + 1000 in the first delivery attempt of each CONFIRM.
    #[arg(long)]
    wrong_amount: bool,
    /// Leave paid transactions pending until POST /sim/settle/{reference}.
    #[arg(long)]
    leave_pending: bool,
}

/// The options of `portal-sim`; each fault is described in `sim::portal::Faults`.
#[derive(clap::Args)]
struct PortalSimArgs {
    /// Where to listen (keep it on 127.0.0.1: the /sim/* controls have no authentication).
    #[arg(long, env = "DVC_PORTAL_SIM_BIND", default_value = "127.0.0.1:8091")]
    bind: String,
    /// The account accepted.
    #[arg(long, env = "DVC_PORTAL_USERNAME", default_value = dvc_portal::sim::portal::DEMO_USERNAME)]
    username: String,
    /// Its password.
    #[arg(long, env = "DVC_PORTAL_PASSWORD", default_value = dvc_portal::sim::portal::DEMO_PASSWORD, hide_env_values = true)]
    password: String,
    /// Minutes a session token lives.
    #[arg(long, default_value_t = 30)]
    token_minutes: i64,
    /// Answer 503 with an HTML page, as a proxy in front of a portal that is down.
    #[arg(long)]
    down: bool,
    /// Wait this many milliseconds before answering.
    #[arg(long, default_value_t = 0)]
    slow_ms: u64,
    /// Answer HTTP 500.
    #[arg(long)]
    error_500: bool,
    /// Refuse every dossier and progress call as invalid.
    #[arg(long)]
    invalid: bool,
    /// Let a session token work for this many calls only (0: no limit).
    #[arg(long, default_value_t = 0)]
    token_calls: u32,
}

fn main() {
    dvc_portal::telemetry::init();
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("dvc-portal: {e:#}");
        std::process::exit(1);
    }
}

/// Blocks until Ctrl-C or SIGTERM (the standalone worker and paygov-sim).
fn wait_for_stop() -> std::io::Result<()> {
    actix_web::rt::System::new().block_on(async {
        let mut term = actix_web::rt::signal::unix::signal(actix_web::rt::signal::unix::SignalKind::terminate())?;
        first_of(actix_web::rt::signal::ctrl_c(), term.recv()).await;
        Ok(())
    })
}

/// Waits for whichever of two futures ends first.
async fn first_of<A: std::future::Future, B: std::future::Future>(a: A, b: B) {
    let (a, b) = (std::pin::pin!(a), std::pin::pin!(b));
    futures_util::future::select(a, b).await;
}

fn print_reports(reports: &[reference_data::ImportReport]) {
    for r in reports {
        println!("{r}");
    }
    if reports.iter().all(|r| r.unchanged()) {
        println!("nothing changed: the database already holds this data");
    }
}

fn seed(config: &Config, with_catalogue: bool) -> anyhow::Result<()> {
    let db = open_database(config)?;
    let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut reports = reference_data::import_all(&mut conn, &config.refdata_dir)?;
    if with_catalogue {
        let files = FileStore::new(&config.data_dir);
        reports.extend(demo::seed_catalogue(&mut conn, &config.refdata_dir, &files, &Clock::System)?);
        let staff = dvc_portal::services::staff::seed_demo_staff(&mut conn, &Clock::System)?;
        println!("demo staff: {staff} created");
    }
    print_reports(&reports);
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::from_env()?;
    match cli.command {
        Command::Serve { demo } => {
            if demo {
                config.create_database = true;
                // The demo runs on plain http://127.0.0.1: cookies cannot require HTTPS there
                // unless asked to.
                if std::env::var("DVC_SECURE_COOKIES").is_err() {
                    config.secure_cookies = false;
                }
                seed(&config, true)?;
            }
            // The demo pays through paygov-sim in this process unless a gateway is configured;
            // the handle keeps it running while the portal serves.
            let mut paygov_sim = None;
            if demo && config.paygov_url.is_none() {
                use dvc_portal::sim::paygov::{SimConfig, start};
                let confirm_url = format!("{}/api/payments/confirm", config.base_url.trim_end_matches('/'));
                let mut sim =
                    SimConfig::local(&confirm_url, &config.paygov_partner, &config.paygov_secret, Clock::System);
                let chosen = std::env::var("DVC_PAYGOV_SIM_BIND").ok();
                sim.bind = chosen.clone().unwrap_or_else(|| "127.0.0.1:8090".to_owned());
                sim.callback_secret =
                    config.paygov_callback_secret.clone().unwrap_or_else(|| config.paygov_secret.clone());
                let sim = match start(sim.clone()) {
                    // The default port is taken: any free one will do, the portal is told which.
                    Err(e) if chosen.is_none() => {
                        tracing::warn!(error = %format!("{e:#}"), "paygov-sim: port 8090 taken, using a free port");
                        start(SimConfig { bind: "127.0.0.1:0".to_owned(), ..sim })?
                    }
                    started => started?,
                };
                println!("paygov-sim: {}", sim.url());
                config.paygov_url = Some(sim.url());
                paygov_sim = Some(sim);
            }
            // The demo syncs to portal-sim in this process unless a national portal is configured.
            let mut portal_sim = None;
            if demo && config.portal_url.is_none() {
                use dvc_portal::sim::portal::{SimConfig, start};
                let mut sim = SimConfig::local(Clock::System);
                let chosen = std::env::var("DVC_PORTAL_SIM_BIND").ok();
                sim.bind = chosen.clone().unwrap_or_else(|| "127.0.0.1:8091".to_owned());
                sim.username = config.portal_username.clone();
                sim.password = config.portal_password.clone();
                let sim = match start(sim.clone()) {
                    Err(e) if chosen.is_none() => {
                        tracing::warn!(error = %format!("{e:#}"), "portal-sim: port 8091 taken, using a free port");
                        start(SimConfig { bind: "127.0.0.1:0".to_owned(), ..sim })?
                    }
                    started => started?,
                };
                println!("portal-sim: {} (what the national portal received)", sim.url());
                config.portal_url = Some(sim.url());
                portal_sim = Some(sim);
            }
            if !demo && config.portal_url.is_some() && config.portal_password == dvc_portal::sim::portal::DEMO_PASSWORD
            {
                anyhow::bail!(
                    "DVC_PORTAL_URL is set but DVC_PORTAL_PASSWORD is the demo password: set the account the national portal issued"
                );
            }
            // A real gateway with the published demo key would accept forged callbacks.
            if !demo && config.paygov_url.is_some() && config.paygov_secret == dvc_portal::config::DEMO_PAYGOV_SECRET {
                anyhow::bail!(
                    "DVC_PAYGOV_URL is set but DVC_PAYGOV_SECRET is the demo key: set the key the gateway issued"
                );
            }
            let app = Application::build(config.clone(), Clock::System)?;
            let worker = if config.run_worker { Some(app.start_worker()?) } else { None };
            tracing::info!(port = app.port(), bind = %config.bind, "portal listening");
            println!("dvc-portal: serving on http://{}", config.bind);
            let served = actix_web::rt::System::new().block_on(app.run_until_stopped());
            if let Some(worker) = worker {
                worker.stop();
            }
            if let Some(sim) = paygov_sim {
                sim.stop();
            }
            if let Some(sim) = portal_sim {
                sim.stop();
            }
            served?;
        }
        Command::Worker => {
            let db = open_database(&config)?;
            let ctx = dvc_portal::jobs::JobContext::new(db, Clock::System, config)?;
            let worker = dvc_portal::jobs::spawn_worker(ctx, std::time::Duration::from_secs(2));
            println!("dvc-portal: worker running; stop with Ctrl-C or SIGTERM");
            wait_for_stop()?;
            worker.stop();
            println!("dvc-portal: worker stopped, leases released");
        }
        Command::PaygovSim(args) => {
            use dvc_portal::sim::paygov::{Faults, SimConfig, start};
            let faults = Faults {
                slow_ms: args.slow_ms,
                api_error: args.api_error,
                drop_callback: args.drop_callback,
                duplicate_callback: args.duplicate_callback,
                bad_signature: args.bad_signature,
                wrong_amount: args.wrong_amount,
                leave_pending: args.leave_pending,
            };
            let mut sim = SimConfig::local(&args.confirm_url, &args.partner, &args.secret, Clock::System);
            sim.bind = args.bind;
            sim.public_url = args.public_url;
            sim.callback_secret = args.callback_secret.unwrap_or(args.secret);
            sim.faults = faults;
            let sim = start(sim)?;
            println!("paygov-sim: {} (CONFIRM to {}); stop with Ctrl-C or SIGTERM", sim.url(), args.confirm_url);
            wait_for_stop()?;
            sim.stop();
            println!("paygov-sim: stopped");
        }
        Command::PortalSim(args) => {
            use dvc_portal::sim::portal::{Faults, SimConfig, start};
            let mut sim = SimConfig::local(Clock::System);
            sim.bind = args.bind;
            sim.username = args.username;
            sim.password = args.password;
            sim.token_ttl = chrono::TimeDelta::minutes(args.token_minutes.clamp(1, 24 * 60));
            sim.faults = Faults {
                down: args.down,
                slow_ms: args.slow_ms,
                error_500: args.error_500,
                invalid: args.invalid,
                token_calls: args.token_calls,
                ..Faults::default()
            };
            let sim = start(sim)?;
            println!(
                "portal-sim: {} (read-only page at /, JSON at /sim/store); stop with Ctrl-C or SIGTERM",
                sim.url()
            );
            wait_for_stop()?;
            sim.stop();
            println!("portal-sim: stopped");
        }
        Command::PortalBackfill => {
            let db = open_database(&config)?;
            let queued = dvc_portal::services::portal_sync::backfill(&db, 1000)?;
            println!("portal-backfill: {queued} history rows queued for the national portal");
        }
        Command::Migrate => {
            config.create_database = true;
            let db = open_database(&config)?;
            let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
            let pending = migrate::run_pending(&mut conn)?;
            println!("database is up to date ({} migrations were pending)", pending.len());
        }
        Command::SeedDemo => {
            config.create_database = true;
            seed(&config, true)?;
        }
        Command::ImportUnits => {
            config.create_database = true;
            seed(&config, false)?;
        }
        Command::SeedLoad { dossiers, agencies, procedures, seed: random_seed, year, until, append } => {
            use dvc_portal::services::seed_load;
            let db = open_database(&config)?;
            let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
            if seed_load::catalogue_missing(&mut conn)? {
                println!("seed-load: the demo catalogue is missing; seeding it first");
                seed(&config, true)?;
            }
            let options =
                seed_load::LoadOptions { dossiers, agencies, procedures, seed: random_seed, year, until, append };
            let report = seed_load::run(&mut conn, &options, &mut |p| {
                println!(
                    "seed-load: {:>9} / {} dossiers, {:>9} history rows, up to {}, {:.0} s",
                    p.dossiers,
                    p.total,
                    p.events,
                    p.day.format("%d/%m/%Y"),
                    p.elapsed.as_secs_f64()
                );
            })?;
            println!("{report}");
        }
    }
    Ok(())
}
