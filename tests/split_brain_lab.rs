//! The split-brain lab: each case does what its row says, and the README's table is
//! exactly what the simulator prints (regenerate with ELECTIONSCOPE_REWRITE=1 after a
//! reviewed change).

mod common;

use electionscope::split_brain::{Outcome, cases, run_all, table};

const SEED: u64 = 1;
const BEGIN: &str = "<!-- split-brain-lab:begin -->\n";
const END: &str = "<!-- split-brain-lab:end -->";

fn outcome<'a>(all: &'a [Outcome], scenario: &str) -> &'a Outcome {
    all.iter()
        .find(|o| o.scenario == scenario)
        .unwrap_or_else(|| panic!("{scenario} is not in the lab"))
}

#[test]
fn every_case_shows_what_its_row_claims() {
    let all = run_all(SEED).expect("every lab scenario runs");
    assert_eq!(all.len(), cases().count());

    let bully = outcome(&all, "bully-partition");
    assert!(bully.most_leaders >= 2, "Bully splits: {bully:?}");
    assert!(bully.violations.is_empty(), "and that is not a Bully bug");

    let raft = outcome(&all, "leader-partition");
    assert!(
        raft.most_leaders >= 2,
        "the cut-off leader still believes it leads"
    );
    assert!(raft.violations.is_empty(), "but Raft stays safe: {raft:?}");

    let zab = outcome(&all, "zab-minority-leader");
    assert!(zab.violations.is_empty(), "{zab:?}");
    assert_eq!(
        zab.most_leaders, 1,
        "it steps down before the majority's leader is established"
    );

    let unfenced = outcome(&all, "raft-paused-leader");
    let s = unfenced.storage.as_ref().expect("storage on");
    assert!(s.lost_updates >= 1 && s.rejected == 0, "{s:?}");
    assert_eq!(unfenced.violations, vec!["Lost update".to_string()]);

    let fenced = outcome(&all, "raft-paused-leader-fenced");
    let s = fenced.storage.as_ref().expect("storage on");
    assert!(s.rejected >= 1 && s.lost_updates == 0, "{s:?}");
    assert!(fenced.violations.is_empty());

    let stonith = outcome(&all, "raft-stonith");
    let s = stonith.storage.as_ref().expect("storage on");
    assert!(
        stonith.powered_off >= 1 && s.lost_updates == 0,
        "{stonith:?}"
    );
    assert_eq!(stonith.most_leaders, 1, "the frozen leader never overlaps");

    for (scenario, lost, refused) in [
        ("zk-paused-leader", true, false),
        ("zk-paused-leader-fenced", false, true),
        ("lease-paused-leader", true, false),
        ("lease-paused-leader-fenced", false, true),
        ("lease-clock-drift", true, false),
        ("lease-stonith", false, false),
    ] {
        let o = outcome(&all, scenario);
        let s = o.storage.as_ref().expect("storage on");
        assert_eq!(s.lost_updates > 0, lost, "{scenario}: {s:?}");
        assert_eq!(s.rejected > 0, refused, "{scenario}: {s:?}");
        assert_eq!(o.violations.contains(&"Lost update".to_string()), lost);
        if scenario.ends_with("stonith") {
            assert_eq!((o.most_leaders, o.powered_off), (1, 1), "{o:?}");
        } else {
            assert_eq!(
                o.most_leaders, 2,
                "{scenario}: two holders believe they lead"
            );
        }
    }
}

#[test]
fn the_readme_table_is_what_the_simulator_prints() {
    let generated = table(&run_all(SEED).unwrap(), SEED);
    common::readme_section_is(BEGIN, END, &generated, "split-brain table");
}
