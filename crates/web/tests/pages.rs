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

#[tokio::test]
async fn the_type_page_put_names_and_database_words_before_the_object() {
    let site = start().await;
    for (path, title, other) in [
        ("/types/mopr-badge", "MOPR badge", "Знак МОПР"),
        ("/ru/types/mopr-badge", "Знак МОПР", "MOPR badge"),
    ] {
        let html = site.page(path).await;
        // The title once; under it only the name in the other language, then the photos.
        let names = &html[html.find("class=\"names\"").unwrap()..];
        let names = &names[..names.find("</dl>").unwrap()];
        assert!(!names.contains(title), "{path}: the names repeat the title");
        assert!(names.contains(other), "{path}");
        let gallery = html.find("class=\"type__gallery\"").unwrap();
        assert!(
            gallery < html.find("class=\"type__facts\"").unwrap(),
            "{path}"
        );
        // The illustration said once, translated, never inside the picture.
        let label = if path.starts_with("/ru") {
            "Иллюстрация"
        } else {
            "Illustration"
        };
        let figure = &html[gallery..html.find("class=\"type__facts\"").unwrap()];
        let figures = count(figure, "<figure");
        assert_eq!(count(figure, label), figures, "{path}: one label a figure");
        assert!(!html.contains("Illustration: Vitrina demo"), "{path}");
        // Visitors' words, not the model's.
        for word in [
            "Piece 1",
            "Variant 1",
            "Экземпляр 1",
            "Вариант 1",
            "text not recorded",
        ] {
            assert!(!html.contains(word), "{path} shows {word:?}");
        }
    }
    let svg = site.get("/media/demo/mopr-badge-reverse.svg").await;
    let svg = svg.text().await.unwrap();
    for english in [
        ">Illustration<",
        ">proof marks",
        ">silversmith",
        ">reverse<",
    ] {
        assert!(
            !svg.contains(english),
            "the drawing carries English text: {english}"
        );
    }
}

#[tokio::test]
async fn without_javascript_a_photo_opened_a_bare_file() {
    let site = start().await;
    let html = site.page("/types/mopr-badge").await;
    // Each figure leads to a page of its own; the viewer reads the large size from data-large.
    assert!(
        html.contains(
            "class=\"figure__zoom\" href=\"/types/mopr-badge/photos/1\" data-large=\"/media/"
        ),
        "{html}"
    );
    let photo = site.page("/types/mopr-badge/photos/2").await;
    assert!(
        photo.contains("<h1 class=\"photo-page__title\">MOPR badge · Reverse · Solid silver</h1>"),
        "{photo}"
    );
    assert!(
        photo.contains("<img src=\"/media/demo/mopr-badge-reverse.svg\""),
        "{photo}"
    );
    assert!(photo.contains("Image 2 of 2"));
    assert!(
        photo.contains("href=\"/types/mopr-badge/photos/1\""),
        "a way to the previous image"
    );
    assert!(photo.contains("href=\"/types/mopr-badge\""), "a way back");
    let ru = site.page("/ru/types/mopr-badge/photos/1").await;
    assert!(ru.contains("Знак МОПР · Лицевая сторона"), "{ru}");
    assert!(ru.contains("Изображение 1 из 2"));
    for bad in [
        "0",
        "3",
        "01",
        "-1",
        "+1",
        "1.0",
        "x",
        "99999999999999999999999",
    ] {
        let res = site.get(&format!("/types/mopr-badge/photos/{bad}")).await;
        assert_eq!(res.status(), 404, "{bad}");
    }
    assert_eq!(site.get("/types/no-such-type/photos/1").await.status(), 404);
}
