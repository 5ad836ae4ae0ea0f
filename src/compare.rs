//! Side by side (`?compare=raft,bully`): the same seed, cluster and fault schedule run
//! by several algorithms, and what differs between them so far, as a table and as
//! sentences. Plain Rust over each run's view and statistics, tested natively.

use crate::algo::Algo;
use crate::sim::time::Rounded;
use crate::sim::{ClusterView, Micros, Stats};

/// Algorithms side by side at most (each column needs room for its cluster).
pub const MAX_COLUMNS: usize = 4;

/// One run as the comparison reads it.
pub struct Column<'a> {
    pub algo: Algo,
    pub view: &'a ClusterView,
    pub stats: &'a Stats,
}

/// The differences so far: a row per measure, a value per column; and sentences for
/// the ones that differ.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub rows: Vec<(&'static str, Vec<String>)>,
    pub sentences: Vec<String>,
}

/// The algorithms of a `compare=` list: two to four distinct names.
pub fn parse_list(text: &str) -> Result<Vec<Algo>, String> {
    let mut algos: Vec<Algo> = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let algo = Algo::parse(&name.chars().take(20).collect::<String>())?;
        if algos.contains(&algo) {
            return Err(format!("{} is listed twice", algo.name));
        }
        algos.push(algo);
    }
    if !(2..=MAX_COLUMNS).contains(&algos.len()) {
        return Err(format!(
            "name two to {MAX_COLUMNS} algorithms, e.g. compare=raft,bully (got {})",
            algos.len()
        ));
    }
    Ok(algos)
}

fn first_leader(stats: &Stats) -> Option<Micros> {
    stats.leaders.first().map(|l| l.at)
}

pub fn compare(columns: &[Column]) -> Comparison {
    let each = |f: &dyn Fn(&Column) -> String| columns.iter().map(f).collect::<Vec<_>>();
    let mut rows = vec![
        (
            "first leader",
            each(&|c| first_leader(c.stats).map_or("not yet".into(), |t| Rounded(t).to_string())),
        ),
        (
            "leader now",
            each(&|c| {
                c.view
                    .leader
                    .map_or("none".into(), |(n, _)| format!("n{n}"))
            }),
        ),
        ("elections", each(&|c| c.stats.elections.to_string())),
        (
            "messages sent",
            each(&|c| c.stats.messages_sent.to_string()),
        ),
        (
            "most leaders at once",
            each(&|c| c.stats.most_leaders.to_string()),
        ),
        (
            "time without a leader",
            each(&|c| Rounded(c.stats.leaderless_us).to_string()),
        ),
    ];
    if columns.iter().any(|c| c.view.storage.is_some()) {
        rows.push((
            "lost updates",
            each(&|c| {
                c.view
                    .storage
                    .as_ref()
                    .map_or("-".into(), |s| s.lost_updates.to_string())
            }),
        ));
    }
    Comparison {
        rows,
        sentences: sentences(columns),
    }
}

/// When something first happened: "at the start" rather than "at 0us".
fn at(t: Micros) -> String {
    match t {
        0 => "at the start".into(),
        t => format!("at {}", Rounded(t)),
    }
}

fn names(columns: &[&Column]) -> String {
    let titles: Vec<&str> = columns.iter().map(|c| c.algo.title).collect();
    match titles.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The differences in words, each only once it exists.
fn sentences(columns: &[Column]) -> Vec<String> {
    let mut out = Vec::new();
    // Who had a leader first.
    let mut elected: Vec<(Micros, &Column)> = columns
        .iter()
        .filter_map(|c| first_leader(c.stats).map(|t| (t, c)))
        .collect();
    elected.sort_unstable_by_key(|(t, _)| *t);
    if let Some(&(t, first)) = elected.first() {
        let others: Vec<String> = columns
            .iter()
            .filter(|c| c.algo != first.algo)
            .map(|c| match first_leader(c.stats) {
                Some(u) => format!("{} {}", c.algo.title, at(u)),
                None => format!("{} none yet", c.algo.title),
            })
            .collect();
        if elected.len() < columns.len() || elected.get(1).is_some_and(|(u, _)| *u > t) {
            out.push(format!(
                "{} had a leader first, {} ({}).",
                first.algo.title,
                at(t),
                others.join(", ")
            ));
        }
    }
    // Messages: the most against the fewest, once both sent some.
    let most = columns.iter().max_by_key(|c| c.stats.messages_sent);
    let fewest = columns.iter().min_by_key(|c| c.stats.messages_sent);
    // Within a fifth of each other is no difference worth a sentence.
    if let (Some(most), Some(fewest)) = (most, fewest)
        && fewest.stats.messages_sent > 0
        && most.stats.messages_sent * 5 >= fewest.stats.messages_sent * 6
    {
        let ratio = most.stats.messages_sent as f64 / fewest.stats.messages_sent as f64;
        out.push(format!(
            "{} sent {ratio:.1}× the messages of {} ({} against {}).",
            most.algo.title,
            fewest.algo.title,
            most.stats.messages_sent,
            fewest.stats.messages_sent
        ));
    }
    // Split brain on one side only.
    let split: Vec<&Column> = columns
        .iter()
        .filter(|c| c.stats.most_leaders >= 2)
        .collect();
    let single: Vec<&Column> = columns
        .iter()
        .filter(|c| c.stats.most_leaders < 2)
        .collect();
    if !split.is_empty() && !single.is_empty() {
        let worst = split
            .iter()
            .map(|c| c.stats.most_leaders)
            .max()
            .unwrap_or(2);
        out.push(format!(
            "{} had {worst} leaders at once; {} never more than one.",
            names(&split),
            names(&single)
        ));
    }
    // Lost updates, where the storage is on.
    let lost: Vec<&Column> = columns
        .iter()
        .filter(|c| c.view.storage.as_ref().is_some_and(|s| s.lost_updates > 0))
        .collect();
    let kept: Vec<&Column> = columns
        .iter()
        .filter(|c| c.view.storage.as_ref().is_some_and(|s| s.lost_updates == 0))
        .collect();
    if !lost.is_empty() && !kept.is_empty() {
        out.push(format!(
            "{} lost updates; {} lost none.",
            names(&lost),
            names(&kept)
        ));
    }
    out
}
