//! Ranking and cross-script matching on small hand-written collections.

mod common;

use common::{badge, index_of, search, slugs};

fn types() -> Vec<vitrina_catalogue::BadgeType> {
    vec![
        badge(
            r#"
            slug = "lenin-mentioned"
            position = 1
            names = { en = "Shock worker badge", ru = "Знак ударника" }
            description = { en = "Often worn with the Order of Lenin.", ru = "Часто носили вместе с орденом Ленина." }
            "#,
        ),
        badge(
            r#"
            slug = "order-of-lenin"
            position = 2
            names = { en = "Order of Lenin", ru = "Орден Ленина" }
            description = { en = "The highest award of the USSR." }
            "#,
        ),
        badge(
            r#"
            slug = "voroshilov-marksman"
            position = 3
            names = { en = "Voroshilov marksman", ru = "Ворошиловский стрелок" }
            description = { ru = "Значок для метких стрелков." }
            "#,
        ),
        badge(
            r#"
            slug = "gto"
            position = 4
            names = { en = "GTO badge", ru = "Значок ГТО" }
            description = { en = "Ready for Labour and Defence of the USSR.", ru = "Готов к труду и обороне СССР." }
            "#,
        ),
        badge(
            r#"
            slug = "khrushchev-medal"
            position = 5
            names = { en = "Medal with Khrushchev's profile", ru = "Медаль с профилем Хрущёва" }
            "#,
        ),
    ]
}

#[test]
fn a_name_match_ranks_above_a_description_match() {
    let index = index_of(types());
    for q in [
        "Order of Lenin",
        "Орден Ленина",
        "Orden Lenina",
        "Lenin",
        "Ленина",
        "орден",
    ] {
        let r = search(&index, q);
        assert_eq!(slugs(&r)[0], "order-of-lenin", "{q:?}: {:?}", slugs(&r));
        assert!(
            slugs(&r).contains(&"lenin-mentioned"),
            "{q:?}: {:?}",
            slugs(&r)
        );
    }
}

#[test]
fn exact_ranks_above_transliterated_above_fuzzy() {
    let index = index_of(vec![
        badge(
            r#"
            slug = "exact"
            names = { en = "Strelok club" }
        "#,
        ),
        badge(
            r#"
            slug = "translit"
            names = { en = "Club", ru = "Стрелок" }
        "#,
        ),
        badge(
            r#"
            slug = "fuzzy"
            names = { en = "Strelock club" }
        "#,
        ),
    ]);
    let mut q = vitrina_search::Query::text("strelok");
    q.as_you_type = false;
    let r = index.search(&q).unwrap();
    assert_eq!(slugs(&r), ["exact", "translit", "fuzzy"]);
}

#[test]
fn romanisations_find_cyrillic_and_cyrillic_finds_latin() {
    let index = index_of(types());
    for q in [
        "Voroshilovsky strelok",
        "Voroshilovskiy strelok",
        "Voroshilovskij strelok",
        "VOROSHILOVSKII STRELOK",
        "Ворошиловский",
    ] {
        assert_eq!(
            search(&index, q).hits[0].slug,
            "voroshilov-marksman",
            "{q:?}"
        );
    }
    for q in ["znachok", "značok", "Znachok GTO", "значок", "ZNACHOK"] {
        let r = search(&index, q);
        assert!(!r.hits.is_empty(), "{q:?}");
        assert!(slugs(&r).contains(&"gto"), "{q:?}: {:?}", slugs(&r));
    }
    for q in [
        "Khrushchev",
        "Khrushchyov",
        "Hruščëv",
        "Хрущев",
        "Хрущёва",
        "Xrushhyov",
    ] {
        assert_eq!(
            search(&index, q).hits.first().map(|h| h.slug.as_str()),
            Some("khrushchev-medal"),
            "{q:?}"
        );
    }
    assert_eq!(search(&index, "Гвоздь").total, 0);
    assert_eq!(search(&index, "ГТО").hits[0].slug, "gto");
}

#[test]
fn nfd_input_and_quotes_are_folded() {
    use unicode_normalization::UnicodeNormalization;
    let index = index_of(types());
    let nfd: String = "Хрущёва".nfd().collect();
    assert_eq!(search(&index, &nfd).hits[0].slug, "khrushchev-medal");
    assert_eq!(
        search(&index, "“Orden” ‘Lenina’").hits[0].slug,
        "order-of-lenin"
    );
    assert_eq!(
        search(&index, "Khrushchev’s").hits[0].slug,
        "khrushchev-medal"
    );
}
