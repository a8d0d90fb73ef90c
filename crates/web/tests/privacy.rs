//! The public site never shows a specimen's private fields, whatever the store holds: every
//! page reachable from `/` and `/ru/`, every image, `/healthz`, search pages and the search
//! API, in every encoding. Nor does it show drafts, nor an uploaded photo's original or its
//! camera metadata (a GPS position above all).

mod common;

use std::collections::{BTreeSet, VecDeque};

use std::sync::Arc;

use vitrina_catalogue::{Access, PartialDate, Photo, PhotoRole, Price, SpecimenPrivate, Text};
use vitrina_media::{Limits, LocalStore, Pipeline};

/// hopper.jpg with an EXIF block inserted after SOI: an ImageDescription holding a secret and
/// a GPS IFD (latitude reference "N"), as a phone's photo would carry.
fn photo_with_gps() -> Vec<u8> {
    let jpeg = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/images/formats/hopper.jpg"),
    )
    .unwrap();
    let description = b"GPS-SECRET-PLACE 51.5074N\0";
    // TIFF header (little-endian), IFD0 at 8 with two entries, then the GPS IFD, then the text
    let ifd0 = 8u32;
    let gps_ifd = ifd0 + 2 + 2 * 12 + 4;
    let text_at = gps_ifd + 2 + 12 + 4;
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&ifd0.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    // 0x010E ImageDescription, ASCII
    tiff.extend_from_slice(&0x010Eu16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&(description.len() as u32).to_le_bytes());
    tiff.extend_from_slice(&text_at.to_le_bytes());
    // 0x8825 GPSInfo, LONG offset
    tiff.extend_from_slice(&0x8825u16.to_le_bytes());
    tiff.extend_from_slice(&4u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&gps_ifd.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD: 0x0001 GPSLatitudeRef = "N"
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0001u16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(description);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

const SECRETS: [&str; 11] = [
    // an uploaded photo's original file name, shown to curators only
    "PRIVATE-NAME-anna-at-home",
    // a draft type and a draft category
    "DRAFT-SECRET-TYPE-5b2e",
    "DRAFT-SECRET-CATEGORY-91c0",
    // a text tag in an uploaded photo's EXIF, beside its GPS block
    "GPS-SECRET-PLACE",
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

    // A draft type in a draft category.
    let mut category: vitrina_catalogue::Category = serde_json::from_value(serde_json::json!({
        "slug": "secret-drafts",
        "title": { "en": "DRAFT-SECRET-CATEGORY-91c0" },
        "published": false,
    }))
    .unwrap();
    category = site
        .catalogue
        .save_category_by(&category, &vitrina_storage::Author::system())
        .await
        .unwrap();
    let draft: vitrina_catalogue::BadgeType = serde_json::from_value(serde_json::json!({
        "slug": "secret-draft",
        "names": { "en": "DRAFT-SECRET-TYPE-5b2e", "ru": "Черновик" },
        "categories": [category.slug.as_str()],
        "description": { "en": "MOPR badge draft" },
        "published": false,
    }))
    .unwrap();
    site.catalogue.save_type(&draft).await.unwrap();

    // A photo from a phone, GPS and all, uploaded to the MOPR badge and processed.
    let photo = photo_with_gps();
    assert!(photo.windows(16).any(|w| w == b"GPS-SECRET-PLACE"));
    let media = Pipeline::new(
        Arc::new(LocalStore::new(site.dir.path().join("media"))),
        Limits::default(),
    );
    let ingested = media.ingest(photo.into()).await.unwrap();
    media.derive(&ingested.hash).await.unwrap();
    let mut mopr = store
        .badge_type(&"mopr-badge".parse().unwrap(), Access::Private)
        .await
        .unwrap();
    mopr.photos.push(Photo {
        id: None,
        role: PhotoRole::Detail,
        file: ingested.file.clone(),
        alt: Text {
            en: "A detail".to_owned(),
            ru: String::new(),
        },
        caption: Text::default(),
        illustration: false,
        width: Some(128),
        height: Some(128),
        credit: String::new(),
        original_name: "IMG_PRIVATE-NAME-anna-at-home.jpg".into(),
    });
    site.catalogue.save_type(&mopr).await.unwrap();
    let original = format!("/media/originals/{}", ingested.hash);
    assert_eq!(
        site.get(&original).await.status(),
        404,
        "the original is private"
    );
    assert_eq!(
        site.get(&format!("/media/queue/{}", ingested.hash))
            .await
            .status(),
        404
    );
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
    let mut queue: VecDeque<String> = [
        "/",
        "/ru/",
        "/healthz",
        "/search?q=",
        "/ru/search?q=",
        "/search?q=draft+secret",
        "/search?q=MOPR",
        "/api/v1/search?q=",
        "/api/v1/search?q=MOPR",
        "/api/v1/search?q=draft",
        "/api/v1/search?q=secret-drafts",
        "/types/secret-draft",
        "/categories/secret-drafts",
        "/api/v1/collection",
        "/api/v1/categories",
        "/api/v1/types",
        "/api/v1/types?limit=2",
        "/api/v1/types?q=draft",
        "/api/v1/types?q=MOPR",
        "/api/v1/types?category=secret-drafts",
        "/api/v1/types/secret-draft",
        "/api/v1/types/secret-draft/photos",
        "/api/v1/categories/secret-drafts",
        "/api/v1/types/mopr-badge/photos",
        "/api/v1/openapi.json",
        "/api/v1/docs",
    ]
    .map(String::from)
    .into();
    // drafts answer 404 like records that do not exist; everything else must answer
    let drafts = [
        "/types/secret-draft",
        "/categories/secret-drafts",
        "/api/v1/types/secret-draft",
        "/api/v1/types/secret-draft/photos",
        "/api/v1/categories/secret-drafts",
    ];
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
        let bytes = res.bytes().await.unwrap();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if drafts.contains(&path.as_str()) {
            assert_eq!(status, 404, "{path} is a draft");
        } else {
            assert!(
                status.is_success() || status.is_redirection(),
                "{path}: {status}"
            );
        }
        if path.starts_with("/media/photos/") {
            assert!(
                !bytes.windows(4).any(|w| w == b"Exif"),
                "{path} carries EXIF"
            );
        }
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
            let decoded = res.bytes().await.unwrap();
            assert_eq!(decoded, bytes, "{path} in {encoding}");
        }
        // The API's answers are followed through every local link they hold (records, pages
        // of lists, photos' sizes).
        // (The OpenAPI document's strings are examples, not links: it is scanned, not followed.)
        if content_type.starts_with("application/json")
            && path.starts_with("/api/v1/")
            && path != "/api/v1/openapi.json"
        {
            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let mut strings = Vec::new();
            json_strings(&v, &mut strings);
            for link in strings {
                let local = link.starts_with("/api/v1/") || link.starts_with("/media/");
                if local && !link.contains(['{', '#']) && !seen.contains(&link) {
                    queue.push_back(link);
                }
            }
        }
        // search pages are scanned but not followed: their facet links combine without end
        let searching = path.starts_with("/search") || path.starts_with("/ru/search");
        if content_type.starts_with("text/html") && !searching {
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
    // The export is not public: asked for anonymously, with or without the private fields, it
    // is refused (the API with 401, the workspace by sending to the sign-in page), and the
    // refusal holds nothing of the collection.
    for path in [
        "/api/v1/export",
        "/api/v1/export?format=json",
        "/api/v1/export?format=csv&private=true",
        "/api/v1/export?format=json&private=true",
        "/api/v1/imports/1",
        "/admin/export/file?format=json&private=1",
        "/ru/admin/export/file?format=csv",
    ] {
        let res = site.get(path).await;
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = res.text().await.unwrap();
        if path.starts_with("/api/") {
            assert_eq!(status, 401, "{path}");
        } else {
            assert_eq!(status, 303, "{path}");
            assert!(
                location.starts_with("/admin/login?next=")
                    || location.starts_with("/ru/admin/login?next="),
                "{path}: {location}"
            );
        }
        for secret in SECRETS {
            assert!(!body.contains(secret), "{path} shows {secret}");
        }
        assert!(!body.contains("mopr-badge"), "{path} shows the collection");
    }

    assert!(seen.len() > 30, "crawled only {seen:?}");
    assert!(
        seen.iter()
            .any(|p| p.starts_with("/api/v1/types/mopr-badge")),
        "the API's records were crawled: {seen:?}"
    );
    assert!(seen.iter().any(|p| p.starts_with("/media/")));
    assert!(seen.iter().any(|p| p.starts_with("/assets/")));
    assert!(seen.iter().any(|p| p.starts_with("/ru/types/")));
    assert!(
        seen.iter()
            .any(|p| p.starts_with(&format!("/media/photos/{}/", ingested.hash))),
        "the uploaded photo's derivatives were crawled: {seen:?}"
    );
}

/// Every string in a JSON value.
fn json_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| json_strings(x, out)),
        _ => {}
    }
}
