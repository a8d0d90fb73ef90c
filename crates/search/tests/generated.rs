//! A larger generated collection: a few hundred types with overlapping words, where the
//! cross-script, typo and facet behaviour must still pick out the right ones.

mod common;

use common::{badge, index_of, search, slugs};
use vitrina_search::{FacetKind, Filter, Query};

const CITIES: [(&str, &str); 6] = [
    ("Moscow", "Москва"),
    ("Leningrad", "Ленинград"),
    ("Kharkov", "Харьков"),
    ("Tsaritsyn", "Царицын"),
    ("Yaroslavl", "Ярославль"),
    ("Khabarovsk", "Хабаровск"),
];
const KINDS: [(&str, &str); 4] = [
    ("Sports society badge", "Знак спортивного общества"),
    ("Excellent worker badge", "Знак отличника"),
    ("Congress delegate badge", "Знак делегата съезда"),
    ("Jubilee badge", "Юбилейный знак"),
];
const MATERIALS: [&str; 4] = ["silver", "bronze", "brass", "aluminium"];

fn collection() -> Vec<vitrina_catalogue::BadgeType> {
    let mut types = Vec::new();
    for i in 0..480 {
        let (city_en, city_ru) = CITIES[i % CITIES.len()];
        let (kind_en, kind_ru) = KINDS[(i / CITIES.len()) % KINDS.len()];
        let material = MATERIALS[i % MATERIALS.len()];
        let year = 1925 + (i % 60);
        types.push(badge(&format!(
            r#"
            slug = "generated-{i}"
            position = {i}
            names = {{ en = "{kind_en}, {city_en} {i}", ru = "{kind_ru}, {city_ru} {i}" }}
            established = {year}
            description = {{ en = "Issued in {city_en} in {year}.", ru = "Выпущен в городе {city_ru} в {year} году." }}
            [[variants]]
            name = {{ en = "{material}" }}
            materials = ["{material}"]
            "#
        )));
    }
    types
}

#[test]
fn hundreds_of_types_still_search_right() {
    let index = index_of(collection());
    assert_eq!(index.len(), 480);
    // Every spelling of a city finds exactly its 80 types.
    for q in [
        "Kharkov",
        "Харьков",
        "Khar'kov",
        "Charkov",
        "Harkov",
        "Xar'kov",
    ] {
        let r = search(&index, q);
        assert_eq!(r.total, 80, "{q:?}");
    }
    for q in ["Tsaritsyn", "Царицын", "Caricyn", "Tzaritzyn", "Carycin"] {
        assert_eq!(search(&index, q).total, 80, "{q:?}");
    }
    for q in [
        "Yaroslavl",
        "Jaroslavl",
        "Iaroslavl",
        "Ярославль",
        "Jaroslavl'",
    ] {
        assert_eq!(search(&index, q).total, 80, "{q:?}");
    }
    // A name number and a city pick one type.
    let r = search(&index, "Khabarovsk 5");
    assert_eq!(slugs(&r)[0], "generated-5");
    // A typo in a long word.
    assert_eq!(search(&index, "Khabarovks").total, 80);
    assert_eq!(search(&index, "Leningrda").total, 80);
}

#[test]
fn facets_add_up_on_a_larger_collection() {
    let index = index_of(collection());
    let r = index.search(&Query::text("")).unwrap();
    assert_eq!(r.total, 480);
    let materials: u64 = r.facets[&FacetKind::Material].iter().map(|(_, c)| c).sum();
    assert_eq!(materials, 480);
    let decades: u64 = r.facets[&FacetKind::Decade].iter().map(|(_, c)| c).sum();
    assert_eq!(decades, 480);
    let mut q = Query::text("Moscow");
    q.filters = vec![Filter::new(FacetKind::Material, "bronze")];
    let r = index.search(&q).unwrap();
    // Moscow is every 6th type, bronze every 4th starting at 1: i ≡ 0 (mod 6) and i ≡ 1 (mod 4)
    // never meet.
    assert_eq!(r.total, 0);
    q.filters = vec![Filter::new(FacetKind::Material, "brass")];
    assert_eq!(index.search(&q).unwrap().total, 40);
}

/// Types named "<word> badge <i>", for the tests below.
fn named(word: &str, from: usize, n: usize) -> Vec<vitrina_catalogue::BadgeType> {
    (from..from + n)
        .map(|i| {
            badge(&format!(
                r#"
                slug = "type-{i}"
                position = {i}
                names = {{ en = "{word} badge {i}", ru = "" }}
                "#
            ))
        })
        .collect()
}

#[test]
fn a_rebuild_over_several_threads_indexes_every_type_once() {
    let index = index_of(named("Numbered", 0, 3000));
    assert_eq!(index.len(), 3000);
    for i in [0, 1, 255, 256, 1999, 2999] {
        let r = search(&index, &format!("numbered {i}"));
        assert_eq!(slugs(&r)[0], format!("type-{i}"), "{i}");
    }
    // The cached stems and keys of repeated words give the same terms every time.
    assert_eq!(search(&index, "numbered").total, 3000);
    assert_eq!(search(&index, "Нумберед").total, 3000);
}

#[test]
fn typos_are_looked_up_only_for_words_few_types_hold() {
    // 60 types hold "Leningrad"; one holds the misspelling "Leningard".
    let mut types = named("Leningrad", 0, 60);
    types.extend(named("Leningard", 60, 1));
    let index = index_of(types);
    // A common word as written: its own types, not the misspelling.
    assert_eq!(search(&index, "Leningrad").total, 60);
    // A rare word: its own type, and the common spelling one edit away.
    let r = search(&index, "Leningard");
    assert_eq!(r.total, 61);
    assert_eq!(slugs(&r)[0], "type-60");
}
