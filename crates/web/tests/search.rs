//! Search through HTTP: the results page and the JSON API over the demo collection with its
//! index — the cross-script examples, facets, the JSON shape, hostile input, privacy, and the
//! search box on every page.

mod common;

use std::collections::{BTreeSet, VecDeque};

use common::{Site, start};
use serde_json::Value;
use vitrina_catalogue::{Access, PartialDate, Price, SpecimenPrivate};

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn json(site: &Site, query: &str) -> Value {
    let res = site.get(&format!("/api/v1/search?{query}")).await;
    assert_eq!(res.status(), 200, "/api/v1/search?{query}");
    res.json().await.unwrap()
}

fn slugs(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["slug"].as_str().unwrap().to_owned())
        .collect()
}

/// The type links of the result list on a results page, in order.
fn result_links(html: &str) -> Vec<String> {
    let Some(start) = html.find("<ol class=\"results\">") else {
        return Vec::new();
    };
    let list = &html[start
        ..html[start..]
            .find("</ol>")
            .map_or(html.len(), |e| start + e)];
    common::links(list)
        .into_iter()
        .filter(|l| l.contains("/types/"))
        .collect()
}

#[tokio::test]
async fn latin_and_cyrillic_spellings_find_the_same_badges_first() {
    let site = start().await;
    for (q, slug) in [
        ("MOPR", "mopr-badge"),
        ("МОПР", "mopr-badge"),
        ("mopr", "mopr-badge"),
        ("halhin gol", "khalkhin-gol-1939"),
        ("Халхин-Гол", "khalkhin-gol-1939"),
        ("Халхин Гол", "khalkhin-gol-1939"),
        ("НКВД", "nkvd-fireman-badge"),
        ("NKVD", "nkvd-fireman-badge"),
    ] {
        let v = json(&site, &format!("q={}", enc(q))).await;
        assert_eq!(
            slugs(&v).first().map(String::as_str),
            Some(slug),
            "JSON {q}: {v}"
        );
        for (path, prefix) in [("/search", ""), ("/ru/search", "/ru")] {
            let html = site.page(&format!("{path}?q={}", enc(q))).await;
            let links = result_links(&html);
            assert_eq!(
                links.first().map(String::as_str),
                Some(format!("{prefix}/types/{slug}").as_str()),
                "{path}?q={q}"
            );
        }
    }
    // The Russian page names the Russian first, and the API gives Russian URLs on request.
    let html = site.page(&format!("/ru/search?q={}", enc("mopr"))).await;
    assert!(html.contains(">Знак МОПР</a>"), "{html}");
    let v = json(&site, "q=mopr&lang=ru").await;
    assert_eq!(v["hits"][0]["url"], "/ru/types/mopr-badge");
}

#[tokio::test]
async fn the_snippet_is_highlighted_and_inserted_as_html() {
    let site = start().await;
    let html = site.page("/search?q=mopr").await;
    assert!(html.contains("<mark>MOPR</mark>"), "{html}");
    assert!(!html.contains("&lt;mark&gt;"));
}

#[tokio::test]
async fn the_json_answer_has_its_documented_shape() {
    let site = start().await;
    let res = site.get("/api/v1/search?q=mopr").await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-type").starts_with("application/json"));
    assert_eq!(header(&res, "cache-control"), "public, max-age=30");
    let etag = header(&res, "etag");
    assert!(etag.starts_with('"'), "{etag}");
    let v: Value = res.json().await.unwrap();
    insta::assert_json_snapshot!("api_search_mopr", v);

    let again = site
        .client
        .get(site.url("/api/v1/search?q=mopr"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    // An edit changes the answer and its validator.
    let store = site.catalogue.store().clone();
    let mut t = store
        .badge_type(&"mopr-badge".parse().unwrap(), Access::Private)
        .await
        .unwrap();
    t.names.en = "MOPR badge (revised)".to_owned();
    site.catalogue.save_type(&t).await.unwrap();
    let after = site
        .client
        .get(site.url("/api/v1/search?q=mopr"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 200);
    let v: Value = after.json().await.unwrap();
    assert_eq!(v["hits"][0]["names"]["en"], "MOPR badge (revised)");
}

#[tokio::test]
async fn paging_of_the_api() {
    let site = start().await;
    let all = json(&site, "").await;
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 7, "{all}");
    let first = json(&site, "per_page=3").await;
    let second = json(&site, "per_page=3&page=2").await;
    assert_eq!(first["per_page"], 3);
    assert_eq!(second["page"], 2);
    let mut seen = slugs(&first);
    seen.extend(slugs(&second));
    assert_eq!(seen, slugs(&all)[..6].to_vec());
}

#[tokio::test]
async fn facet_filters_combine() {
    let site = start().await;
    let all = json(&site, "").await;
    let total = all["total"].as_u64().unwrap();
    let count_of = |v: &Value, kind: &str, value: &str| {
        v["facets"][kind]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["value"] == value)
            .map(|x| x["count"].as_u64().unwrap())
            .unwrap_or(0)
    };
    let silver = count_of(&all, "material", "silver");
    let bronze = count_of(&all, "material", "bronze");
    assert!(silver >= 2 && bronze >= 1, "{all}");

    // One value: as many as its count.
    let v = json(&site, "material=silver").await;
    assert_eq!(v["total"].as_u64().unwrap(), silver);
    // Two values of one facet: either.
    let either = json(&site, "material=silver&material=bronze").await;
    let n = either["total"].as_u64().unwrap();
    assert!(n >= silver.max(bronze) && n <= (silver + bronze).min(total));
    // Two facets: both.
    let decade_in_silver = count_of(&v, "decade", "1930");
    assert!(decade_in_silver >= 1, "{v}");
    let both = json(&site, "material=silver&decade=1930").await;
    assert_eq!(both["total"].as_u64().unwrap(), decade_in_silver);
    // A category with text and a sort.
    let v = json(&site, "category=ussr-anniversary-badges").await;
    let mut found = slugs(&v);
    found.sort();
    assert_eq!(
        found,
        ["ussr-50th-anniversary", "ussr-60th-anniversary"],
        "{v}"
    );
    // By year: the 1920s MOPR badge is the earliest.
    let v = json(&site, "sort=year").await;
    assert_eq!(slugs(&v)[0], "mopr-badge", "{v}");
    let v = json(
        &site,
        "q=mopr&category=mopr-badge&material=silver&decade=1920",
    )
    .await;
    assert_eq!(slugs(&v), ["mopr-badge"]);
    let v = json(&site, "q=mopr&category=nkvd-fireman-badge").await;
    assert_eq!(v["total"], 0);
    // A year range.
    let v = json(&site, "year_min=1930&year_max=1939").await;
    assert!(
        slugs(&v).contains(&"navigator-bombardier-school-badge".to_owned()),
        "{v}"
    );
    assert!(
        !slugs(&v).contains(&"ussr-60th-anniversary".to_owned()),
        "{v}"
    );
    // An unknown value matches nothing.
    let v = json(&site, "material=unobtainium").await;
    assert_eq!(v["total"], 0);

    // On the page: the selected values are marked and link to their removal; the other values
    // of a selected facet stay, to widen the selection.
    let html = site.page("/search?material=silver&decade=1930").await;
    assert!(html.contains("aria-current=\"true\""), "{html}");
    assert!(
        html.contains("href=\"/search?decade=1930\""),
        "removing silver keeps the decade: {html}"
    );
    assert!(html.contains("href=\"/search?material=silver\""));
    assert!(
        html.contains("href=\"/search?material=silver&amp;material=gold&amp;decade=1930\""),
        "gold can be added to silver: {html}"
    );
    assert!(
        html.contains("name=\"material\" value=\"silver\""),
        "hidden field"
    );
    assert_eq!(result_links(&html).len() as u64, decade_in_silver);
}

#[tokio::test]
async fn an_empty_query_shows_everything_and_no_result_offers_a_way_on() {
    let site = start().await;
    let html = site.page("/search").await;
    let total = json(&site, "").await["total"].as_u64().unwrap();
    assert_eq!(result_links(&html).len() as u64, total);
    assert!(html.contains("The whole collection"));
    assert!(html.contains("class=\"facet\""));

    let html = site.page("/search?q=zzxqy").await;
    assert!(result_links(&html).is_empty());
    assert!(html.contains("No results"));
    assert!(
        html.contains("href=\"/categories/mopr-badge\""),
        "the sections: {html}"
    );

    // A word begun but not finished: the badges it starts.
    let html = site.page("/search?q=khalkh").await;
    if result_links(&html).is_empty() {
        assert!(html.contains("Did you mean"), "{html}");
        assert!(html.contains("href=\"/types/khalkhin-gol-1939\""), "{html}");
    }
    // A word too many: the shorter search.
    let html = site.page("/search?q=mopr+zzxqy").await;
    assert!(result_links(&html).is_empty());
    assert!(html.contains("Did you mean"), "{html}");
    assert!(html.contains("href=\"/search?q=mopr\""), "{html}");
    // Filters that exclude everything: the search without them.
    let html = site
        .page("/search?q=mopr&category=nkvd-fireman-badge")
        .await;
    assert!(html.contains("Search without the filters"), "{html}");
    // Russian.
    let html = site.page("/ru/search?q=zzxqy").await;
    assert!(html.contains("Ничего не найдено"));
}

#[tokio::test]
async fn sorting_and_paging_links_keep_the_search() {
    let site = start().await;
    let html = site.page("/search?q=badge&material=silver").await;
    assert!(html.contains("href=\"/search?q=badge&amp;material=silver&amp;sort=year\""));
    assert!(html.contains("href=\"/search?q=badge&amp;material=silver&amp;sort=name\""));
    let by_name = json(&site, "sort=name&lang=en").await;
    let names: Vec<String> = by_name["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["names"]["en"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    // Past the last page: 404; the first page of the next language is an alternate.
    assert_eq!(site.get("/search?q=mopr&page=2").await.status(), 404);
    let html = site.page("/search?q=mopr").await;
    assert!(html.contains("<link rel=\"alternate\" hreflang=\"ru\" href=\"/ru/search?q=mopr\">"));
    assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
}

/// Every hostile search: never a 500, never the input unescaped.
#[tokio::test]
async fn hostile_searches_get_a_400_or_an_empty_result_never_a_500() {
    let site = start().await;
    let long = "a".repeat(501);
    let many_words = vec!["word"; 40].join(" ");
    let raw_huge = format!("q={}", "x".repeat(20_000));
    let cases: Vec<(String, Option<u16>)> = vec![
        (format!("q={long}"), Some(400)),
        (format!("q={}", enc(&many_words)), Some(400)),
        (raw_huge, Some(400)),
        (format!("q={}", enc("<script>alert(1)</script>")), Some(200)),
        (
            format!("q={}", enc("\"><img src=x onerror=alert(1)>")),
            Some(200),
        ),
        (format!("q={}", enc("'; DROP TABLE types; --")), Some(200)),
        ("q=%00%01%02%1b%5B31m%7F".to_owned(), Some(200)),
        ("q=%FF%FE%FD".to_owned(), Some(200)),
        ("q=%E2%80%AEmopr".to_owned(), Some(200)),
        (
            format!(
                "q={}",
                enc("title:mopr AND (OR NOT \"unclosed *~2 ^3 [1 TO 2}")
            ),
            Some(200),
        ),
        (
            format!("q={}", enc("* ? \\ / // ../../etc/passwd")),
            Some(200),
        ),
        (
            "q=%F0%9F%8E%96%EF%B8%8F%F0%9F%87%B8%F0%9F%87%AA".to_owned(),
            Some(200),
        ),
        ("q=%CC%81%CC%81%CC%81%CC%81".to_owned(), Some(200)),
        ("page=-1".to_owned(), Some(400)),
        ("page=0".to_owned(), Some(400)),
        ("page=abc".to_owned(), Some(400)),
        ("page=999999999999".to_owned(), Some(400)),
        ("page=18446744073709551616".to_owned(), Some(400)),
        ("year_min=abc".to_owned(), Some(400)),
        ("year_max=1e99".to_owned(), Some(400)),
        ("year_min=-99999999999999999999".to_owned(), Some(400)),
        ("year_min=2000&year_max=1900".to_owned(), Some(200)),
        ("size_min=NaN".to_owned(), Some(400)),
        ("weight_max=inf".to_owned(), Some(400)),
        ("sort=random".to_owned(), Some(400)),
        ("sort=%3Cscript%3E".to_owned(), Some(400)),
        ("category=..%2F..%2Fetc".to_owned(), Some(400)),
        (format!("issuer={}", "x".repeat(300)), Some(400)),
        ("material=unobtainium&rarity=%3Cb%3E".to_owned(), Some(200)),
        ("photos=maybe&decade=abc".to_owned(), Some(200)),
        ("q=mopr&q=nkvd".to_owned(), Some(200)),
        ("&&&=&q&=x&%=%".to_owned(), Some(200)),
        (
            (0..100)
                .map(|i| format!("category=c{i}"))
                .collect::<Vec<_>>()
                .join("&"),
            Some(400),
        ),
    ];
    for (query, want) in &cases {
        for path in ["/search", "/ru/search", "/api/v1/search"] {
            let res = site.get(&format!("{path}?{query}")).await;
            let status = res.status().as_u16();
            let content_type = header(&res, "content-type");
            let body = res.text().await.unwrap();
            assert_ne!(status, 500, "{path}?{query}");
            if let Some(want) = want {
                assert_eq!(status, *want, "{path}?{query}: {body}");
            }
            for raw in ["<script>alert", "<img src=x", "<b>", "<script>"] {
                assert!(!body.contains(raw), "{path}?{query} shows {raw} raw");
            }
            if path.starts_with("/api") {
                let want_type = if status == 200 {
                    "application/json"
                } else {
                    "application/problem+json"
                };
                assert!(content_type.starts_with(want_type), "{path}?{query}");
                let v: Value = serde_json::from_str(&body).unwrap();
                if status == 400 {
                    assert_eq!(v["code"], "bad-query", "{body}");
                    assert_eq!(v["status"], 400, "{body}");
                    assert!(!v["detail"].as_str().unwrap().is_empty());
                }
            } else {
                assert!(content_type.starts_with("text/html"), "{path}?{query}");
                assert!(body.contains("role=\"search\""), "{path}?{query}");
            }
        }
    }
    // The script is escaped in the title, the box and the heading.
    let html = site
        .page(&format!("/search?q={}", enc("<script>alert(1)</script>")))
        .await;
    assert!(html.contains("<title>Results for “&lt;script&gt;alert(1)&lt;/script&gt;”"));
    assert!(html.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
    // The long query: a message, and the first 500 characters kept in the box.
    let res = site.get(&format!("/search?q={long}")).await;
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    assert!(html.contains("at most 500 characters"), "{html}");
    assert!(html.contains(&format!("value=\"{}\"", "a".repeat(500))));
    let res = site.get("/ru/search?year_min=abc&q=mopr").await;
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    assert!(html.contains("Год должен быть целым числом"), "{html}");
    assert!(html.contains("value=\"mopr\""));
    let res = site.get("/api/v1/search?lang=ru&page=-1").await;
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["code"], "bad-query");
    assert_eq!(v["detail"], "Такой страницы результатов нет.");
}

const SECRETS: [&str; 5] = [
    "PRIVATE-PROVENANCE-7f3a",
    "987654.32",
    "SAFE-DEPOSIT-BOX-42",
    "PRIVATE-NOTE-c41d",
    "zanzibarquux",
];

#[tokio::test]
async fn private_fields_are_never_found_nor_shown() {
    let site = start().await;
    let store = site.catalogue.store().clone();
    let mut specimens = 0;
    for slug in store.type_slugs().await.unwrap() {
        let mut t = store.badge_type(&slug, Access::Private).await.unwrap();
        for v in &mut t.variants {
            for s in &mut v.specimens {
                s.private = Some(SpecimenPrivate {
                    provenance: "PRIVATE-PROVENANCE-7f3a zanzibarquux".to_owned(),
                    acquired: Some(PartialDate::parse("1999-09-09").unwrap()),
                    price: Some(Price {
                        amount: "987654.32".to_owned(),
                        currency: "CHF".to_owned(),
                    }),
                    storage_location: "SAFE-DEPOSIT-BOX-42".to_owned(),
                    notes: "PRIVATE-NOTE-c41d zanzibarquux".to_owned(),
                });
                specimens += 1;
            }
        }
        site.catalogue.save_type(&t).await.unwrap();
    }
    assert!(specimens >= 3);
    site.catalogue.reindex().await.unwrap();
    let stored = store
        .badge_type(&"mopr-badge".parse().unwrap(), Access::Private)
        .await
        .unwrap();
    assert!(stored.specimens().all(|s| s.private.is_some()));

    let mut queries: Vec<String> = SECRETS.iter().map(|s| s.to_string()).collect();
    queries.extend(
        [
            "PRIVATE",
            "provenance 7f3a",
            "SAFE DEPOSIT",
            "c41d",
            "987654",
            "zanzibar",
        ]
        .map(String::from),
    );
    for q in &queries {
        let v = json(&site, &format!("q={}&as_you_type=1", enc(q))).await;
        assert_eq!(v["total"], 0, "{q} finds {v}");
        for lang in ["", "/ru"] {
            let html = site.page(&format!("{lang}/search?q={}", enc(q))).await;
            assert!(result_links(&html).is_empty(), "{q} finds something");
        }
    }
    // Everything, as a list: no private value in any answer.
    for path in [
        "/search",
        "/ru/search",
        "/api/v1/search",
        "/api/v1/search?per_page=100",
    ] {
        let body = site.get(path).await.text().await.unwrap();
        for secret in SECRETS.iter().chain(&["CHF", "1999-09-09"]) {
            assert!(!body.contains(secret), "{path} shows {secret}");
        }
    }
}

#[tokio::test]
async fn every_page_has_the_search_box() {
    let site = start().await;
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = ["/", "/ru/", "/search?q=mopr", "/ru/search"]
        .map(String::from)
        .into();
    let mut pages = 0;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) || seen.len() > 80 {
            continue;
        }
        let res = site.get(&path).await;
        if !header(&res, "content-type").starts_with("text/html") || res.status() != 200 {
            continue;
        }
        let html = res.text().await.unwrap();
        pages += 1;
        let ru = path == "/ru" || path.starts_with("/ru/");
        let action = if ru { "/ru/search" } else { "/search" };
        // One search landmark a page: the header's box, or on the search page its own form
        // in its place (axe's landmark-unique).
        assert_eq!(common::count(&html, "role=\"search\""), 1, "{path}");
        if path.contains("search") {
            assert!(
                html.contains(&format!(
                    "<form class=\"search\" action=\"{action}\" method=\"get\" role=\"search\""
                )),
                "{path} has no search form"
            );
            assert!(!html.contains("site-search-q"), "{path}");
        } else {
            assert!(
                html.contains(&format!(
                    "<form class=\"site-search\" role=\"search\" action=\"{action}\" method=\"get\""
                )),
                "{path} has no search box"
            );
            assert!(html.contains("<label class=\"visually-hidden\" for=\"site-search-q\">"));
            assert!(html.contains("id=\"site-search-q\" type=\"search\" name=\"q\""));
        }
        assert!(html.contains("<script src=\"/assets/search."), "{path}");
        // type pages with photos also load the photo viewer; no page has an inline script
        let ours = if html.contains("<script src=\"/assets/viewer.") {
            2
        } else {
            1
        };
        assert_eq!(
            common::count(&html, "<script"),
            ours,
            "{path}: our scripts only, no inline"
        );
        for link in common::links(&html) {
            let local = link.starts_with('/') && !link.starts_with("//");
            let skip = ["/media/", "/assets/", "/lang/", "/api/"]
                .iter()
                .any(|p| link.starts_with(p));
            if local && !skip {
                queue.push_back(link);
            }
        }
    }
    assert!(pages >= 20, "only {pages} pages seen");
    // Error pages too.
    for path in [
        "/types/no-such-badge",
        "/ru/types/no-such-badge",
        "/search?page=-1",
    ] {
        let html = site.get(path).await.text().await.unwrap();
        assert!(html.contains("role=\"search\""), "{path}");
    }
}

#[tokio::test]
async fn the_script_is_served_fingerprinted_and_allowed_by_the_policy() {
    let site = start().await;
    let html = site.page("/").await;
    let script = common::links(&html)
        .into_iter()
        .find(|l| l.starts_with("/assets/search.") && l.ends_with(".js"))
        .expect("a fingerprinted script");
    assert!(html.contains(&format!("<script src=\"{script}\" defer></script>")));
    let res = site.get(&script).await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-type").starts_with("text/javascript"));
    assert!(header(&res, "cache-control").contains("immutable"));
    let body = res.text().await.unwrap();
    assert!(body.len() < 10_000, "a few KB: {}", body.len());
    let res = site.get("/search").await;
    let csp = header(&res, "content-security-policy");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
}

#[tokio::test]
async fn the_search_page_is_cached_with_a_validator() {
    let site = start().await;
    let res = site.get("/search?q=mopr").await;
    let etag = header(&res, "etag");
    assert!(!etag.is_empty());
    let again = site
        .client
        .get(site.url("/search?q=mopr"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn quoted_phrases_match_only_adjacent_words_in_order() {
    let site = start().await;
    for q in [
        "\"Khalkhin Gol\"",
        "«Халхин-Гол»",
        "„Халхин Гол“",
        "\"halhin gol\"",
    ] {
        let v = json(&site, &format!("q={}", enc(q))).await;
        assert_eq!(slugs(&v), ["khalkhin-gol-1939"], "{q}: {v}");
    }
    // Reversed, the phrase is not there; unquoted, the words still find it.
    let v = json(&site, &format!("q={}", enc("\"Gol Khalkhin\""))).await;
    assert_eq!(v["total"], 0, "{v}");
    let v = json(&site, &format!("q={}", enc("Gol Khalkhin"))).await;
    assert!(slugs(&v).contains(&"khalkhin-gol-1939".to_owned()), "{v}");
    // The page shows the quotes back, escaped.
    let html = site
        .page(&format!("/search?q={}", enc("\"Khalkhin Gol\"")))
        .await;
    assert_eq!(result_links(&html), ["/types/khalkhin-gol-1939"]);
    assert!(html.contains("&quot;Khalkhin Gol&quot;"), "{html}");
}

#[tokio::test]
async fn a_hyphenated_name_is_found_by_its_joined_spelling() {
    let site = start().await;
    for q in ["Халхингол", "Halhingol", "khalkhingol"] {
        let v = json(&site, &format!("q={}", enc(q))).await;
        assert_eq!(
            slugs(&v).first().map(String::as_str),
            Some("khalkhin-gol-1939"),
            "{q}: {v}"
        );
    }
}

/// The year of a type as the index sorts it: established, else the start of its period.
async fn year_of(site: &Site, slug: &str) -> Option<i32> {
    let t = site
        .catalogue
        .store()
        .badge_type(&slug.parse().unwrap(), Access::Public)
        .await
        .unwrap();
    t.established.or(t.period.map(|p| p.from)).map(|d| d.year)
}

#[tokio::test]
async fn year_sorts_put_types_without_a_year_last_in_both_directions() {
    let site = start().await;
    // A type without any year, named to sort first by name.
    let mut undated = site
        .catalogue
        .store()
        .badge_type(&"mopr-badge".parse().unwrap(), Access::Private)
        .await
        .unwrap();
    undated.id = None;
    undated.version = 0;
    undated.slug = "aaa-undated".parse().unwrap();
    undated.names.en = "Aaa undated badge".into();
    undated.established = None;
    undated.period = None;
    undated.event = None;
    undated.variants.clear();
    undated.photos.clear();
    site.catalogue.save_type(&undated).await.unwrap();

    for (sort, descending) in [("year", false), ("year_desc", true)] {
        let v = json(&site, &format!("sort={sort}&per_page=100")).await;
        let found = slugs(&v);
        assert!(found.len() >= 3, "{v}");
        let mut years = Vec::new();
        for slug in &found {
            years.push(year_of(&site, slug).await);
        }
        let dated: Vec<i32> = years.iter().map_while(|y| *y).collect();
        assert!(
            years[dated.len()..].iter().all(Option::is_none),
            "{sort}: undated types last: {found:?} {years:?}"
        );
        assert!(years.last().unwrap().is_none(), "{sort}: {found:?}");
        let mut expected = dated.clone();
        expected.sort();
        if descending {
            expected.reverse();
        }
        assert_eq!(dated, expected, "{sort}: {found:?}");
        // The same again: the order is fixed.
        assert_eq!(
            slugs(&json(&site, &format!("sort={sort}&per_page=100")).await),
            found
        );
    }
    // The page keeps the sort in its links.
    let html = site.page("/search?sort=year_desc").await;
    assert!(html.contains("name=\"sort\" value=\"year_desc\""), "{html}");
}

#[tokio::test]
async fn russian_pages_name_issuers_in_russian() {
    let site = start().await;
    let label = |v: &Value, value: &str| {
        v["facets"]["issuer"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["value"] == value)
            .map(|x| x["label"].as_str().unwrap().to_owned())
    };
    let en = json(&site, "lang=en").await;
    assert_eq!(label(&en, "MOPR").as_deref(), Some("MOPR"), "{en}");
    let ru = json(&site, "lang=ru").await;
    assert_eq!(label(&ru, "MOPR").as_deref(), Some("МОПР"), "{ru}");
    assert_eq!(
        label(&ru, "Navigator & Bombardier School").as_deref(),
        Some("Школа штурманов и бомбардиров"),
        "{ru}"
    );
    let html = site.page("/ru/search").await;
    assert!(
        html.contains("href=\"/ru/search?issuer=MOPR\" rel=\"nofollow\"><span class=\"facet__box\" aria-hidden=\"true\"></span><span class=\"facet__label\">МОПР</span>"),
        "{html}"
    );
    // With the issuer selected, its label stays Russian.
    let html = site.page("/ru/search?issuer=MOPR").await;
    assert!(
        html.contains("<span class=\"facet__label\">МОПР</span>"),
        "{html}"
    );
    assert!(!html.contains("<span class=\"facet__label\">MOPR</span>"));
}

#[tokio::test]
async fn a_draft_category_is_not_a_public_facet_value() {
    let site = start().await;
    let author = vitrina_operations::Author::system();
    let mut category = site
        .catalogue
        .store()
        .category(&"mopr-badge".parse().unwrap())
        .await
        .unwrap();
    category.id = None;
    category.version = 0;
    category.slug = "secret-section".parse().unwrap();
    category.title.en = "Secret section".into();
    category.published = false;
    site.catalogue
        .save_category_by(&category, &author)
        .await
        .unwrap();
    let mut mopr = site
        .catalogue
        .store()
        .badge_type(&"mopr-badge".parse().unwrap(), Access::Private)
        .await
        .unwrap();
    mopr.categories.push("secret-section".parse().unwrap());
    site.catalogue.save_type(&mopr).await.unwrap();

    for query in ["", "q=mopr"] {
        let v = json(&site, query).await;
        assert!(slugs(&v).contains(&"mopr-badge".to_owned()), "{v}");
        let categories = v["facets"]["category"].as_array().unwrap();
        assert!(
            categories.iter().all(|c| c["value"] != "secret-section"),
            "{v}"
        );
    }
    let v = json(&site, "category=secret-section").await;
    assert_eq!(v["total"], 0, "{v}");
    for path in ["/search", "/search?q=mopr", "/ru/search"] {
        let html = site.page(path).await;
        assert!(!html.contains("secret-section"), "{path}: {html}");
        assert!(!html.contains("Secret section"), "{path}");
    }
}

#[tokio::test]
async fn facets_with_one_value_every_result_has_narrowed_nothing() {
    let site = start().await;
    // One result: every facet of it has one value counted once, and none is shown.
    let html = site.page("/search?q=mopr").await;
    assert!(html.contains("class=\"result\""), "{html}");
    assert_eq!(
        common::count(&html, "<section class=\"facet\""),
        0,
        "{html}"
    );
    // The whole collection: facets that tell types apart are kept.
    let all = site.page("/search").await;
    assert!(all.contains("id=\"facet-category\""), "{all}");
    assert!(all.contains("id=\"facet-decade\""));
    // A selected value stays, so it can be removed, even when it is the only one.
    let selected = site.page("/search?q=mopr&category=mopr-badge").await;
    assert!(selected.contains("id=\"facet-category\""), "{selected}");
}
