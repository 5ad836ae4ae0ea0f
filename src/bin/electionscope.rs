//! `electionscope`: the native batch tool. Runs the same engines as the web page.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::main());
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    /// Standard output that a closed pipe (`electionscope scenarios | head`) ends
    /// quietly instead of with a panic.
    macro_rules! outln {
        ($($arg:tt)*) => {{
            use std::io::Write as _;
            let _ = writeln!(std::io::stdout(), $($arg)*);
        }};
    }
    macro_rules! out {
        ($($arg:tt)*) => {{
            use std::io::Write as _;
            let _ = write!(std::io::stdout(), $($arg)*);
        }};
    }

    use clap::{
        Arg, ArgAction, ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand,
    };
    use electionscope::algo::{Algo, registry};
    use electionscope::config::SimConfig;
    use electionscope::lab::{self, Fault};
    use electionscope::run::{self, Summary};
    use electionscope::scenario::builtins;
    use electionscope::settings::SettingKind;
    use electionscope::trace_file;
    use std::io::Write;

    #[derive(Parser)]
    #[command(
        name = "electionscope",
        version,
        about = "Deterministic simulations of leader-election algorithms"
    )]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Run one simulation and print a summary.
        Run(RunArgs),
        /// Repeat one experiment over consecutive seeds and print distributions.
        Lab(LabArgs),
        /// List the built-in scenarios.
        Scenarios,
        /// List the built-in lessons (run one with `run --lesson NAME`).
        Lessons,
        /// List the algorithms with their settings and built-in scenarios.
        Algorithms {
            /// Print one JSON array instead of text
            #[arg(long)]
            json: bool,
        },
        /// Run the split-brain lab (one scenario per algorithm and defence) and print
        /// the comparison as a Markdown table.
        SplitBrain {
            /// Seed for every case
            #[arg(long, default_value_t = 1)]
            seed: u64,
        },
        /// Measure the usual comparison table of the algorithms (messages to elect over
        /// cluster sizes, time to a new leader, split brain) and print it as Markdown.
        Table {
            /// Seeds per cluster size and per crash experiment
            #[arg(long, default_value_t = 50)]
            trials: u32,
            /// The first seed
            #[arg(long, default_value_t = 1)]
            seed: u64,
        },
    }

    #[derive(Args)]
    struct Common {
        /// Algorithm, raft by default (the list follows the options)
        #[arg(long)]
        algo: Option<String>,
        /// Seed of the run (the first seed, for lab). Random if omitted.
        #[arg(long)]
        seed: Option<String>,
        /// One-way message delay range, e.g. 5-15ms
        #[arg(long)]
        latency: Option<String>,
        /// Message loss rate, e.g. 5%
        #[arg(long)]
        drop: Option<String>,
        /// Shared storage the leaders write to: off, unfenced or fenced
        #[arg(long)]
        storage: Option<String>,
        /// Power off the old leader before a new one is promoted
        #[arg(long)]
        stonith: bool,
        /// Any setting the URL takes, as KEY=VALUE (repeatable), e.g. --set storage=fenced
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        #[command(flatten)]
        settings: SettingFlags,
        /// Print one JSON object instead of text
        #[arg(long)]
        json: bool,
    }

    #[derive(Args)]
    struct RunArgs {
        #[command(flatten)]
        common: Common,
        /// Cluster size, 3 to 25
        #[arg(long)]
        nodes: Option<String>,
        /// Virtual time to simulate, e.g. 10s
        #[arg(long)]
        duration: Option<String>,
        /// A built-in scenario name or a scenario file
        #[arg(long)]
        scenario: Option<String>,
        /// Write the trace to FILE as JSON lines: a first line naming the run (its
        /// settings and actions), then every event (the page's Export trace writes the
        /// same file and imports it)
        #[arg(long, value_name = "FILE")]
        trace: Option<std::path::PathBuf>,
        /// Write the space-time diagram of --window as an SVG file (the page's Export
        /// diagram writes the same file)
        #[arg(long, value_name = "FILE")]
        diagram: Option<std::path::PathBuf>,
        /// The diagram's window, FROM..TO (e.g. 2s..5s); the run's last second (half
        /// second beyond 9 nodes) by default
        #[arg(long, value_name = "FROM..TO", requires = "diagram")]
        window: Option<String>,
        /// The settings as in a page address (algo=raft&nodes=5&seed=7...), e.g. a
        /// trace file's first line; the other flags override them
        #[arg(long, value_name = "QUERY")]
        query: Option<String>,
        /// A built-in lesson name or a lesson file: prints each checkpoint's caption
        /// and the answers this run gives its questions
        #[arg(long, conflicts_with = "scenario")]
        lesson: Option<String>,
        /// A page link's actions (its `acts` value, decoded): what a user did, replayed
        /// where it happened, so the fingerprint matches the page's
        #[arg(long, value_name = "ACTIONS")]
        acts: Option<String>,
    }

    #[derive(Args)]
    struct LabArgs {
        #[command(flatten)]
        common: Common,
        /// Cluster size, a list (3,5,7) or a range (3-9)
        #[arg(long, default_value = "5")]
        nodes: String,
        /// Trials per cluster size
        #[arg(long, default_value_t = 100)]
        trials: u32,
        /// none (cold start) or crash-leader (the Raft paper's Figure 16)
        #[arg(long, default_value = "crash-leader")]
        fault: String,
        /// The page lab's experiments instead, over the --run list (or the run the
        /// other flags describe): recovery (time to a new leader after a crash, its
        /// CDF's percentiles), messages (messages per election at 3 to 25 nodes, cold
        /// start and after a crash, beside the textbook formula and the fitted growth),
        /// faults (random partitions and pauses: time with two leaders, lost updates
        /// without and with fencing, time without a leader)
        #[arg(long, value_name = "NAME")]
        experiment: Option<String>,
        /// A run to measure, its settings as in a page address (algo=bully&nodes=7);
        /// repeat to compare several (at most 8)
        #[arg(long = "run", value_name = "QUERY", requires = "experiment")]
        runs: Vec<String>,
        /// With --experiment: print the data as CSV (what the page saves)
        #[arg(long, requires = "experiment")]
        csv: bool,
    }

    /// One flag per algorithm setting, made from the registry's schemas: `--heartbeat
    /// 50ms`, and a switch such as `--prevote` turns its setting on.
    #[derive(Clone, Debug, Default)]
    struct SettingFlags {
        given: Vec<(String, String)>,
    }

    impl FromArgMatches for SettingFlags {
        fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
            let mut flags = SettingFlags::default();
            flags.update_from_arg_matches(matches)?;
            Ok(flags)
        }

        fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
            for setting in registry::settings() {
                match setting.kind {
                    SettingKind::Switch { on: "on", .. } => {
                        if matches.get_flag(setting.key) {
                            self.given.push((setting.key.into(), "on".into()));
                        }
                    }
                    _ => {
                        if let Some(v) = matches.get_one::<String>(setting.key) {
                            self.given.push((setting.key.into(), v.clone()));
                        }
                    }
                }
            }
            Ok(())
        }
    }

    impl Args for SettingFlags {
        fn augment_args(mut cmd: clap::Command) -> clap::Command {
            for setting in registry::settings() {
                let help = format!(
                    "{}: {} (default {})",
                    registry::readers(setting.key).join(", "),
                    setting.about,
                    setting.format(setting.default)
                );
                let arg = Arg::new(setting.key).long(setting.key);
                cmd = cmd.arg(match setting.kind {
                    // `--prevote` turns a plain switch on; a switch with words of its
                    // own takes them: `--backoff none`.
                    SettingKind::Switch { on: "on", .. } => {
                        arg.action(ArgAction::SetTrue).help(format!(
                            "{}: {}",
                            registry::readers(setting.key).join(", "),
                            setting.about
                        ))
                    }
                    _ => arg.value_name("VALUE").help(help),
                });
            }
            cmd
        }

        fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
            Self::augment_args(cmd)
        }
    }

    /// The defaults and the algorithms, after the flags in `--help`.
    fn after_help() -> String {
        let mut out = String::from(
            "Defaults: 5 nodes, seed chosen at random, 10s of virtual time, latency 5-15ms, no message loss.\n\nAlgorithms (--algo):\n",
        );
        for a in Algo::all() {
            out.push_str(&format!("  {:<10} {}\n", a.name, a.title));
            for s in a.settings {
                out.push_str(&format!(
                    "      --{:<18} {}, default {}\n",
                    s.key,
                    s.label,
                    s.format(s.default)
                ));
            }
        }
        out
    }

    /// Explicit settings as (key, value), in the shared config vocabulary.
    fn overrides(c: &Common) -> Result<Vec<(String, String)>, String> {
        let mut o = Vec::new();
        let mut add = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                o.push((k.to_string(), v.clone()));
            }
        };
        add("algo", &c.algo);
        add("seed", &c.seed);
        add("latency", &c.latency);
        add("drop", &c.drop);
        add("storage", &c.storage);
        if c.stonith {
            o.push(("stonith".into(), "on".into()));
        }
        o.extend(c.settings.given.iter().cloned());
        for kv in &c.set {
            match kv.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => o.push((k.trim().into(), v.into())),
                _ => {
                    return Err(format!(
                        "--set: '{kv}' is not KEY=VALUE, e.g. storage=fenced"
                    ));
                }
            }
        }
        Ok(o)
    }

    fn fail(message: impl std::fmt::Display) -> i32 {
        eprintln!("electionscope: {message}");
        2
    }

    pub fn main() -> i32 {
        let parsed = Cli::command()
            .after_help(after_help())
            .mut_subcommand("run", |c| c.after_help(after_help()))
            .mut_subcommand("lab", |c| c.after_help(after_help()))
            .try_get_matches()
            .and_then(|m| Cli::from_arg_matches(&m));
        let cli = match parsed {
            Ok(c) => c,
            Err(e) => {
                let _ = e.print();
                return if e.use_stderr() { 2 } else { 0 };
            }
        };
        match cli.command {
            Command::Run(a) => run_cmd(a),
            Command::Lab(a) => lab_cmd(a),
            Command::Scenarios => {
                let width = builtins().map(|b| b.name.len()).max().unwrap_or(0);
                for b in builtins() {
                    outln!("{:<width$}  {}", b.name, b.title);
                }
                0
            }
            Command::Lessons => {
                let lessons = electionscope::lesson::BUILTINS;
                let width = lessons.iter().map(|l| l.name.len()).max().unwrap_or(0);
                for l in lessons {
                    outln!("{:<width$}  {}", l.name, l.title);
                }
                0
            }
            Command::Algorithms { json } => {
                algorithms(json);
                0
            }
            Command::Table { trials, seed } => {
                if trials == 0 || trials > 10_000 {
                    return fail("--trials: give 1 to 10000");
                }
                let rows: Result<Vec<_>, String> = Algo::all()
                    .map(|a| electionscope::table::measure(a, trials, seed))
                    .collect();
                match rows {
                    Ok(rows) => {
                        out!("{}", electionscope::table::to_markdown(&rows, trials, seed));
                        0
                    }
                    Err(e) => fail(e),
                }
            }
            Command::SplitBrain { seed } => match electionscope::split_brain::run_all(seed) {
                Ok(outcomes) => {
                    out!("{}", electionscope::split_brain::table(&outcomes, seed));
                    0
                }
                Err(e) => fail(e),
            },
        }
    }

    /// What the registry holds, for people and for tools (the browser tests iterate it).
    fn algorithms(json: bool) {
        if json {
            let list: Vec<serde_json::Value> = Algo::all()
                .map(|a| {
                    let settings: Vec<serde_json::Value> = a
                        .settings
                        .iter()
                        .map(|s| {
                            let choices: Vec<String> = match &s.kind {
                                SettingKind::Choice(cs) => {
                                    cs.iter().map(|c| c.name.to_string()).collect()
                                }
                                SettingKind::Switch { on, off } => {
                                    vec![off.to_string(), on.to_string()]
                                }
                                _ => Vec::new(),
                            };
                            serde_json::json!({
                                "key": s.key,
                                "label": s.label,
                                "default": s.format(s.default),
                                "expects": s.expects(),
                                "choices": choices,
                            })
                        })
                        .collect();
                    let scenarios: Vec<&str> = a.scenarios.iter().map(|b| b.name).collect();
                    let messages: Vec<serde_json::Value> = a
                        .messages
                        .iter()
                        .map(|(class, meaning)| {
                            serde_json::json!({
                                "class": class.as_str(),
                                "meaning": meaning,
                            })
                        })
                        .collect();
                    serde_json::json!({
                        "name": a.name,
                        "title": a.title,
                        "leadership": a.leadership,
                        "quorum": a.quorum,
                        "service": a.service,
                        "settings": settings,
                        "scenarios": scenarios,
                        "messages": messages,
                    })
                })
                .collect();
            outln!("{}", serde_json::Value::Array(list));
            return;
        }
        for a in Algo::all() {
            outln!("{:<10} {}", a.name, a.title);
            for s in a.settings {
                outln!(
                    "    --{:<18} {} (default {})",
                    s.key,
                    s.expects(),
                    s.format(s.default)
                );
            }
        }
    }

    fn seed_note(c: &Common, cfg: &mut SimConfig) {
        if c.seed.is_none() {
            cfg.seed = electionscope::fresh_seed();
            if !c.json {
                outln!(
                    "seed {} (chosen at random; pass --seed {} to repeat)",
                    cfg.seed,
                    cfg.seed
                );
            }
        }
    }

    fn run_cmd(a: RunArgs) -> i32 {
        let mut cfg = SimConfig::default();
        let from_query: Vec<(String, String)> = a
            .query
            .as_deref()
            .map(electionscope::config::query_pairs)
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| !electionscope::config::FRONTEND_KEYS.contains(&k.as_str()))
            .collect();
        if from_query.iter().any(|(k, _)| k == "seed") {
            cfg.seed = 0; // the query's seed applies below
        } else {
            seed_note(&a.common, &mut cfg);
        }
        let mut o = match overrides(&a.common) {
            Ok(o) => [from_query, o].concat(),
            Err(e) => return fail(e),
        };
        if let Some(n) = &a.nodes {
            o.push(("nodes".into(), n.clone()));
        }
        if let Some(d) = &a.duration {
            o.push(("duration".into(), d.clone()));
        }
        if let Some(s) = &a.scenario {
            let path = std::path::Path::new(s);
            cfg.scenario = Some(if path.is_file() {
                match std::fs::read_to_string(path) {
                    Ok(text) => text,
                    Err(e) => return fail(format!("cannot read scenario {s}: {e}")),
                }
            } else {
                s.clone()
            });
        }
        let lesson = match &a.lesson {
            None => None,
            Some(spec) => {
                let text = match electionscope::lesson::builtin(spec) {
                    Some(b) => b.text.to_string(),
                    None => match std::fs::read_to_string(spec) {
                        Ok(text) => text,
                        Err(e) => {
                            let names: Vec<&str> = electionscope::lesson::BUILTINS
                                .iter()
                                .map(|l| l.name)
                                .collect();
                            return fail(format!(
                                "--lesson: '{spec}' is neither a built-in lesson ({}) nor a readable file: {e}",
                                names.join(", ")
                            ));
                        }
                    },
                };
                match electionscope::lesson::Lesson::parse(&text) {
                    Ok(l) => {
                        cfg.scenario = Some(l.scenario_text.clone());
                        Some(l)
                    }
                    Err(e) => return fail(format!("lesson: {e}")),
                }
            }
        };
        let cfg = match run::resolve(cfg, &o) {
            Ok(c) => c,
            Err(e) => return fail(e),
        };
        if let Some(lesson) = &lesson {
            let resolved = match lesson.resolve(&cfg) {
                Ok(r) => r,
                Err(e) => return fail(format!("lesson: {e}")),
            };
            if a.common.json {
                outln!("{}", serde_json::to_string(&resolved).unwrap_or_default());
                return 0;
            }
            outln!("{}", lesson.description);
            outln!(
                "(seed {}, {} nodes, {})",
                cfg.seed,
                cfg.nodes,
                electionscope::sim::Human(cfg.duration)
            );
            for r in &resolved {
                outln!();
                outln!("at {} (line {}):", electionscope::sim::Human(r.at), r.line);
                for line in r.caption.lines() {
                    outln!("  {line}");
                }
                if let Some(q) = &r.question {
                    outln!("  choices: {}", q.choices.join(" / "));
                    if let Some(column) = &r.on {
                        outln!("  answered by the {column} column");
                    }
                    outln!(
                        "  answer:  {} (decided at {}: {})",
                        q.answer,
                        electionscope::sim::Human(q.decided_at),
                        q.because
                    );
                }
            }
            return 0;
        }
        for w in cfg.warnings() {
            eprintln!("electionscope: warning: {w}");
        }
        let mut sim = match run::build(&cfg, 0) {
            Ok(r) => r,
            Err(e) => return fail(e),
        };
        if let Some(text) = &a.acts {
            let loaded = electionscope::link::decode_actions(text)
                .and_then(|actions| sim.load_actions(actions));
            if let Err(e) = loaded {
                return fail(format!("--acts: {e}"));
            }
        }
        if let Some(path) = &a.diagram {
            let window = match &a.window {
                Some(w) => electionscope::diagram_svg::parse_window(w, cfg.duration),
                None => {
                    let w = electionscope::viewmodel::lamport_window(cfg.nodes as usize);
                    Ok((cfg.duration.saturating_sub(w), cfg.duration))
                }
            };
            let svg = window.and_then(|(from, to)| {
                electionscope::diagram_svg::render(&cfg, sim.actions(), from, to, &mut |_| {})
            });
            match svg {
                Ok(svg) => {
                    if let Err(e) = std::fs::write(path, svg) {
                        return fail(format!("cannot write diagram {}: {e}", path.display()));
                    }
                }
                Err(e) => return fail(format!("--diagram: {e}")),
            }
        }
        let mut trace_error = None;
        if let Some(path) = &a.trace {
            match std::fs::File::create(path) {
                Ok(f) => {
                    let mut w = std::io::BufWriter::new(f);
                    let header = trace_file::header_line(&cfg, sim.actions());
                    let _ = writeln!(w, "{header}");
                    sim.set_sink(Some(Box::new(move |e| {
                        let _ = writeln!(w, "{}", trace_file::event_line(e));
                    })));
                }
                Err(e) => trace_error = Some(format!("cannot write trace {}: {e}", path.display())),
            }
        }
        if let Some(e) = trace_error {
            return fail(e);
        }
        sim.advance(cfg.duration);
        sim.set_sink(None); // flushes the trace file
        let summary = Summary::of(sim.as_ref());
        if a.common.json {
            outln!("{}", serde_json::to_string(&summary).unwrap_or_default());
        } else {
            out!("{}", summary.to_text());
        }
        0
    }

    fn parse_sizes(text: &str) -> Result<Vec<u32>, String> {
        let bad =
            || format!("--nodes: '{text}' is not a size, a list like 3,5,7 or a range like 3-9");
        let mut out = Vec::new();
        for part in text.split(',') {
            let part = part.trim();
            if let Some((a, b)) = part.split_once('-') {
                let (a, b): (u32, u32) = (
                    a.trim().parse().map_err(|_| bad())?,
                    b.trim().parse().map_err(|_| bad())?,
                );
                if a > b {
                    return Err(bad());
                }
                out.extend(a..=b);
            } else {
                out.push(part.parse().map_err(|_| bad())?);
            }
        }
        Ok(out)
    }

    fn experiment_cmd(a: &LabArgs, name: &str) -> i32 {
        use electionscope::experiment;
        let kind = match experiment::Kind::parse(name) {
            Ok(k) => k,
            Err(e) => return fail(format!("--experiment: {e}")),
        };
        if a.trials == 0 {
            return fail("--trials must be at least 1");
        }
        let o = match overrides(&a.common) {
            Ok(o) => o,
            Err(e) => return fail(e),
        };
        let mut seed = match run::resolve(SimConfig::default(), &o) {
            Ok(c) => c,
            Err(e) => return fail(e),
        };
        seed_note(&a.common, &mut seed);
        let listed = if a.runs.is_empty() {
            // The run the other flags describe, spelled as in a page address.
            let pairs: Vec<String> = o
                .iter()
                .filter(|(k, _)| k != "seed")
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            if pairs.is_empty() {
                format!("algo={}", seed.algo)
            } else {
                pairs.join("&")
            }
        } else {
            a.runs.join("\n")
        };
        let runs = match experiment::parse_runs(&listed) {
            Ok(r) => r,
            Err(e) => return fail(format!("--run: {e}")),
        };
        let report = match experiment::run(kind, &runs, a.trials, seed.seed, &mut |_| {}) {
            Ok(r) => r,
            Err(e) => return fail(e),
        };
        if a.common.json {
            outln!("{}", report.json);
        } else if a.csv {
            out!("{}", report.csv);
        } else {
            out!("{}", report.text);
        }
        0
    }

    fn lab_cmd(a: LabArgs) -> i32 {
        if let Some(name) = &a.experiment {
            return experiment_cmd(&a, name);
        }
        let fault = match Fault::parse(&a.fault) {
            Ok(f) => f,
            Err(e) => return fail(format!("--fault: {e}")),
        };
        let sizes = match parse_sizes(&a.nodes) {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        if a.trials == 0 {
            return fail("--trials must be at least 1");
        }
        let mut base = SimConfig::default();
        seed_note(&a.common, &mut base);
        let mut rows = Vec::new();
        for n in sizes {
            let mut o = match overrides(&a.common) {
                Ok(o) => o,
                Err(e) => return fail(e),
            };
            o.push(("nodes".into(), n.to_string()));
            let cfg = match run::resolve(base.clone(), &o) {
                Ok(c) => c,
                Err(e) => return fail(e),
            };
            match lab::experiment(&cfg, fault, a.trials) {
                Ok(row) => rows.push(row),
                Err(e) => return fail(e),
            }
        }
        if a.common.json {
            let out = serde_json::json!({ "fault": fault, "rows": rows });
            outln!("{out}");
        } else {
            out!("{}", lab::rows_to_text(&rows, fault));
        }
        0
    }
}
