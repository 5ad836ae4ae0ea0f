//! The comparison table: the growth fit tells the curves apart, every algorithm has
//! its claims, the measurements say what the textbooks say where they should (Bully's
//! n² messages, a ring's worst case is not the default), and the README's table is
//! what `electionscope table` prints.

mod common;

use electionscope::algo::Algo;
use electionscope::table::{Growth, SIZES, claims, measure, to_markdown};

const TRIALS: u32 = 20;
const SEED: u64 = 1;
const BEGIN: &str = "<!-- comparison-table:begin -->\n";
const END: &str = "<!-- comparison-table:end -->";

#[test]
fn the_growth_fit_tells_n_n_log_n_and_n_squared_apart() {
    for (g, k) in [
        (Growth::Linear, 4.0),
        (Growth::NLogN, 3.0),
        (Growth::Square, 0.7),
    ] {
        let points: Vec<(u32, f64)> = SIZES
            .iter()
            .map(|&n| {
                let n_f = n as f64;
                let v = match g {
                    Growth::Linear => n_f,
                    Growth::NLogN => n_f * n_f.log2(),
                    Growth::Square => n_f * n_f,
                };
                // Within 5% noise of the curve.
                let noise = if n % 2 == 0 { 1.05 } else { 0.95 };
                (n, k * v * noise)
            })
            .collect();
        assert_eq!(Growth::fit(&points), g, "{points:?}");
    }
}

#[test]
fn every_algorithm_has_its_claims() {
    for a in Algo::all() {
        let c = claims(a);
        assert!(c.messages != "-" && !c.used_in.is_empty(), "{}", a.name);
    }
}

#[test]
fn the_measurements_agree_with_the_textbook_where_they_should() {
    let bully = measure(Algo::parse("bully").unwrap(), TRIALS, SEED).unwrap();
    assert_eq!(bully.growth, Growth::Square, "{:?}", bully.cold_messages);
    assert_eq!(
        bully.partition.map(|p| p.0),
        Some(2),
        "Bully's partition gives two leaders"
    );
    let zk = measure(Algo::parse("zk-recipe").unwrap(), TRIALS, SEED).unwrap();
    assert_eq!(zk.growth, Growth::Linear, "{:?}", zk.cold_messages);
    // Messages grow with the cluster for every algorithm, and every trial elects.
    for a in Algo::all() {
        let row = measure(a, 5, SEED).unwrap();
        assert_eq!(row.failed, 0, "{}", a.name);
        let m: Vec<u64> = row.cold_messages.iter().map(|(_, m)| *m).collect();
        assert!(m.windows(2).all(|w| w[1] > w[0]), "{}: {m:?}", a.name);
        assert!(row.after_crash.is_some(), "{}", a.name);
        // Under random partitions and pauses: never two leaders in one term where the
        // algorithm numbers its leaderships; two at once some of the time everywhere
        // (a deposed leader, or each side of a partition electing its own).
        assert_eq!(row.faults.trials, 5);
        assert_eq!(row.faults.violations, 0, "{}", a.name);
        assert!(row.faults.two_leaders_us > 0, "{}", a.name);
    }
}

#[test]
fn the_readme_table_is_what_the_simulator_prints() {
    let rows: Vec<_> = Algo::all()
        .map(|a| measure(a, TRIALS, SEED).unwrap())
        .collect();
    let generated = to_markdown(&rows, TRIALS, SEED);
    common::readme_section_is(BEGIN, END, &generated, "comparison table");
}
