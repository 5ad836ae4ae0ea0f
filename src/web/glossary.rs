//! The words the page uses, each explained where it appears by a tap, a click or the
//! keyboard (a button that opens its definition), not only by a hover tooltip that a
//! phone or a keyboard never shows; the help dialog lists them all.

use yew::prelude::*;

/// Each word the page uses, with what it means here.
pub const WORDS: &[(&str, &str)] = &[
    (
        "term",
        "Raft's election counter. Every election starts a new, higher term; a node that sees a higher term steps down, so at most one leader wins each term.",
    ),
    (
        "quorum",
        "A majority of the cluster (3 of 5). Any two majorities share a node, which is why a decision a quorum made cannot be contradicted by another quorum.",
    ),
    (
        "ballot",
        "Paxos's election counter, drawn as round.node (3.n2): unique to its proposer and ordered, so a higher ballot always wins over a lower one.",
    ),
    (
        "epoch",
        "ZAB's leadership counter. A new leader establishes a higher epoch with a quorum before it serves; its transactions are numbered by epoch (the zxid's high half).",
    ),
    (
        "znode",
        "A node in ZooKeeper's tree of data. In the election recipe each client creates an ephemeral, sequential znode; the lowest number leads, and a znode vanishes when its client's session expires.",
    ),
    (
        "lease",
        "Leadership for a limited time: the holder must renew before it runs out, and the others wait until it has expired by their clocks. Clocks that drift break it.",
    ),
    (
        "fencing token",
        "A number that grows with each new leadership (the term, say), sent with every write. The storage refuses any token below the highest it has seen, so a deposed leader's late write cannot overwrite newer data.",
    ),
    (
        "STONITH",
        "Shoot The Other Node In The Head: before a new leader takes over, a power switch turns off any other node that still believes it leads, so two leaders cannot both act.",
    ),
    (
        "leaderless",
        "Total time with no leader that a majority follows: the leader shown beside it. A minority's own leader does not count, because it cannot commit anything.",
    ),
    (
        "split brain",
        "Two nodes acting as leader at once, each believing it is the only one. Quorums prevent two leaders of one term; fencing and STONITH stop a stale one from doing harm.",
    ),
];

pub fn meaning(word: &str) -> Option<&'static str> {
    WORDS
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(word))
        .map(|(_, m)| *m)
}

#[derive(Properties, PartialEq)]
pub struct JargonProps {
    /// The word as the glossary lists it.
    pub word: AttrValue,
    /// How it is shown here, if not as the word itself (`TERM`).
    #[prop_or_default]
    pub shown: Option<AttrValue>,
}

/// A word with its meaning a press away: a button that opens the definition under
/// it (Escape or a second press closes it).
#[function_component(Jargon)]
pub fn jargon(p: &JargonProps) -> Html {
    let open = use_state(|| false);
    let Some(meaning) = meaning(&p.word) else {
        return html! { { p.shown.clone().unwrap_or_else(|| p.word.clone()) } };
    };
    let toggle = {
        let open = open.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            open.set(!*open);
        })
    };
    let onkeydown = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" && *open {
                e.stop_propagation();
                open.set(false);
            }
        })
    };
    let id = format!("jargon-{}", p.word.replace(' ', "-").to_ascii_lowercase());
    html! {
        <span class="jargon">
            <button type="button" class="jargon-word" aria-expanded={open.to_string()} aria-controls={id.clone()}
                title={format!("What is “{}”?", p.word)} onclick={toggle} {onkeydown}>
                { p.shown.clone().unwrap_or_else(|| p.word.clone()) }<span class="jargon-mark" aria-hidden="true">{ "?" }</span>
            </button>
            if *open {
                <span class="jargon-def" id={id} role="note">{ meaning }</span>
            }
        </span>
    }
}
