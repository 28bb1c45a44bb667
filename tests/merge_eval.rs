//! Story clusters against a hand-labelled evaluation set (`fixtures/merge/eval.toml`: how it was
//! built is said there and in the README): pairwise precision and recall of the published
//! stories, printed, with every wrong pair named. Targets: precision 1.00 (two stories are never
//! one), recall at least 0.90.

mod support;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use gazette::merge::merge;
use support::stories::{FixtureItem, config, items_from, stored};

const PRECISION: f64 = 1.0;
const RECALL: f64 = 0.90;

fn fixture() -> Vec<FixtureItem> {
    items_from(include_str!("fixtures/merge/eval.toml"))
}

#[test]
fn clusters_match_the_labelled_stories() {
    let fixture = fixture();
    assert!(
        fixture.len() >= 150,
        "the set holds {} headlines",
        fixture.len()
    );
    let outlets: BTreeSet<&str> = fixture.iter().map(|item| item.feed.as_str()).collect();
    assert!(outlets.len() >= 4, "outlets: {outlets:?}");

    let mut config = config("");
    config.gazette.max_items = 1_000;
    let now: DateTime<Utc> = "2026-11-03T12:00:00Z".parse().unwrap();
    let edition = merge(&config, fixture.iter().map(stored).collect(), now);

    // Link → the number of the published story holding it.
    let mut cluster_of: HashMap<String, usize> = HashMap::new();
    for (number, lead) in edition.sections[0].items.iter().enumerate() {
        let mut links = vec![lead.item.link.clone().unwrap()];
        if let Some(coverage) = edition.coverage.get(&lead.key()) {
            links.extend(coverage.others.iter().filter_map(|o| o.link.clone()));
        }
        for link in links {
            assert!(
                cluster_of.insert(link.clone(), number).is_none(),
                "{link} twice"
            );
        }
    }
    let (mut together, mut labelled, mut right) = (0usize, 0usize, 0usize);
    let mut wrong = Vec::new();
    for (i, a) in fixture.iter().enumerate() {
        let a_cluster = cluster_of
            .get(&a.link)
            .unwrap_or_else(|| panic!("{} unpublished", a.title));
        for b in &fixture[i + 1..] {
            let same_story = a.story == b.story;
            let same_cluster = cluster_of.get(&b.link) == Some(a_cluster);
            together += usize::from(same_cluster);
            labelled += usize::from(same_story);
            right += usize::from(same_story && same_cluster);
            if same_story != same_cluster {
                let kind = if same_cluster { "merged" } else { "split" };
                wrong.push(format!("{kind}: {} | {}", a.title, b.title));
            }
        }
    }
    let precision = right as f64 / together.max(1) as f64;
    let recall = right as f64 / labelled.max(1) as f64;
    println!(
        "{} headlines, {} stories, {labelled} labelled pairs: precision {precision:.3}, recall {recall:.3}",
        fixture.len(),
        fixture
            .iter()
            .map(|item| &item.story)
            .collect::<BTreeSet<_>>()
            .len(),
    );
    for pair in &wrong {
        println!("  {pair}");
    }
    assert!(
        labelled >= 60,
        "too few labelled pairs to measure: {labelled}"
    );
    assert!(
        precision >= PRECISION,
        "precision {precision:.3}: {wrong:#?}"
    );
    assert!(recall >= RECALL, "recall {recall:.3}: {wrong:#?}");
}
