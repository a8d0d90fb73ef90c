//! Search over the demo collection: what a collector types, and what must come first.

mod common;

use common::{demo_index, first, search, slugs};
use vitrina_search::{Bounds, FacetKind, Filter, Query, Sort};

fn assert_first(index: &vitrina_search::SearchIndex, text: &str, slug: &str) {
    let results = search(index, text);
    assert_eq!(
        results.hits.first().map(|h| h.slug.as_str()),
        Some(slug),
        "{text:?} gave {:?}",
        slugs(&results)
    );
}

#[test]
fn mopr_in_either_script_and_any_case_finds_the_mopr_badge_first() {
    let index = demo_index();
    for q in ["MOPR", "МОПР", "mopr", "мопр", "MOPR badge", "знак МОПР"] {
        assert_first(&index, q, "mopr-badge");
    }
}

#[test]
fn khalkhin_gol_in_every_spelling() {
    let index = demo_index();
    for q in [
        "Халхин Гол",
        "Халхин-Гол",
        "халхин гол",
        "halhin gol",
        "Khalkhin Gol",
        "Khalkhin-Gol",
        "KHALKHIN GOL",
        "Halhingol",
        "Xalxin Gol",
    ] {
        assert_first(&index, q, "khalkhin-gol-1939");
    }
}

#[test]
fn nkvd_in_either_script_finds_the_firemans_badge() {
    let index = demo_index();
    for q in [
        "NKVD",
        "НКВД",
        "nkvd fireman",
        "пожарного НКВД",
        "fireman's",
        "firemans",
    ] {
        assert_first(&index, q, "nkvd-fireman-badge");
    }
}

#[test]
fn numbers_years_and_ranges() {
    let index = demo_index();
    assert_first(&index, "1939", "khalkhin-gol-1939");
    assert_first(&index, "No. 9", "nkvd-fireman-badge");
    assert_first(&index, "№ 9", "nkvd-fireman-badge");
    assert_first(&index, "1922–1932", "mopr-badge");
    assert_first(&index, "1922-1932", "mopr-badge");
    // A year inside the MOPR badge's period of award, written nowhere in its text.
    assert!(slugs(&search(&index, "1925")).contains(&"mopr-badge"));
    assert_first(&index, "1940", "nkvd-fireman-badge");
}

#[test]
fn typos_and_transliterations_of_wrangel() {
    let index = demo_index();
    for q in [
        "Wrangel",
        "Wrangle",
        "Vrangel",
        "Врангеля",
        "Врангель",
        "Vrangelya",
        "wrangel island",
    ] {
        assert_first(&index, q, "wrangel-island-excursion-1924");
    }
    // One edit in a word of five letters or more, not in shorter ones.
    assert_first(&index, "Zhukof", "khalkhin-gol-1939");
    assert!(search(&index, "NKVB").hits.is_empty());
    // Two edits from nine letters.
    assert_first(&index, "Bombardirr", "navigator-bombardier-school-badge");
    assert_first(&index, "Bomberdiir", "navigator-bombardier-school-badge");
}

#[test]
fn stems_in_english_and_russian() {
    let index = demo_index();
    assert_first(&index, "excursions", "wrangel-island-excursion-1924");
    assert_first(&index, "экскурсией", "wrangel-island-excursion-1924");
    assert_first(&index, "штурман", "navigator-bombardier-school-badge");
    assert_first(&index, "navigators", "navigator-bombardier-school-badge");
}

#[test]
fn search_as_you_type_matches_the_last_word_as_a_prefix() {
    let index = demo_index();
    assert_first(&index, "Khalkh", "khalkhin-gol-1939");
    assert_first(&index, "Врангел", "wrangel-island-excursion-1924");
    assert_first(&index, "nkvd firem", "nkvd-fireman-badge");
    // A finished word (a space after it) is not a prefix.
    let mut q = Query::text("Khalkh ");
    q.as_you_type = true;
    assert!(index.search(&q).unwrap().hits.is_empty());
}

#[test]
fn an_empty_query_lists_everything_in_collection_order_with_facets() {
    let index = demo_index();
    let results = search(&index, "");
    assert_eq!(results.total, 8);
    assert_eq!(results.hits.len(), 8);
    assert_eq!(results.hits[0].slug, "party-congress-badge");
    assert_eq!(results.hits[7].slug, "wrangel-island-excursion-1924");
    let f = &results.facets;
    let count = |kind: FacetKind, value: &str| {
        f.get(&kind)
            .and_then(|v| v.iter().find(|(k, _)| k == value))
            .map_or(0, |(_, c)| *c)
    };
    assert_eq!(count(FacetKind::Material, "silver"), 6);
    assert_eq!(count(FacetKind::Material, "gold"), 4);
    assert_eq!(count(FacetKind::Material, "bronze"), 1);
    assert_eq!(f[&FacetKind::Material][0], ("silver".to_owned(), 6));
    assert_eq!(count(FacetKind::Category, "ussr-anniversary-badges"), 2);
    assert_eq!(count(FacetKind::Category, "mopr-badge"), 1);
    assert_eq!(count(FacetKind::Issuer, "NKVD"), 1);
    assert_eq!(count(FacetKind::Issuer, "MOPR"), 1);
    assert_eq!(count(FacetKind::Decade, "1930"), 2);
    assert_eq!(count(FacetKind::Decade, "1920"), 1);
    assert_eq!(count(FacetKind::Decade, "1940"), 1);
    assert_eq!(count(FacetKind::Condition, "excellent"), 1);
    assert_eq!(count(FacetKind::Rarity, "very_rare"), 1);
    assert_eq!(count(FacetKind::Photos, "yes"), 8);
}

#[test]
fn filters_combine_and_facets_follow_them() {
    let index = demo_index();
    let mut q = Query::text("");
    q.filters = vec![Filter::new(FacetKind::Material, "bronze")];
    let r = index.search(&q).unwrap();
    assert_eq!(slugs(&r), ["nkvd-fireman-badge"]);
    assert_eq!(r.facets[&FacetKind::Material].len(), 2, "{:?}", r.facets);

    // Two values of one kind: either. Two kinds: both.
    q.filters = vec![
        Filter::new(FacetKind::Category, "mopr-badge"),
        Filter::new(FacetKind::Category, "nkvd-fireman-badge"),
    ];
    assert_eq!(index.search(&q).unwrap().total, 2);
    q.filters.push(Filter::new(FacetKind::Material, "bronze"));
    assert_eq!(slugs(&index.search(&q).unwrap()), ["nkvd-fireman-badge"]);

    // Text and a filter.
    let mut q = Query::text("silver");
    q.filters = vec![Filter::new(FacetKind::Rarity, "very_rare")];
    assert_eq!(
        slugs(&index.search(&q).unwrap()),
        ["wrangel-island-excursion-1924"]
    );

    // An unknown value finds nothing; a malformed one is a query error.
    let mut q = Query::text("");
    q.filters = vec![Filter::new(FacetKind::Issuer, "nobody")];
    assert_eq!(index.search(&q).unwrap().total, 0);
    q.filters = vec![Filter::new(FacetKind::Issuer, "a/b")];
    assert!(index.search(&q).unwrap_err().is_bad_query());
}

#[test]
fn year_ranges_and_sorting() {
    let index = demo_index();
    let mut q = Query::text("");
    q.year = Bounds {
        min: Some(1930),
        max: Some(1939),
    };
    let r = index.search(&q).unwrap();
    let mut found = slugs(&r);
    found.sort();
    assert_eq!(
        found,
        [
            "navigator-bombardier-school-badge",
            "wrangel-island-excursion-1924"
        ]
    );

    q.year = Bounds::default();
    q.sort = Sort::Year;
    let r = index.search(&q).unwrap();
    assert_eq!(
        &slugs(&r)[..4],
        [
            "mopr-badge",
            "wrangel-island-excursion-1924",
            "navigator-bombardier-school-badge",
            "nkvd-fireman-badge"
        ]
    );
    q.sort = Sort::Name;
    let r = index.search(&q).unwrap();
    assert_eq!(r.hits[0].slug, "ussr-50th-anniversary");
    assert_eq!(r.hits[1].slug, "ussr-60th-anniversary");
    assert_eq!(r.hits[2].slug, "party-congress-badge");
}

#[test]
fn paging() {
    let index = demo_index();
    let mut q = Query::text("badge");
    q.limit = 3;
    let page1 = index.search(&q).unwrap();
    q.offset = 3;
    let page2 = index.search(&q).unwrap();
    assert_eq!(page1.total, page2.total);
    assert_eq!(page1.hits.len(), 3);
    assert!(page1.hits.iter().all(|h| !page2.hits.contains(h)));
}

#[test]
fn hits_carry_names_and_highlighted_escaped_snippets() {
    let index = demo_index();
    let r = search(&index, "Zhukov");
    let hit = &r.hits[0];
    assert_eq!(hit.name_en, "Khalkhin Gol 1939 badge");
    assert_eq!(hit.name_ru, "Знак «Халхин-Гол» 1939 года");
    assert!(
        hit.snippet.html.contains("<mark>Zhukov</mark>"),
        "{}",
        hit.snippet.html
    );
    // A Latin query highlights the Cyrillic text when only that matches.
    let r = search(&index, "Pozharnogo");
    assert_eq!(r.hits[0].slug, "nkvd-fireman-badge");
    let r = search(&index, "Fireman's");
    assert!(r.hits[0].snippet.html.contains("&#x27;") || !r.hits[0].snippet.html.contains('\''));
    assert_eq!(first(&index, "Жуков").as_deref(), Some("khalkhin-gol-1939"));
}
