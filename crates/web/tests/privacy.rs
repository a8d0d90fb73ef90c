//! The public site never shows a specimen's private fields, whatever the store holds: every
//! page reachable from `/` and `/ru/`, every image, `/healthz`, in every encoding.

mod common;

use std::collections::{BTreeSet, VecDeque};

use vitrina_catalogue::{Access, PartialDate, Price, SpecimenPrivate};

const SECRETS: [&str; 7] = [
    "PRIVATE-PROVENANCE-7f3a",
    "987654.32",
    "987654,32",
    "SAFE-DEPOSIT-BOX-42",
    "PRIVATE-NOTE-c41d",
    "1999-09-09",
    "CHF",
];

#[tokio::test]
async fn no_private_value_reaches_any_public_response() {
    let site = common::start().await;
    let store = site.catalogue.store().clone();
    let mut specimens = 0;
    for slug in store.type_slugs().await.unwrap() {
        let mut t = store.badge_type(&slug, Access::Private).await.unwrap();
        for v in &mut t.variants {
            for s in &mut v.specimens {
                s.private = Some(SpecimenPrivate {
                    provenance: "PRIVATE-PROVENANCE-7f3a".to_owned(),
                    acquired: Some(PartialDate::parse("1999-09-09").unwrap()),
                    price: Some(Price {
                        amount: "987654.32".to_owned(),
                        currency: "CHF".to_owned(),
                    }),
                    storage_location: "SAFE-DEPOSIT-BOX-42".to_owned(),
                    notes: "PRIVATE-NOTE-c41d".to_owned(),
                });
                specimens += 1;
            }
        }
        site.catalogue.save_type(&t).await.unwrap();
    }
    assert!(specimens >= 3, "the demo has pieces to hide things in");
    // The store really holds them: the test would prove nothing otherwise.
    let stored = store
        .badge_type(&"mopr-badge".parse().unwrap(), Access::Private)
        .await
        .unwrap();
    assert!(stored.specimens().all(|s| s.private.is_some()));

    let decoding = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = ["/", "/ru/", "/healthz"].map(String::from).into();
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let res = site.get(&path).await;
        let status = res.status();
        let content_type = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = res.text().await.unwrap();
        assert!(
            status.is_success() || status.is_redirection(),
            "{path}: {status}"
        );
        for secret in SECRETS {
            assert!(!body.contains(secret), "{path} shows {secret}");
        }
        // The same content compressed, decoded by the client.
        for encoding in ["gzip", "br"] {
            let res = decoding
                .get(site.url(&path))
                .header("accept-encoding", encoding)
                .send()
                .await
                .unwrap();
            let decoded = res.text().await.unwrap();
            assert_eq!(decoded, body, "{path} in {encoding}");
        }
        if content_type.starts_with("text/html") {
            for link in common::links(&body) {
                if link.starts_with('/') && !link.starts_with("//") && !link.starts_with("/lang/") {
                    let link = link.split('#').next().unwrap().to_owned();
                    if !seen.contains(&link) {
                        queue.push_back(link);
                    }
                }
            }
        }
    }
    assert!(seen.len() > 30, "crawled only {seen:?}");
    assert!(seen.iter().any(|p| p.starts_with("/media/")));
    assert!(seen.iter().any(|p| p.starts_with("/assets/")));
    assert!(seen.iter().any(|p| p.starts_with("/ru/types/")));
}
