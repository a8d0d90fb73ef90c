//! The demo collection (`demo/collection.toml`) holds every fact of the collector's page
//! "Soviet Badges" as structured data, validates, and names only safe, existing illustrations.

use std::path::{Path, PathBuf};

use vitrina_catalogue::{
    Area, BadgeType, Condition, Dimension, Lang, MarkKind, Material, PartialDate, Period, Photo,
    PhotoRole, Placement, Rarity, Script, Side, Snapshot, Specimen, Text, Unit, Validate,
};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn demo() -> Snapshot {
    let path = repo().join("demo/collection.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("demo/collection.toml does not parse: {e}"))
}

fn badge<'a>(snapshot: &'a Snapshot, slug: &str) -> &'a BadgeType {
    snapshot
        .types
        .iter()
        .find(|t| t.slug.as_str() == slug)
        .unwrap_or_else(|| panic!("no type {slug}"))
}

/// The one specimen of a type (the page describes one piece of each).
fn only_specimen(t: &BadgeType) -> &Specimen {
    let specimens: Vec<&Specimen> = t.specimens().collect();
    assert_eq!(
        specimens.len(),
        1,
        "{}: expected exactly one specimen",
        t.slug
    );
    specimens[0]
}

fn both(t: &Text) -> bool {
    !t.en.trim().is_empty() && !t.ru.trim().is_empty()
}

fn year(y: i32) -> Option<PartialDate> {
    Some(PartialDate::year(y))
}

fn at(side: Side, area: Option<Area>) -> Option<Placement> {
    Some(Placement { side, area })
}

#[test]
fn the_fixture_parses_and_validates() {
    let snapshot = demo();
    if let Err(errors) = snapshot.validate() {
        panic!("demo/collection.toml does not validate: {errors}");
    }
    assert_eq!(snapshot.collection.title.en, "Soviet Badges");
    assert_eq!(snapshot.collection.title.ru, "Советские знаки");
    assert!(both(&snapshot.collection.introduction));
}

#[test]
fn seven_sections_in_the_order_of_the_page() {
    let snapshot = demo();
    let titles: Vec<&str> = snapshot
        .categories
        .iter()
        .map(|c| c.title.en.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Communist Party Congress badges",
            "USSR anniversary badges",
            "The MOPR badge",
            "Navigator & Bombardier School badge",
            "The Khalkhin Gol 1939 badge",
            "NKVD fireman's badge",
            "Excursion to Wrangel Island badge",
        ]
    );
    let positions: Vec<i64> = snapshot.categories.iter().map(|c| c.position).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "positions follow the page: {positions:?}"
    );
    for c in &snapshot.categories {
        assert!(both(&c.title), "{}: title in English and Russian", c.slug);
        assert!(
            both(&c.introduction),
            "{}: introduction in English and Russian",
            c.slug
        );
    }
    // Every section shows at least one type, and every type sits in a section.
    for c in &snapshot.categories {
        assert!(
            snapshot
                .types
                .iter()
                .any(|t| t.categories.contains(&c.slug)),
            "{} is empty",
            c.slug
        );
    }
    for t in &snapshot.types {
        assert!(!t.categories.is_empty(), "{} is in no section", t.slug);
        assert!(
            !t.names.en.is_empty() && !t.names.ru.is_empty(),
            "{}: names",
            t.slug
        );
        assert!(
            both(&t.description),
            "{}: description in English and Russian",
            t.slug
        );
    }
}

#[test]
fn party_congress_badge_is_gold_plated_silver_from_moscow() {
    let snapshot = demo();
    let t = badge(&snapshot, "party-congress-badge");
    assert_eq!(t.variants.len(), 1);
    assert_eq!(t.variants[0].materials, [Material::Silver]);
    assert_eq!(t.variants[0].plating, Some(Material::Gold));
    let event = t.event.as_ref().unwrap();
    assert_eq!(event.place.en, "Moscow");
    assert_eq!(event.place.ru, "Москва");
    assert_eq!(event.date, None, "which congress is not known");
    let issuer = t.issuer.as_ref().unwrap();
    assert_eq!(issuer.name.en, "Communist Party of the Soviet Union");
}

#[test]
fn anniversary_badges_are_gold_plated_silver_and_the_50th_is_heavier() {
    let snapshot = demo();
    for (slug, date) in [
        ("ussr-50th-anniversary", 1972),
        ("ussr-60th-anniversary", 1982),
    ] {
        let t = badge(&snapshot, slug);
        assert!(
            t.categories
                .iter()
                .any(|c| c.as_str() == "ussr-anniversary-badges")
        );
        assert_eq!(t.event.as_ref().unwrap().date, year(date), "{slug}");
        assert_eq!(t.variants.len(), 1, "{slug}");
        let v = &t.variants[0];
        assert_eq!(v.materials, [Material::Silver], "{slug}");
        assert_eq!(v.plating, Some(Material::Gold), "{slug}");
        assert!(
            both(&v.notes),
            "{slug}: the comparison is noted in both languages"
        );
        assert!(v.notes.en.contains("heavier"), "{slug}: {}", v.notes.en);
        assert!(v.weight_g.is_none(), "{slug}: the page gives no weights");
    }
    let fiftieth = &badge(&snapshot, "ussr-50th-anniversary").variants[0].notes;
    assert!(
        fiftieth
            .en
            .starts_with("A heavier model than the badge for the 60th")
    );
    assert!(fiftieth.ru.contains("тяжёлая") && fiftieth.ru.contains("60"));
    let sixtieth = &badge(&snapshot, "ussr-60th-anniversary").variants[0].notes;
    assert!(
        sixtieth
            .en
            .contains("50th anniversary of the USSR, which is heavier")
    );
    assert!(sixtieth.ru.contains("тяжелее") && sixtieth.ru.contains("50"));
}

#[test]
fn mopr_badge() {
    let snapshot = demo();
    let t = badge(&snapshot, "mopr-badge");
    let issuer = t.issuer.as_ref().unwrap();
    assert_eq!(issuer.abbreviation, "МОПР");
    assert_eq!(issuer.abbreviation_latin, "MOPR");
    assert_eq!(
        issuer.name.en,
        "International Organization for Aid to Revolutionaries"
    );
    assert_eq!(
        issuer.name.ru,
        "Международная организация помощи борцам революции"
    );
    assert!(
        t.description
            .en
            .contains("International Organization for Assistance Revolutionary Fighters")
    );
    assert!(t.description.en.contains("colonial oppressors"));
    assert_eq!(
        t.period,
        Some(Period {
            from: PartialDate::year(1922),
            to: year(1932),
        })
    );

    assert_eq!(t.variants.len(), 1);
    assert_eq!(t.variants[0].materials, [Material::Silver]);
    assert_eq!(t.variants[0].plating, None, "solid silver");

    let s = only_specimen(t);
    assert_eq!(s.engravings.len(), 1);
    let name = &s.engravings[0];
    assert_eq!(name.text, "", "the name is described, not transcribed");
    assert_eq!(name.position.map(|p| p.side), Some(Side::Reverse));
    assert_eq!(
        name.description.en,
        "The recipient's name, for active support to the revolutionaries during 1922–1932"
    );
    assert!(!name.description.ru.is_empty());

    let kinds: Vec<MarkKind> = s.hallmarks.iter().map(|h| h.kind).collect();
    assert_eq!(kinds, [MarkKind::SilverProof, MarkKind::Silversmith]);
    for h in &s.hallmarks {
        assert!(h.present);
        assert_eq!(
            h.position,
            at(Side::Reverse, Some(Area::BottomLeft)),
            "{:?}",
            h.kind
        );
    }

    assert_eq!(s.measurements.len(), 1);
    let m = &s.measurements[0];
    assert_eq!(m.dimension, Dimension::Thickness);
    assert_eq!(m.quantity.value.as_str(), "1/8");
    assert_eq!(m.quantity.unit, Unit::Inch);
    assert!(m.quantity.approximate, "about 1/8 of an inch");
    assert_eq!(format!("{:.1}", m.quantity.metric()), "3.2");

    assert!(s.notes.en.contains("solid silver") && s.notes.en.contains("substantial"));
    assert!(!s.notes.ru.is_empty());
}

#[test]
fn navigator_and_bombardier_school_badge() {
    let snapshot = demo();
    let t = badge(&snapshot, "navigator-bombardier-school-badge");
    assert_eq!(t.established, year(1938));
    assert_eq!(
        t.issuer.as_ref().unwrap().name.en,
        "Navigator & Bombardier School"
    );
    assert!(
        t.variants.is_empty(),
        "the page says nothing of metals or pieces"
    );
}

#[test]
fn khalkhin_gol_badge() {
    let snapshot = demo();
    let t = badge(&snapshot, "khalkhin-gol-1939");
    let event = t.event.as_ref().unwrap();
    assert_eq!(event.date, year(1939));
    assert_eq!(event.place.en, "Khalkhin Gol (Halhingol) river");
    assert_eq!(event.place.ru, "река Халхин-Гол");
    let original = t.names.original.as_ref().unwrap();
    assert_eq!(original.script, Script::Mongolian);
    assert_eq!(original.language, "mn");
    assert_eq!(original.text, "", "no guessed glyphs");
    assert!(
        t.description
            .en
            .contains("not written in the Russian Cyrillic")
    );
    assert!(t.description.en.contains("Zhukov"));
    assert!(t.description.ru.contains("Жуков"));
    assert!(
        t.description.en.contains("Soviet and Mongolian") && t.description.en.contains("Japanese")
    );
}

#[test]
fn nkvd_firemans_badge() {
    let snapshot = demo();
    let t = badge(&snapshot, "nkvd-fireman-badge");
    assert_eq!(t.established, year(1940));
    let issuer = t.issuer.as_ref().unwrap();
    assert_eq!(issuer.abbreviation, "НКВД");
    assert_eq!(issuer.abbreviation_latin, "NKVD");
    assert_eq!(issuer.name.en, "People's Commissariat for Internal Affairs");
    assert_eq!(issuer.name.ru, "Народный комиссариат внутренних дел");
    assert!(
        t.description
            .en
            .contains("fire department was under the authority of the NKVD")
    );

    let metals: Vec<&[Material]> = t.variants.iter().map(|v| v.materials.as_slice()).collect();
    assert_eq!(metals, [&[Material::Silver][..], &[Material::Bronze][..]]);
    assert_eq!(t.materials(), [Material::Silver, Material::Bronze]);
    assert!(
        t.variants[1].specimens.is_empty(),
        "the collector's piece is the silver one"
    );

    let s = only_specimen(t);
    assert_eq!(s.engravings.len(), 1);
    assert_eq!(s.engravings[0].text, "No. 9");
    assert_eq!(
        s.engravings[0].position.map(|p| p.side),
        Some(Side::Reverse)
    );
    let kinds: Vec<MarkKind> = s.hallmarks.iter().map(|h| h.kind).collect();
    assert_eq!(kinds, [MarkKind::SilverProof, MarkKind::Silversmith]);
    for h in &s.hallmarks {
        assert!(h.present);
        assert_eq!(
            h.position,
            at(Side::Reverse, Some(Area::Bottom)),
            "{:?}",
            h.kind
        );
    }
    assert!(s.notes.en.contains("solid silver"));
}

#[test]
fn wrangel_island_excursion_badge() {
    let snapshot = demo();
    let t = badge(&snapshot, "wrangel-island-excursion-1924");
    assert_eq!(t.established, year(1932));
    let event = t.event.as_ref().unwrap();
    assert_eq!(event.date, year(1924));
    assert_eq!(event.place.en, "Wrangel Island");
    assert_eq!(event.place.ru, "остров Врангеля");
    assert_eq!(t.variants.len(), 1);
    assert_eq!(t.variants[0].materials, [Material::Silver, Material::Gold]);
    let s = only_specimen(t);
    assert_eq!(s.condition, Some(Condition::Excellent));
    assert_eq!(s.rarity, Some(Rarity::VeryRare));
    assert!(s.notes.en.contains("few were issued"));
    assert!(
        t.description
            .en
            .contains("craftsmanship of the Soviet artists")
    );
    assert!(t.description.en.contains("Arctic"));
}

#[test]
fn no_private_data_and_nothing_invented() {
    let snapshot = demo();
    for t in &snapshot.types {
        for v in &t.variants {
            assert!(v.maker.is_empty(), "{}: no maker is known", t.slug);
            assert!(
                v.size_mm.is_none() && v.weight_g.is_none(),
                "{}: no sizes or weights",
                t.slug
            );
            assert!(v.serial_numbers.is_none(), "{}", t.slug);
            for s in &v.specimens {
                assert!(
                    s.private.is_none(),
                    "{}: a specimen has private data",
                    t.slug
                );
                assert!(
                    s.inventory_number.is_empty(),
                    "{}: an inventory number",
                    t.slug
                );
            }
        }
        // What a public reader gets is the same fixture: there is nothing to strip.
        assert_eq!(&t.clone().into_public(), t);
    }
}

/// Everything a drawing must not carry: scripts, event handlers, references outside itself.
fn assert_safe_svg(name: &str, svg: &str) {
    let lower = svg.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "{name}: a script");
    assert!(!lower.contains("<foreignobject"), "{name}: foreignObject");
    assert!(!lower.contains("<image"), "{name}: an embedded image");
    assert!(!lower.contains("javascript:"), "{name}: javascript:");
    assert!(!lower.contains("@import"), "{name}: @import");
    let b = lower.as_bytes();
    for i in 0..b.len().saturating_sub(3) {
        if b[i].is_ascii_whitespace()
            && b[i + 1] == b'o'
            && b[i + 2] == b'n'
            && b[i + 3].is_ascii_lowercase()
        {
            let rest = &b[i + 3..];
            let letters = rest.iter().take_while(|c| c.is_ascii_lowercase()).count();
            let after = rest[letters..].iter().find(|c| !c.is_ascii_whitespace());
            assert_ne!(after, Some(&b'='), "{name}: an on… event handler attribute");
        }
    }
    for (i, _) in lower.match_indices("href") {
        let value = lower[i + 4..]
            .trim_start()
            .trim_start_matches('=')
            .trim_start();
        let value = value.trim_start_matches(['"', '\'']);
        assert!(value.starts_with('#'), "{name}: an external href");
    }
    for (i, _) in lower.match_indices("url(") {
        let value = lower[i + 4..].trim_start().trim_start_matches(['"', '\'']);
        assert!(value.starts_with('#'), "{name}: an external url()");
    }
    let without_namespace = lower.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !without_namespace.contains("http:") && !without_namespace.contains("https:"),
        "{name}: a link"
    );
    assert!(!without_namespace.contains("xmlns:xlink"), "{name}: xlink");
}

fn check_photo(slug: &str, p: &Photo) {
    assert!(
        p.illustration,
        "{slug}: {} must be marked as an illustration",
        p.file
    );
    assert_eq!(p.credit, "Vitrina demo", "{slug}: {}", p.file);
    assert_eq!(
        (p.width, p.height),
        (Some(400), Some(400)),
        "{slug}: {}",
        p.file
    );
    for lang in Lang::ALL {
        assert!(!p.alt.get(lang).is_empty(), "{slug}: {} alt", p.file);
    }
    assert!(
        !p.alt.ru.is_empty() && p.alt.ru != p.alt.en,
        "{slug}: {} needs a Russian alt",
        p.file
    );

    let name = p
        .file
        .strip_prefix("demo/")
        .unwrap_or_else(|| panic!("{slug}: {} is not a demo key", p.file));
    let path = repo().join("demo/media").join(name);
    let svg = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{slug}: {}: {e}", path.display()));
    assert!(svg.len() < 8 * 1024, "{name} is {} bytes", svg.len());
    assert!(svg.trim_start().starts_with("<svg"), "{name}: not an SVG");
    assert!(svg.contains("viewBox=\"0 0 400 400\""), "{name}: viewBox");
    let title = svg
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(title, _)| title)
        .unwrap_or_else(|| panic!("{name}: no <title>"));
    assert!(
        title.starts_with("Illustration of") && title.ends_with("not a photograph"),
        "{name}: {title}"
    );
    // The page says "Illustration" once, in its own language, beside the picture (the photo is
    // flagged); a word drawn into the picture was English on Russian pages and covered the
    // badge's lettering.
    assert!(p.illustration, "{name}: not flagged as an illustration");
    for english in [
        ">Illustration<",
        ">reverse<",
        ">engraved",
        ">proof marks",
        ">silversmith",
    ] {
        assert!(
            !svg.contains(english),
            "{name}: the drawing carries the words {english:?}"
        );
    }
    assert_safe_svg(name, &svg);
}

#[test]
fn every_type_has_a_safe_illustration_that_exists() {
    let snapshot = demo();
    for t in &snapshot.types {
        let obverse = t
            .photo(PhotoRole::Obverse)
            .unwrap_or_else(|| panic!("{}: no obverse", t.slug));
        assert!(obverse.illustration);
        assert_eq!(obverse.file, format!("demo/{}-obverse.svg", t.slug));
        for p in t
            .photos
            .iter()
            .chain(t.specimens().flat_map(|s| s.photos.iter()))
        {
            check_photo(t.slug.as_str(), p);
        }
    }
    // The two pieces whose reverse the page describes have a drawing of it.
    for slug in ["mopr-badge", "nkvd-fireman-badge"] {
        let t = badge(&snapshot, slug);
        let reverse = only_specimen(t)
            .photos
            .iter()
            .find(|p| p.role == PhotoRole::Reverse);
        assert_eq!(
            reverse.map(|p| p.file.clone()),
            Some(format!("demo/{slug}-reverse.svg"))
        );
    }
}

#[test]
fn the_safety_check_catches_what_it_should() {
    for bad in [
        r#"<svg><script>alert(1)</script></svg>"#,
        r#"<svg><rect onclick="x()"/></svg>"#,
        r#"<svg><rect ONLOAD = "x()"/></svg>"#,
        r#"<svg><use href="https://example.com/a.svg#x"/></svg>"#,
        r#"<svg><rect fill="url(https://example.com/p)"/></svg>"#,
    ] {
        let caught = std::panic::catch_unwind(|| assert_safe_svg("probe", bad)).is_err();
        assert!(caught, "not caught: {bad}");
    }
    assert_safe_svg(
        "probe",
        r##"<svg xmlns="http://www.w3.org/2000/svg"><use href="#a"/><rect fill="url(#m)"/><text>done</text></svg>"##,
    );
}
