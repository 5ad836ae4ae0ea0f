//! The kernel reads each node's `Headline` after every step (narration of role
//! changes, the watch) and makes full views only when the cluster is drawn. An engine
//! may override `headline` with a cheaper version of its view's fields; this checks,
//! after every step of every built-in scenario at several seeds, that what the kernel
//! kept is what the drawn view says, crashed nodes included.

use electionscope::config::SimConfig;
use electionscope::run::{batch, resolve};
use electionscope::scenario::builtins;
use electionscope::sim::Headline;

#[test]
fn every_nodes_headline_is_its_drawn_views_after_every_step() {
    let mut steps = 0u64;
    let mut crashed_seen = 0u64;
    for b in builtins() {
        for seed in 1..=3u64 {
            let set = [
                ("scenario".to_string(), b.name.to_string()),
                ("seed".to_string(), seed.to_string()),
                ("duration".to_string(), "6s".to_string()),
            ];
            let cfg = resolve(SimConfig::default(), &set).expect("valid settings");
            let mut sim = batch(&cfg).expect("builds");
            while sim.next_event_time().is_some_and(|t| t <= cfg.duration) && sim.step() {
                steps += 1;
                let drawn: Vec<Headline> = sim
                    .cluster_view_with(0)
                    .nodes
                    .iter()
                    .map(|n| Headline::of(&n.view))
                    .collect();
                crashed_seen += drawn.iter().filter(|h| h.role == "crashed").count() as u64;
                assert_eq!(
                    sim.headlines(),
                    &drawn[..],
                    "{} seed {seed} at {}us",
                    b.name,
                    sim.now()
                );
            }
        }
    }
    assert!(steps > 100_000, "{steps} steps");
    assert!(
        crashed_seen > 1_000,
        "crashed nodes checked: {crashed_seen}"
    );
}
