//! Every page of the demo collection, in both languages, says what the collector wrote.

mod common;

use common::{count, start};

/// All public page paths of the demo, English first.
async fn demo_paths(site: &common::Site) -> Vec<String> {
    let mut paths = vec!["/".to_owned()];
    for c in site.catalogue.home().await.unwrap().categories {
        paths.push(format!("/categories/{}", c.category.slug));
    }
    for slug in site.catalogue.store().type_slugs().await.unwrap() {
        paths.push(format!("/types/{slug}"));
    }
    paths
}

#[tokio::test]
async fn every_demo_page_answers_in_both_languages_with_alternates_and_one_h1() {
    let site = start().await;
    let paths = demo_paths(&site).await;
    assert!(paths.len() >= 15, "{paths:?}");
    for en in paths {
        let ru = if en == "/" {
            "/ru/".to_owned()
        } else {
            format!("/ru{en}")
        };
        for (path, lang) in [(&en, "en"), (&ru, "ru")] {
            let html = site.page(path).await;
            assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{path}");
            assert_eq!(count(&html, "<h1"), 1, "{path} has one h1");
            assert!(
                html.contains(&format!("<link rel=\"canonical\" href=\"{path}\">")),
                "{path}"
            );
            assert!(
                html.contains(&format!("hreflang=\"en\" href=\"{en}\"")),
                "{path}"
            );
            assert!(
                html.contains(&format!("hreflang=\"ru\" href=\"{ru}\"")),
                "{path}"
            );
            assert!(
                html.contains(&format!("hreflang=\"x-default\" href=\"{en}\"")),
                "{path}"
            );
            assert!(html.contains("<main id=\"content\""), "{path}");
            assert!(html.contains("href=\"#content\""), "{path}: skip link");
            assert!(html.contains("/lang/"), "{path}: language switch");
            for img in html.split("<img ").skip(1) {
                let tag = &img[..img.find('>').unwrap()];
                for attr in ["alt=\"", "width=\"", "height=\"", "decoding=\"async\""] {
                    assert!(tag.contains(attr), "{path}: <img {tag}> lacks {attr}");
                }
                assert!(!tag.contains("alt=\"\""), "{path}: empty alt");
            }
        }
    }
}

#[tokio::test]
async fn the_mopr_page_shows_the_acronym_its_expansion_period_marks_and_thickness() {
    let site = start().await;
    let html = site.page("/types/mopr-badge").await;
    for needle in [
        "МОПР",
        "MOPR",
        "International Organization for Aid to Revolutionaries",
        "1922–1932",
        "silver proof mark",
        "silversmith&#39;s mark",
        "reverse, bottom left",
        "≈ 1/8 in",
        "≈ 3.2 mm",
        "Illustration",
        "Period of award",
    ] {
        assert!(html.contains(needle), "MOPR page lacks {needle:?}");
    }
    let ru = site.page("/ru/types/mopr-badge").await;
    for needle in [
        "Знак МОПР",
        "Международная организация помощи борцам революции",
        "1922–1932 гг.",
        "оборотная сторона, внизу слева",
        "≈ 1/8 дюйма (≈ 3,2 мм)",
        "Иллюстрация",
        "Период вручения",
        "Клейма",
        "Толщина",
    ] {
        assert!(ru.contains(needle), "Russian MOPR page lacks {needle:?}");
    }
}

#[tokio::test]
async fn the_nkvd_page_shows_the_engraved_number_and_both_variants() {
    let site = start().await;
    let html = site.page("/types/nkvd-fireman-badge").await;
    for needle in [
        "No. 9",
        "Silver",
        "Bronze",
        "НКВД",
        "People&#39;s Commissariat for Internal Affairs",
        "1940",
    ] {
        assert!(html.contains(needle), "NKVD page lacks {needle:?}");
    }
    assert_eq!(count(&html, "class=\"variant\""), 2);
    let ru = site.page("/ru/types/nkvd-fireman-badge").await;
    for needle in [
        "Серебро",
        "Бронза",
        "1940 г.",
        "Учреждён",
        "Варианты",
        "Гравировка",
    ] {
        assert!(ru.contains(needle), "Russian NKVD page lacks {needle:?}");
    }
}

#[tokio::test]
async fn the_khalkhin_gol_page_names_the_script_of_its_unrecorded_inscription() {
    let site = start().await;
    let html = site.page("/types/khalkhin-gol-1939").await;
    assert!(html.contains("Inscription"));
    assert!(html.contains("traditional Mongolian script, Mongolian language"));
    let ru = site.page("/ru/types/khalkhin-gol-1939").await;
    assert!(ru.contains("старомонгольское письмо, монгольский язык"));
}

#[tokio::test]
async fn home_and_category_pages_list_what_they_hold() {
    let site = start().await;
    let home = site.page("/").await;
    assert!(home.contains("Soviet Badges"));
    assert!(home.contains("href=\"/categories/mopr-badge\""));
    assert!(
        home.contains("2 types"),
        "the anniversary section holds two types"
    );
    let ru = site.page("/ru/").await;
    assert!(ru.contains("Советские знаки"));
    assert!(ru.contains("2 типа"));
    let cat = site.page("/categories/ussr-anniversary-badges").await;
    assert!(cat.contains("href=\"/types/ussr-50th-anniversary\""));
    assert!(cat.contains("href=\"/types/ussr-60th-anniversary\""));
    assert!(cat.contains("gold-plated") || cat.contains("silver"));
    let cat_ru = site.page("/ru/categories/wrangel-island-excursion").await;
    assert!(cat_ru.contains("1932 г."), "established year on the card");
    assert!(cat_ru.contains("серебро, золото"));
}

#[tokio::test]
async fn a_wrangel_piece_shows_its_condition_and_rarity_translated() {
    let site = start().await;
    let html = site.page("/types/wrangel-island-excursion-1924").await;
    assert!(html.contains("Excellent") && html.contains("Very rare"));
    let ru = site.page("/ru/types/wrangel-island-excursion-1924").await;
    assert!(ru.contains("отличное") && ru.contains("очень редкий"));
}
