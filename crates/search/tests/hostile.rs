//! Hostile, malformed and very long queries: an empty result or a query error, never a panic.

mod common;

use common::demo_index;
use vitrina_search::{Bounds, FacetKind, Filter, MAX_QUERY_CHARS, Query, SearchError};

#[test]
fn hostile_texts_give_results_or_query_errors() {
    let index = demo_index();
    let long_word = "a".repeat(10_000);
    let long_cyrillic = "щ".repeat(MAX_QUERY_CHARS);
    let many_words = "badge ".repeat(40);
    let nul = "MOPR\u{0}\u{1}\u{7f}\u{202e}\u{feff}";
    let inputs: Vec<&str> = vec![
        &long_word,
        &long_cyrillic,
        &many_words,
        nul,
        "\"",
        "\"MOPR",
        "MOPR\"\"\"",
        "AND OR NOT",
        "( ) : ^ ~ *",
        "MOPR AND (NKVD OR",
        "title:MOPR^10~2",
        "*",
        "?",
        "\\",
        "'",
        "-",
        "–—",
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "%00%27%22",
        "' OR 1=1 --",
        "𝕸𝕺𝕻𝕽",
        "ǅ ﬀ ẞ İ",
        "\u{301}\u{301}\u{301}",
        "9999-0000",
        "0000–9999",
        "1922–1922",
        "99999999999999999999999",
        "   ",
        "\n\t\r",
        "ё",
        "й",
        "a b c d e f g h i j k l m n o p q r s t u v w x y z",
    ];
    for text in inputs {
        match index.search(&Query::text(text)) {
            Ok(_) => {}
            Err(e) => assert!(e.is_bad_query(), "{text:?}: {e}"),
        }
    }
}

#[test]
fn too_long_and_too_many_words_are_query_errors() {
    let index = demo_index();
    let err = index.search(&Query::text("x".repeat(10_000))).unwrap_err();
    assert!(matches!(err, SearchError::QueryTooLong { .. }));
    let err = index.search(&Query::text("badge ".repeat(40))).unwrap_err();
    assert!(matches!(err, SearchError::TooManyWords { .. }));
}

#[test]
fn query_syntax_is_plain_text() {
    let index = demo_index();
    // Operators are words (mostly stop words) and do not change the meaning.
    let slugs = |text: &str| {
        let r = index.search(&Query::text(text)).unwrap();
        r.hits.into_iter().map(|h| h.slug).collect::<Vec<_>>()
    };
    assert_eq!(slugs("MOPR"), slugs("(MOPR)"));
    assert_eq!(slugs("MOPR"), slugs("MOPR^~*:"));
    assert!(
        index
            .search(&Query::text("NOT MOPR"))
            .unwrap()
            .hits
            .iter()
            .any(|h| h.slug == "mopr-badge")
    );
    let html = index.search(&Query::text("<b>MOPR</b>")).unwrap();
    assert_eq!(html.hits[0].slug, "mopr-badge");
    assert!(!html.hits[0].snippet.html.contains("<b>"));
}

#[test]
fn odd_paging_and_ranges_do_not_panic() {
    let index = demo_index();
    for (offset, limit) in [(0, 0), (usize::MAX, usize::MAX), (7, 1), (1_000_000, 5)] {
        let q = Query {
            offset,
            limit,
            ..Query::text("badge")
        };
        index.search(&q).unwrap();
    }
    let q = Query {
        year: Bounds {
            min: Some(2000),
            max: Some(1000),
        },
        size_mm: Bounds {
            min: Some(-1.0),
            max: Some(1e300),
        },
        ..Query::text("")
    };
    assert_eq!(index.search(&q).unwrap().total, 0);
    let q = Query {
        weight_g: Bounds {
            min: Some(f64::NAN),
            max: None,
        },
        ..Query::text("")
    };
    assert!(index.search(&q).unwrap_err().is_bad_query());
    let q = Query {
        filters: vec![Filter::new(FacetKind::Category, "x"); 1000],
        ..Query::text("")
    };
    assert!(index.search(&q).unwrap_err().is_bad_query());
    let q = Query {
        filters: vec![Filter::new(FacetKind::Category, "")],
        ..Query::text("")
    };
    assert!(index.search(&q).unwrap_err().is_bad_query());
}
