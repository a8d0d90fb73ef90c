//! Photo uploads against the real server on port 0, over the demo collection: a curator's
//! photos land on the type as records, their originals stay private, the derivatives are made
//! in the background and served; hostile uploads get a clear 4xx, leave nothing behind, and the
//! server keeps serving.

mod common;

use std::ops::Deref;
use std::path::Path;

use common::curators::{self, Options};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use reqwest::multipart::{Form, Part};
use tempfile::TempDir;
use vitrina_catalogue::{Access, PhotoRole, Role, Slug};
use vitrina_media::Limits;
const MOPR: &str = "mopr-badge";

/// A curators' server over the demo collection, with uploads; and what these tests ask of it.
struct Server(curators::Server);

impl Deref for Server {
    type Target = curators::Server;

    fn deref(&self) -> &curators::Server {
        &self.0
    }
}

/// The demo collection, with uploads through a media pipeline with `limits`.
async fn start(dir: &TempDir, limits: Limits) -> Server {
    let options = Options {
        demo: true,
        media: Some(limits),
        ..Options::default()
    };
    Server(curators::start(dir, options).await)
}

impl Server {
    async fn upload(
        &self,
        (cookie, csrf): &(String, String),
        slug: &str,
        form: Form,
        json: bool,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(self.url(&format!("/admin/types/{slug}/upload?csrf={csrf}")))
            .header("cookie", cookie)
            .multipart(form);
        if json {
            req = req.header("accept", "application/json");
        }
        req.send().await.unwrap()
    }

    async fn photos_of(&self, slug: &str) -> Vec<vitrina_catalogue::Photo> {
        let store: &dyn vitrina_storage::Store = self.catalogue.store().as_ref();
        store
            .badge_type(&Slug::parse(slug).unwrap(), Access::Private)
            .await
            .unwrap()
            .photos
    }

    fn originals(&self) -> Vec<String> {
        match std::fs::read_dir(self.media_dir.join("originals")) {
            Ok(rd) => rd
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    async fn still_serving(&self) {
        let res = self.client.get(self.url("/healthz")).send().await.unwrap();
        assert_eq!(res.status(), 200, "the server must keep serving");
    }
}

fn testdata(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/images")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn photo(form: Form, role: &str, alt: &str, name: &str, bytes: Vec<u8>) -> Form {
    form.text("role", role.to_owned())
        .text("alt", alt.to_owned())
        .part("file", Part::bytes(bytes).file_name(name.to_owned()))
}

/// A PNG header (signature + IHDR with a valid CRC) claiming `w`×`h`, and nothing else.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A JPEG whose frame header claims `w`×`h`: SOI, a baseline SOF0, then nothing.
fn jpeg_header(w: u16, h: u16) -> Vec<u8> {
    let mut out = vec![0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08];
    out.extend_from_slice(&h.to_be_bytes());
    out.extend_from_slice(&w.to_be_bytes());
    out.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    out
}

/// A valid 50000×50000 1-bit greyscale PNG: 2.5 gigapixels of zeros, a few hundred KB deflated.
fn pixel_flood_png() -> Vec<u8> {
    let side = 50_000u32;
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header().unwrap();
        let mut stream = writer.stream_writer().unwrap();
        let row = vec![0u8; (side as usize).div_ceil(8)];
        for _ in 0..side {
            std::io::Write::write_all(&mut stream, &row).unwrap();
        }
        stream.finish().unwrap();
    }
    out
}

#[tokio::test]
async fn an_editor_uploads_obverse_and_reverse_and_the_site_serves_their_derivatives() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir, Limits::default()).await;
    let editor = s.curator("editor", Role::Editor).await;
    let before = s.photos_of(MOPR).await.len();

    // an upright 1800×1200 photo stored 1200×1800 with orientation 6, and a PNG named .jpg
    let form = photo(
        Form::new(),
        "obverse",
        "MOPR badge, obverse, <b>silver</b>",
        "IMG_0001.JPG",
        testdata("orientation/Landscape_6.jpg"),
    );
    let form = photo(
        form,
        "reverse",
        "",
        "reverse.jpg",
        testdata("formats/pil123rgba.png"),
    );
    let res = s.upload(&editor, MOPR, form, false).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers().get(LOCATION).unwrap(),
        &format!("/admin/types/{MOPR}#photos")
    );

    let photos = s.photos_of(MOPR).await;
    assert_eq!(photos.len(), before + 2);
    let obverse = &photos[before];
    let reverse = &photos[before + 1];
    assert_eq!(obverse.role, PhotoRole::Obverse);
    assert_eq!(reverse.role, PhotoRole::Reverse);
    assert_eq!(obverse.alt.en, "MOPR badge, obverse, <b>silver</b>");
    // The file names as uploaded are kept, for the curator.
    assert_eq!(obverse.original_name, "IMG_0001.JPG");
    assert_eq!(reverse.original_name, "reverse.jpg");
    assert!(
        !reverse.alt.en.is_empty(),
        "an empty alt text gets one made up"
    );
    // the dimensions are the upright ones, read from the header
    assert_eq!((obverse.width, obverse.height), (Some(1800), Some(1200)));
    assert_eq!((reverse.width, reverse.height), (Some(162), Some(150)));
    let hash = obverse.file.strip_prefix("photos/").unwrap().to_owned();
    assert_eq!(s.originals().len(), 2, "both originals stored, privately");

    // until the worker has made them, the curator's page says the web sizes are being made
    let admin = format!("/admin/types/{MOPR}");
    let page = s.get(&admin, &editor.0).await.text().await.unwrap();
    assert!(
        page.contains("The web sizes are being made"),
        "pending shown"
    );
    assert!(!page.contains(&format!("/media/photos/{hash}/thumb.jpg")));

    // the derivatives are made in the background
    let worker = s.media().spawn_worker(std::future::pending::<()>());
    let thumb = format!("/media/photos/{hash}/thumb.jpg");
    let mut served = None;
    for _ in 0..300 {
        let res = s.client.get(s.url(&thumb)).send().await.unwrap();
        if res.status() == 200 {
            served = Some(res);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    worker.abort();
    let served = served.expect("the thumbnail is made and served");
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    let bytes = served.bytes().await.unwrap();
    assert_eq!(&bytes[..2], &[0xff, 0xd8]);
    assert!(
        !bytes.windows(4).any(|w| w == b"Exif"),
        "no camera metadata in what the public gets"
    );
    for size in ["display", "large"] {
        for ext in ["jpg", "webp"] {
            let res = s
                .client
                .get(s.url(&format!("/media/photos/{hash}/{size}.{ext}")))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{size}.{ext}");
        }
    }

    // now the curator's page shows the thumbnail, once the worker has made every size of both
    // photos (under load the reverse can still be in hand when the obverse's files are served)
    let worker = s.media().spawn_worker(std::future::pending::<()>());
    let thumb_img = format!("<img class=\"photo__thumb\" src=\"/media/photos/{hash}/thumb.jpg\"");
    let mut page = String::new();
    for _ in 0..300 {
        page = s.get(&admin, &editor.0).await.text().await.unwrap();
        if page.contains(&thumb_img) && !page.contains("The web sizes are being made") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    worker.abort();
    assert!(page.contains(&thumb_img));
    assert!(!page.contains("The web sizes are being made"));
    assert!(page.contains("<span class=\"photo__name\">IMG_0001.JPG</span>"));

    // the untouched original (camera data, perhaps GPS) is never served
    for private in [
        format!("/media/originals/{hash}"),
        format!("/media/queue/{hash}"),
        "/media/originals/".to_owned(),
    ] {
        let res = s.client.get(s.url(&private)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{private}");
    }

    // the public type page shows the new photo, its alt text escaped
    let page = s
        .client
        .get(s.url(&format!("/types/{MOPR}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&hash), "the type page shows the upload");
    assert!(!page.contains("<b>silver</b>"), "alt text is escaped");
}

#[tokio::test]
async fn the_same_photo_uploaded_twice_is_stored_once_and_json_callers_get_json() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir, Limits::default()).await;
    let editor = s.curator("editor", Role::Editor).await;
    let bytes = testdata("formats/hopper.jpg");
    let first = s
        .upload(
            &editor,
            MOPR,
            photo(Form::new(), "detail", "a", "a.jpg", bytes.clone()),
            true,
        )
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let body: serde_json::Value = first.json().await.unwrap();
    assert_eq!(body["photos"][0]["role"], "detail");
    assert_eq!(body["photos"][0]["width"], 128);
    assert_eq!(body["photos"][0]["duplicate"], false);
    let again = s
        .upload(
            &editor,
            "khalkhin-gol-1939",
            photo(Form::new(), "obverse", "b", "b.jpg", bytes),
            true,
        )
        .await;
    assert_eq!(again.status(), StatusCode::CREATED);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["photos"][0]["duplicate"], true);
    assert_eq!(s.originals().len(), 1, "identical uploads are stored once");
}

#[tokio::test]
async fn only_editors_with_the_csrf_token_may_upload() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir, Limits::default()).await;
    let viewer = s.curator("viewer", Role::Viewer).await;
    let editor = s.curator("editor", Role::Editor).await;
    let one = || {
        photo(
            Form::new(),
            "obverse",
            "",
            "a.jpg",
            testdata("formats/hopper.jpg"),
        )
    };

    let res = s.upload(&viewer, MOPR, one(), false).await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "a viewer changes nothing"
    );

    let anonymous = s
        .client
        .post(s.url(&format!("/admin/types/{MOPR}/upload")))
        .multipart(one())
        .send()
        .await
        .unwrap();
    assert!(
        anonymous.status() == StatusCode::SEE_OTHER
            || anonymous.status() == StatusCode::UNAUTHORIZED
            || anonymous.status() == StatusCode::FORBIDDEN,
        "anonymous: {}",
        anonymous.status()
    );

    let forged = (editor.0.clone(), "not-the-token".to_owned());
    let res = s.upload(&forged, MOPR, one(), false).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a wrong CSRF token");

    let res = s.upload(&editor, "no-such-type", one(), false).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    assert!(s.originals().is_empty(), "nothing refused was stored");
    s.still_serving().await;
}

#[tokio::test]
async fn hostile_uploads_get_a_clear_refusal_and_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir, Limits::default()).await;
    let editor = s.curator("editor", Role::Editor).await;
    let before = s.photos_of(MOPR).await;
    let jpeg = testdata("formats/hopper.jpg");

    let mut svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\">".to_vec();
    svg.extend_from_slice(b"<script>alert(1)</script></svg>");
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "empty.jpg",
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty",
        ),
        (
            "notes.jpg",
            b"this is not a photo at all".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not",
        ),
        ("badge.svg", svg, StatusCode::UNSUPPORTED_MEDIA_TYPE, "SVG"),
        (
            "huge.png",
            png_header(65_500, 65_500),
            StatusCode::UNPROCESSABLE_ENTITY,
            "65500",
        ),
        (
            "huge.jpg",
            jpeg_header(65_500, 65_500),
            StatusCode::UNPROCESSABLE_ENTITY,
            "65500",
        ),
        (
            "cut.jpg",
            jpeg[..jpeg.len() / 2].to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cut short",
        ),
        (
            "flood.png",
            pixel_flood_png(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "50000",
        ),
    ];
    for (name, bytes, status, needle) in cases {
        // a good photo first: one bad file refuses the whole upload
        let form = photo(Form::new(), "obverse", "", "good.jpg", jpeg.clone());
        let form = photo(form, "reverse", "", name, bytes);
        let res = s.upload(&editor, MOPR, form, true).await;
        assert_eq!(res.status(), status, "{name}");
        let body: serde_json::Value = res.json().await.unwrap();
        let message = body["detail"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{name}: {message}");
        assert!(!message.contains('<'), "{name}: the message is plain text");
        assert!(s.originals().is_empty(), "{name}: nothing stored");
        assert_eq!(s.photos_of(MOPR).await, before, "{name}: no record");
        s.still_serving().await;
    }

    // the plain form gets a page saying what happened, the file name escaped
    let form = photo(
        Form::new(),
        "obverse",
        "",
        "<img src=x onerror=alert(1)>.jpg",
        b"nope".to_vec(),
    );
    let res = s.upload(&editor, MOPR, form, false).await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let html = res.text().await.unwrap();
    assert!(html.contains("were not uploaded"));
    assert!(!html.contains("<img src=x"), "the file name is escaped");

    // nothing chosen, an unknown role, a specimen of another type
    let res = s
        .upload(&editor, MOPR, Form::new().text("role", "obverse"), true)
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let form = photo(Form::new(), "<script>", "", "a.jpg", jpeg.clone());
    let res = s.upload(&editor, MOPR, form, true).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let form = photo(
        Form::new().text("specimen", "999999"),
        "obverse",
        "",
        "a.jpg",
        jpeg.clone(),
    );
    let res = s.upload(&editor, MOPR, form, true).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let form = photo(Form::new(), "obverse", &"x".repeat(10_000), "a.jpg", jpeg);
    let res = s.upload(&editor, MOPR, form, true).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    assert!(s.originals().is_empty());
    assert_eq!(s.photos_of(MOPR).await, before);
    s.still_serving().await;
}

#[tokio::test]
async fn a_file_over_the_configured_size_is_refused_while_it_streams_in() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_bytes: 2_000,
        ..Limits::default()
    };
    let s = start(&dir, limits).await;
    let editor = s.curator("editor", Role::Editor).await;
    let big = testdata("orientation/Landscape_1.jpg");
    assert!(big.len() > 2_000);
    let res = s
        .upload(
            &editor,
            MOPR,
            photo(Form::new(), "obverse", "", "big.jpg", big),
            true,
        )
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "too-large");
    assert_eq!(body["status"], 413);
    assert!(body["detail"].as_str().unwrap().contains("limit"));
    assert!(s.originals().is_empty());
    assert_no_temporary_files(&s);
    s.still_serving().await;
}

/// Streamed uploads leave no temporary files behind, whatever happened to them.
fn assert_no_temporary_files(s: &Server) {
    let left = std::fs::read_dir(s.media_dir.join(".tmp"))
        .map(|rd| rd.count())
        .unwrap_or(0);
    assert_eq!(left, 0, "temporary upload files were left behind");
}

/// `hopper.jpg` made distinct by `n` bytes after its end marker.
fn distinct_jpeg(n: usize) -> Vec<u8> {
    let mut bytes = testdata("formats/hopper.jpg");
    bytes.extend(std::iter::repeat_n(0u8, n));
    bytes
}

#[tokio::test]
async fn many_photos_at_once_are_streamed_and_stored_and_one_more_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir, Limits::default()).await;
    let editor = s.curator("editor", Role::Editor).await;
    let before = s.photos_of(MOPR).await.len();
    let mut form = Form::new();
    for i in 0..vitrina_web_max_files() {
        form = photo(
            form,
            "detail",
            "",
            &format!("{i}.jpg"),
            distinct_jpeg(i + 1),
        );
    }
    let res = s.upload(&editor, MOPR, form, true).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["photos"].as_array().unwrap().len(), 24);
    assert_eq!(s.originals().len(), 24);
    assert_eq!(s.photos_of(MOPR).await.len(), before + 24);
    assert_no_temporary_files(&s);

    let mut form = Form::new();
    for i in 0..=vitrina_web_max_files() {
        form = photo(
            form,
            "detail",
            "",
            &format!("{i}.jpg"),
            distinct_jpeg(100 + i),
        );
    }
    let res = s.upload(&editor, MOPR, form, true).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "too-large");
    assert_eq!(s.originals().len(), 24, "nothing more stored");
    assert_no_temporary_files(&s);
}

/// The most photos one request may carry (`uploads::MAX_FILES`).
fn vitrina_web_max_files() -> usize {
    24
}

#[tokio::test]
async fn a_save_that_fails_leaves_no_originals_behind() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir, Limits::default()).await;
    let editor = s.curator("editor", Role::Editor).await;
    // a type that already holds as many photos as a record may: one more fails validation
    let store: &dyn vitrina_storage::Store = s.catalogue.store().as_ref();
    let mut t = store
        .badge_type(&Slug::parse(MOPR).unwrap(), Access::Private)
        .await
        .unwrap();
    let model = t.photos[0].clone();
    t.photos = (0..500)
        .map(|i| vitrina_catalogue::Photo {
            id: None,
            file: format!("photos/{i:064x}"),
            ..model.clone()
        })
        .collect();
    s.catalogue.save_type(&t).await.unwrap();
    let form = photo(Form::new(), "obverse", "", "a.jpg", distinct_jpeg(1));
    let form = photo(form, "reverse", "", "b.jpg", distinct_jpeg(2));
    let res = s.upload(&editor, MOPR, form, true).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "invalid");
    assert!(
        s.originals().is_empty(),
        "the stored originals were removed"
    );
    assert_eq!(s.photos_of(MOPR).await.len(), 500);
    assert_no_temporary_files(&s);
    s.still_serving().await;
}

/// A whole small PNG whose image data is damaged past any decoder: the header reads well (so
/// the upload is accepted), the pixels cannot be made.
fn png_with_broken_pixels() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 64, 64);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        let pixels: Vec<u8> = (0..64 * 64 * 3).map(|i| (i * 7 % 251) as u8).collect();
        writer.write_image_data(&pixels).unwrap();
    }
    // Overwrite the compressed data (after the IDAT chunk's type) with bytes no inflater
    // takes, and mend the chunk's CRC so only the pixels are wrong.
    let at = out.windows(4).position(|w| w == b"IDAT").unwrap();
    let len = u32::from_be_bytes(out[at - 4..at].try_into().unwrap()) as usize;
    for (i, b) in out[at + 4..at + 4 + len].iter_mut().enumerate() {
        *b = if i < 2 { [0x78, 0x9c][i] } else { 0xff };
    }
    let crc = crc32(&out[at..at + 4 + len]);
    out[at + 4 + len..at + 8 + len].copy_from_slice(&crc.to_be_bytes());
    out
}

#[tokio::test]
async fn a_photo_whose_derivatives_failed_showed_a_broken_image_on_the_public_page() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir, Limits::default()).await;
    let editor = s.curator("editor", Role::Editor).await;
    let form = photo(
        Form::new(),
        "detail",
        "Broken detail",
        "broken.png",
        png_with_broken_pixels(),
    );
    let res = s.upload(&editor, MOPR, form, false).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "accepted: its header reads"
    );
    let photos = s.photos_of(MOPR).await;
    let hash = photos
        .last()
        .unwrap()
        .file
        .strip_prefix("photos/")
        .unwrap()
        .to_owned();

    // While the derivatives are being made, the public page is not kept in the cache.
    let public = |lang: &'static str| {
        let path = format!("{lang}/types/{MOPR}");
        let client = s.client.clone();
        let url = s.url(&path);
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let _ = public("").await;

    let worker = s.media().spawn_worker(std::future::pending::<()>());
    let mut failed = false;
    for _ in 0..300 {
        if matches!(
            s.media().status(&hash).await,
            vitrina_media::PhotoStatus::Failed(_)
        ) {
            failed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    worker.abort();
    assert!(failed, "the derivatives fail for good");

    // Visitors never see it, in either language, on the type page or as a photo page.
    for lang in ["", "/ru"] {
        let page = public(lang).await;
        assert!(
            !page.contains(&hash),
            "{lang}: the broken photo is left out"
        );
        assert!(
            page.contains("/photos/1\""),
            "{lang}: the other photos stay"
        );
    }
    // The curator is told on the page with the upload form.
    let admin = s
        .get(&format!("/admin/types/{MOPR}"), &editor.0)
        .await
        .text()
        .await
        .unwrap();
    assert!(admin.contains("The web sizes could not be made"), "told");
    assert!(admin.contains("id=\"photo-upload\""));
    s.still_serving().await;
}
