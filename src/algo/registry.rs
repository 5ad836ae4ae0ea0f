//! The one list of algorithms. Every front end (CLI, page, lab, tests) iterates it;
//! adding an algorithm adds one line here.

use super::descriptor::{Builtin, Descriptor};
use crate::settings::Setting;
use std::fmt;

/// Every algorithm, in the order menus and tables list them.
pub static ALGORITHMS: &[&Descriptor] = &[
    &super::raft::DESCRIPTOR,
    &super::paxos::DESCRIPTOR,
    &super::zab::DESCRIPTOR,
    &super::zk_recipe::DESCRIPTOR,
    &super::lease::DESCRIPTOR,
    &super::bully::DESCRIPTOR,
    &super::chang_roberts::DESCRIPTOR,
    &super::hirschberg_sinclair::DESCRIPTOR,
];

/// A handle on one algorithm of the registry: cheap to copy and compare, and it reads
/// as its descriptor.
#[derive(Clone, Copy)]
pub struct Algo(&'static Descriptor);

impl Algo {
    /// Every registered algorithm.
    pub fn all() -> impl Iterator<Item = Algo> {
        ALGORITHMS.iter().map(|d| Algo(d))
    }

    /// The algorithm a run uses when none is named: the first of the registry.
    pub fn first() -> Algo {
        Algo(ALGORITHMS[0])
    }

    pub fn parse(text: &str) -> Result<Algo, String> {
        let wanted = text.trim().to_ascii_lowercase();
        Algo::all().find(|a| a.name == wanted).ok_or_else(|| {
            let names: Vec<&str> = Algo::all().map(|a| a.name).collect();
            format!("unknown algorithm '{text}' (known: {})", names.join(", "))
        })
    }

    /// What the `algo` key takes: `raft, zab (ZooKeeper), ... or hs (...)`.
    pub fn choices() -> String {
        let words: Vec<String> = Algo::all()
            .map(|a| match a.aka {
                Some(aka) => format!("{} ({aka})", a.name),
                None => a.name.to_string(),
            })
            .collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        crate::settings::one_of(&words)
    }

    pub fn descriptor(self) -> &'static Descriptor {
        self.0
    }
}

impl Default for Algo {
    fn default() -> Self {
        Algo::first()
    }
}

impl std::ops::Deref for Algo {
    type Target = Descriptor;
    fn deref(&self) -> &Descriptor {
        self.0
    }
}

impl PartialEq for Algo {
    fn eq(&self, other: &Algo) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for Algo {}

impl fmt::Debug for Algo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

impl fmt::Display for Algo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

/// An algorithm setting by key, from whichever algorithm declares it (algorithms that
/// share a key share its meaning, e.g. `election-timeout`).
pub fn setting(key: &str) -> Option<&'static Setting> {
    ALGORITHMS.iter().find_map(|d| d.setting(key))
}

/// Every algorithm setting once, in registry order.
pub fn settings() -> Vec<&'static Setting> {
    let mut out: Vec<&'static Setting> = Vec::new();
    for d in ALGORITHMS {
        for s in d.settings {
            if !out.iter().any(|o| o.key == s.key) {
                out.push(s);
            }
        }
    }
    out
}

/// The algorithms that read `key`, by name.
pub fn readers(key: &str) -> Vec<&'static str> {
    ALGORITHMS
        .iter()
        .filter(|d| d.uses_setting(key))
        .map(|d| d.name)
        .collect()
}

/// Every built-in scenario with its algorithm, in registry order.
pub fn scenarios() -> impl Iterator<Item = (Algo, &'static Builtin)> {
    Algo::all().flat_map(|a| a.scenarios.iter().map(move |b| (a, b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_scenarios_and_settings_are_unique_and_consistent() {
        let mut names: Vec<&str> = Algo::all().map(|a| a.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALGORITHMS.len(), "algorithm names repeat");
        let mut scenarios: Vec<&str> = scenarios().map(|(_, b)| b.name).collect();
        scenarios.sort();
        let n = scenarios.len();
        scenarios.dedup();
        assert_eq!(scenarios.len(), n, "built-in scenario names repeat");
        // A key two algorithms share must parse and default the same way in both.
        for d in ALGORITHMS {
            for s in d.settings {
                let first = setting(s.key).expect("registered");
                assert_eq!(first.default, s.default, "{}: default of {}", d.name, s.key);
                assert_eq!(
                    first.expects(),
                    s.expects(),
                    "{}: kind of {}",
                    d.name,
                    s.key
                );
            }
            for case in d.split_brain_cases {
                assert!(
                    d.scenarios.iter().any(|b| b.name == case.scenario),
                    "{}: split-brain case {} is not one of its scenarios",
                    d.name,
                    case.scenario
                );
            }
        }
    }
}
