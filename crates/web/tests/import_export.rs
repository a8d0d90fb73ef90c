//! Bringing a collection in and taking it out, against a real server on port 0: the
//! workspace's import pages (a Windows-1251 file with semicolons detected, mapped, checked
//! again after a change of mapping, imported as a job and reported), in Russian too; files and
//! requests that are refused; the API's dry run, jobs polled to their end and refusals; the
//! export in every format, private fields only in an owner's private export.

mod common;

use std::time::{Duration, Instant};

use common::curators::{self, Options, Server};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;
use vitrina_catalogue::{Access, Role, SpecimenPrivate, TokenScope, User};
use vitrina_storage::{ApiToken, JobState};
use vitrina_web::auth::secret;

/// Text in Windows-1251, as a Russian Excel saves "CSV (разделители — точка с запятой)".
fn windows_1251(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            c if c.is_ascii() => c as u8,
            'А'..='я' => (c as u32 - 'А' as u32 + 0xC0) as u8,
            'Ё' => 0xA8,
            'ё' => 0xB8,
            '№' => 0xB9,
            '«' => 0xAB,
            '»' => 0xBB,
            c => panic!("{c} is not in this test's Windows-1251"),
        })
        .collect()
}

/// A collector's sheet: a title column in Russian, a year, a metal, a condition (one of them
/// not a condition Vitrina knows, on line 3), an inventory number.
const SHEET: &str = "Название;Год;Материал;Сохранность;Инв. №\r\n\
    Знак ударника первой пятилетки;1931;серебро;отличное;ВТ-101\r\n\
    Знак «Осоавиахим»;1927;бронза;так себе;ВТ-102\r\n\
    Значок ГТО первой ступени;1931;латунь;хорошее;ВТ-103\r\n";

fn sheet() -> Vec<u8> {
    windows_1251(SHEET)
}

/// The same records, clean, in UTF-8 with commas.
const CLEAN: &str = "Title,Year,Material,Inventory number\n\
    Shock worker badge,1931,silver,API-1\n\
    Osoaviakhim badge,1927,bronze,API-2\n";

async fn server(dir: &tempfile::TempDir, max_import_bytes: Option<u64>) -> Server {
    let options = Options {
        demo: true,
        media: Some(vitrina_media::Limits::default()),
        max_import_bytes,
        ..Options::default()
    };
    curators::start(dir, options).await
}

/// Posts the upload form of `/admin/import` (or `/ru/admin/import`).
async fn upload(
    s: &Server,
    (cookie, csrf): &(String, String),
    root: &str,
    name: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let form = form.part("file", Part::bytes(bytes).file_name(name.to_owned()));
    s.client
        .post(s.url(&format!("{root}/import?csrf={csrf}")))
        .header("cookie", cookie)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn job_of(location: &str) -> i64 {
    location
        .rsplit('/')
        .next()
        .and_then(|id| id.split('#').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no job in {location:?}"))
}

/// Waits until the job has ended (an import of a few records takes milliseconds; the bound
/// only keeps a broken run from hanging).
async fn ended(s: &Server, id: i64) -> vitrina_storage::Job {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let job = s.catalogue.import_job(id).await.unwrap();
        if job.state.is_final() {
            return job;
        }
        assert!(
            Instant::now() < deadline,
            "job {id} is still {:?}",
            job.state
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A page as its snapshot keeps it: the session's CSRF token, the times
/// (`<time datetime="…" data-local>…</time>`) and the assets' fingerprints masked.
fn masked(html: &str, csrf: &str) -> String {
    let html = masked_times(&html.replace(csrf, "[csrf]"));
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(at) = rest.find("/assets/") {
        let (before, after) = rest.split_at(at + "/assets/".len());
        out.push_str(before);
        let end = after.find('"').unwrap_or(after.len());
        let name = &after[..end];
        // `admin.dfaad596.css` → `admin.[hash].css`
        let parts: Vec<&str> = name.split('.').collect();
        if parts.len() == 3 {
            out.push_str(&format!("{}.[hash].{}", parts[0], parts[2]));
        } else {
            out.push_str(name);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The times (`<time datetime="…" data-local>…</time>`) as `[time]`.
fn masked_times(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<time datetime=\"") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let end = after.find("</time>").expect("a closed <time>") + "</time>".len();
        out.push_str("<time datetime=\"[time]\" data-local>[time]</time>");
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The `<select>` of a mapped column, from its opening tag to its end.
fn select_of(html: &str, column: usize) -> &str {
    let at = html
        .find(&format!("<select id=\"map-{column}\""))
        .unwrap_or_else(|| panic!("no select for column {column}"));
    let rest = &html[at..];
    &rest[..rest.find("</select>").unwrap()]
}

#[tokio::test]
async fn a_windows_1251_sheet_is_planned_remapped_checked_again_and_imported() {
    let dir = tempfile::tempdir().unwrap();
    let s = server(&dir, None).await;
    let editor = s.curator("anna", Role::Editor).await;
    let types_before = s.catalogue.store().all_slugs().await.unwrap().len();

    // The upload answers with the plan's page.
    let res = upload(&s, &editor, "/admin", "коллекция.csv", sheet(), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = job_of(curators::location(&res));
    let page = s.get(&format!("/admin/import/{id}"), &editor.0).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    // What was detected: the encoding (marked as a guess) and the delimiter.
    assert!(html.contains("Windows-1251"), "{html}");
    assert!(html.contains("class=\"import-guessed\""));
    assert!(html.contains("<dt>Delimiter</dt><dd>semicolon</dd>"));
    // The mapping: each column's field chosen in a list, the recognised one selected, with
    // the column's examples, decoded.
    assert!(select_of(&html, 0).contains("<option value=\"title_en\" selected>Title</option>"));
    assert!(
        select_of(&html, 3).contains("<option value=\"condition\" selected>Condition</option>")
    );
    assert!(html.contains("Знак ударника первой пятилетки"));
    // The problem, with its line, record and column; nothing can be imported while it is there.
    let problems = &html[html.find("import-problems").expect("a problems table")..];
    assert!(
        problems.contains("<tr><td>3</td>") && problems.contains("<td>Сохранность</td>"),
        "{problems}"
    );
    assert!(problems.contains("так себе"));
    assert!(html.contains("disabled aria-describedby=\"import-why-not\""));
    assert!(html.contains(&format!("href=\"/admin/import/{id}/report.csv\"")));
    // The first records as they will be stored, in a few words.
    assert!(html.contains("Значок ГТО первой ступени"));
    assert!(html.contains("brass"), "the metal read as a material");

    // The plan's page is frozen as a snapshot (the session's token and the times masked).
    insta::assert_snapshot!("import_plan_en", masked(&html, &editor.1));

    // The problems as CSV: line, record, column, problem.
    let res = s
        .get(&format!("/admin/import/{id}/report.csv"), &editor.0)
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let csv = res.text().await.unwrap();
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next(), Some("Line,Record,Column,Problem"));
    assert!(lines.next().unwrap().starts_with("3,"), "{csv}");

    // The condition column is left out; checked again, the plan has no problem.
    let mut form: Vec<(String, String)> = vec![("csrf".into(), editor.1.clone())];
    for (i, (header, field)) in [
        ("Название", "title_en"),
        ("Год", "established"),
        ("Материал", "materials"),
        ("Сохранность", ""),
        ("Инв. №", "inventory_number"),
    ]
    .into_iter()
    .enumerate()
    {
        form.push((format!("header.{i}"), header.into()));
        form.push((format!("map.{i}"), field.into()));
    }
    form.push(("mode".into(), "upsert".into()));
    form.push(("save_preset".into(), "Лист коллекционера".into()));
    let res = s
        .client
        .post(s.url(&format!("/admin/import/{id}")))
        .header("cookie", &editor.0)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = s
        .get(&format!("/admin/import/{id}"), &editor.0)
        .await
        .text()
        .await
        .unwrap();
    assert!(select_of(&html, 3).contains("<option value=\"\" selected>Leave out</option>"));
    assert!(html.contains("<dd data-count=\"create\">3</dd>"), "{html}");
    assert!(!html.contains("import-problems"));
    assert!(!html.contains("import-why-not"));

    // Imported: the job runs, then the page reports what was written.
    let res = s
        .post_form(
            &format!("/admin/import/{id}/run"),
            &editor.0,
            &[("csrf", &editor.1)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let job = ended(&s, id).await;
    assert_eq!(job.state, JobState::Done);
    let html = s
        .get(&format!("/admin/import/{id}"), &editor.0)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Types created: 3"), "{html}");
    let slugs = s.catalogue.store().all_slugs().await.unwrap();
    assert_eq!(slugs.len(), types_before + 3);
    // The list shows them (a record named in one language only among them).
    let list = s.get("/admin/types", &editor.0).await.text().await.unwrap();
    assert!(list.contains("Значок ГТО первой ступени"), "{list}");
    // In the history, by the editor who imported it.
    let recent = s
        .get("/admin/history", &editor.0)
        .await
        .text()
        .await
        .unwrap();
    assert!(recent.contains("anna"));

    // Started twice: refused, the first run stands.
    let res = s
        .post_form(
            &format!("/admin/import/{id}/run"),
            &editor.0,
            &[("csrf", &editor.1)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("already been started"));
    assert_eq!(
        s.catalogue.store().all_slugs().await.unwrap().len(),
        types_before + 3
    );
    // Its mapping can no longer be changed either.
    let res = s
        .client
        .post(s.url(&format!("/admin/import/{id}")))
        .header("cookie", &editor.0)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // The upload page lists it.
    let html = s
        .get("/admin/import", &editor.0)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("href=\"/admin/import/{id}\"")));
    assert!(html.contains("коллекция.csv"));
    // The mapping was kept as a preset, offered for the next file.
    assert!(
        html.contains("<option value=\"Лист коллекционера\">"),
        "{html}"
    );
    let presets = s.catalogue.import_presets().await.unwrap();
    assert_eq!(presets[0].columns["Сохранность"], None);
}

#[tokio::test]
async fn the_import_pages_speak_russian() {
    let dir = tempfile::tempdir().unwrap();
    let s = server(&dir, None).await;
    let editor = s.curator("olga", Role::Editor).await;
    let html = s
        .get("/ru/admin/import", &editor.0)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"ru\">"));
    assert!(html.contains("Загрузить и проверить"));
    assert!(html.contains("action=\"/ru/admin/import?csrf="));

    let res = upload(&s, &editor, "/ru/admin", "знаки.csv", sheet(), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = curators::location(&res).to_owned();
    assert!(location.starts_with("/ru/admin/import/"), "{location}");
    let id = job_of(&location);
    let html = s.get(&location, &editor.0).await.text().await.unwrap();
    for words in [
        "Импорт «знаки.csv»",
        "Столбец в файле",
        "ждёт подтверждения",
        "точка с запятой",
        "определена предположительно",
        "Проверить ещё раз",
    ] {
        assert!(html.contains(words), "{words}: {html}");
    }
    // The fields are offered by their Russian labels.
    assert!(
        select_of(&html, 3).contains("<option value=\"condition\" selected>Сохранность</option>")
    );
    assert!(html.contains("<optgroup label=\"Экземпляр\">"));
    insta::assert_snapshot!("import_plan_ru", masked(&html, &editor.1));

    // Checked again with the problem's records imported alone, and run: Russian throughout.
    let res = s
        .post_form(
            &format!("/ru/admin/import/{id}"),
            &editor.0,
            &[("csrf", &editor.1), ("partial", "1"), ("mode", "upsert")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(curators::location(&res).starts_with(&format!("/ru/admin/import/{id}")));
    let res = s
        .post_form(
            &format!("/ru/admin/import/{id}/run"),
            &editor.0,
            &[("csrf", &editor.1)],
        )
        .await;
    assert_eq!(curators::location(&res), format!("/ru/admin/import/{id}"));
    assert_eq!(ended(&s, id).await.state, JobState::Done);
    let html = s
        .get(&format!("/ru/admin/import/{id}"), &editor.0)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Создано типов: 2"), "{html}");
    let csv = s
        .get(&format!("/ru/admin/import/{id}/report.csv"), &editor.0)
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Строка,Запись,Столбец,Ошибка"), "{csv}");

    let html = s
        .get("/ru/admin/export", &editor.0)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Книга Excel (XLSX)"));
    assert!(html.contains("action=\"/ru/admin/export/file\""));
}

#[tokio::test]
async fn bad_uploads_and_requests_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let s = server(&dir, Some(64 * 1024)).await;
    let editor = s.curator("anna", Role::Editor).await;
    let viewer = s.curator("vera", Role::Viewer).await;

    // Not a form: a URL-encoded body.
    let res = s
        .post_form("/admin/import", &editor.0, &[("csrf", &editor.1)])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("This is not an upload form")
    );
    // No file chosen (a browser sends an empty part without a name).
    let form = Form::new()
        .text("mode", "upsert")
        .part("file", Part::bytes(Vec::new()).file_name(""));
    let res = s
        .client
        .post(s.url(&format!("/admin/import?csrf={}", editor.1)))
        .header("cookie", &editor.0)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Choose a file to import.")
    );
    // An empty file.
    let res = upload(&s, &editor, "/admin", "empty.csv", Vec::new(), &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("The file is empty"));
    // A file over the limit, refused while it streams in.
    let res = upload(
        &s,
        &editor,
        "/admin",
        "big.csv",
        vec![b'x'; 100 * 1024],
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().await.unwrap().contains("larger than 64 KB"));
    // An option that is not one.
    let res = upload(
        &s,
        &editor,
        "/admin",
        "a.csv",
        sheet(),
        &[("mode", "merge")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        s.catalogue.import_jobs(10).await.unwrap().is_empty(),
        "nothing was kept"
    );

    // Garbage: kept as a failed job that says why, with nothing to import.
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    let res = upload(&s, &editor, "/admin", "photo.bin", garbage, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = job_of(curators::location(&res));
    let job = s.catalogue.import_job(id).await.unwrap();
    let html = s
        .get(&format!("/admin/import/{id}"), &editor.0)
        .await
        .text()
        .await
        .unwrap();
    match job.state {
        JobState::Failed => assert!(html.contains("class=\"admin-error\""), "{html}"),
        JobState::Queued => assert!(html.contains("import-why-not"), "{html}"),
        other => panic!("garbage made a job {other:?}"),
    }
    assert!(!html.contains("class=\"import-run__button\" aria-describedby=\"import-what\""));

    // Jobs that do not exist.
    for path in [
        "/admin/import/999",
        "/admin/import/abc",
        "/admin/import/-1",
        "/admin/import/999/report.csv",
        "/admin/import/999/progress",
    ] {
        assert_eq!(s.get(path, &editor.0).await.status(), 404, "{path}");
    }
    let res = s
        .post_form("/admin/import/999/run", &editor.0, &[("csrf", &editor.1)])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A viewer may look, not import.
    assert_eq!(s.get("/admin/import", &viewer.0).await.status(), 403);
    let res = upload(&s, &viewer, "/admin", "a.csv", sheet(), &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = s
        .post_form(
            &format!("/admin/import/{id}/run"),
            &viewer.0,
            &[("csrf", &viewer.1)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = s.get(&format!("/admin/import/{id}"), &viewer.0).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(!html.contains("/run\""), "no Import button for a viewer");
    assert!(
        !html.contains(">Import</a>"),
        "no Import in a viewer's menu"
    );

    // Without the CSRF token, nothing is uploaded.
    let form = Form::new().part("file", Part::bytes(sheet()).file_name("a.csv"));
    let res = s
        .client
        .post(s.url("/admin/import"))
        .header("cookie", &editor.0)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

/// An API token for `user` (its secret).
async fn token(s: &Server, user: &User, scope: TokenScope) -> String {
    let secret = format!("vt_{}", secret::random_hex().unwrap());
    s.accounts()
        .create_token(&ApiToken {
            id: None,
            user_id: user.id.unwrap(),
            label: "import-export".into(),
            scope,
            prefix: secret[..8].to_owned(),
            hash: secret::digest(&secret),
            created_at: time::OffsetDateTime::now_utc(),
            last_used_at: None,
        })
        .await
        .unwrap();
    secret
}

async fn post_import(s: &Server, token: &str, query: &str, body: Vec<u8>) -> reqwest::Response {
    s.client
        .post(s.url(&format!("/api/v1/imports{query}")))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn problem(res: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    res.json().await.unwrap()
}

#[tokio::test]
async fn the_api_plans_runs_and_refuses_imports() {
    let dir = tempfile::tempdir().unwrap();
    let s = server(&dir, Some(64 * 1024)).await;
    let editor = s.add_user("anna", Role::Editor).await;
    let viewer = s.add_user("vera", Role::Viewer).await;
    let write = token(&s, &editor, TokenScope::Write).await;
    let read = token(&s, &editor, TokenScope::Read).await;
    let viewer_token = token(&s, &viewer, TokenScope::Write).await;
    let before = s.catalogue.store().all_slugs().await.unwrap().len();

    // A dry run: the plan, and nothing kept.
    let res = post_import(&s, &write, "?dry_run=true&name=sheet.csv", sheet()).await;
    assert_eq!(res.status(), 200);
    let plan: Value = res.json().await.unwrap();
    assert_eq!(plan["source"]["encoding"], "Windows-1251");
    assert_eq!(plan["source"]["encoding_guessed"], true);
    assert_eq!(plan["source"]["delimiter"], ";");
    assert_eq!(plan["columns"][0]["field"], "title_en");
    assert_eq!(plan["problems"][0]["line"], 3);
    assert_eq!(plan["problems"][0]["column"], "Сохранность");
    assert_eq!(plan["can_apply"], false);
    assert!(s.catalogue.import_jobs(10).await.unwrap().is_empty());

    // Problems: 422 with them; the job waits for a curator in the workspace.
    let body = problem(
        post_import(&s, &write, "?name=sheet.csv", sheet()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body["code"], "import-refused");
    assert_eq!(body["problems"][0]["line"], 3);
    assert_eq!(body["job"]["state"], "queued");
    let waiting = body["job"]["id"].as_i64().unwrap();
    assert_eq!(body["job"]["workspace"], format!("/admin/import/{waiting}"));
    // …or, with partial=true, the records without problems are imported.
    let res = post_import(&s, &write, "?name=sheet.csv&partial=true", sheet()).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let job: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/imports/{}", job["id"]));
    assert_eq!(job["state"], "running");
    ended(&s, job["id"].as_i64().unwrap()).await;
    let res = s
        .client
        .get(s.url(&location))
        .bearer_auth(&read)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["state"], "done");
    assert_eq!(done["author"], "anna");
    assert_eq!(done["report"]["report"]["written"]["created"], 2);
    assert_eq!(done["file"], "sheet.csv");

    // A clean file, with options: new records as drafts.
    let res = post_import(
        &s,
        &write,
        "?name=clean.csv&mode=create&drafts=true&delimiter=comma&encoding=UTF-8",
        CLEAN.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let job: Value = res.json().await.unwrap();
    let finished = ended(&s, job["id"].as_i64().unwrap()).await;
    assert_eq!(finished.state, JobState::Done);
    assert_eq!(
        s.catalogue.store().all_slugs().await.unwrap().len(),
        before + 4
    );
    let drafts = s
        .catalogue
        .store()
        .badge_type(&"shock-worker-badge".parse().unwrap(), Access::Private)
        .await
        .unwrap();
    assert!(!drafts.published);
    // The same file again: nothing new, a job that ends having written nothing.
    let res = post_import(&s, &write, "?name=clean.csv", CLEAN.as_bytes().to_vec()).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let job: Value = res.json().await.unwrap();
    assert_eq!(
        ended(&s, job["id"].as_i64().unwrap()).await.state,
        JobState::Done
    );
    assert_eq!(
        s.catalogue.store().all_slugs().await.unwrap().len(),
        before + 4
    );

    // Refused: options that are not theirs, an empty body, a form, too much, garbage.
    for query in [
        "?mode=merge",
        "?partial=yes",
        "?delimiter=%3B",
        "?key=",
        "?dry_run=1",
    ] {
        let body = problem(
            post_import(&s, &write, query, CLEAN.as_bytes().to_vec()).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(body["code"], "bad-query", "{query}");
    }
    problem(
        post_import(&s, &write, "", Vec::new()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let res = s
        .client
        .post(s.url("/api/v1/imports"))
        .bearer_auth(&write)
        .multipart(Form::new().part("file", Part::bytes(sheet()).file_name("a.csv")))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let body = problem(
        post_import(&s, &write, "", vec![b'x'; 100 * 1024]).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert_eq!(body["code"], "too-large");
    let res = post_import(&s, &write, "?preset=nobody-saved-this", sheet()).await;
    assert_eq!(
        problem(res, StatusCode::NOT_FOUND).await["code"],
        "not-found"
    );
    let zip_garbage = [b"PK\x03\x04".as_slice(), &[0u8; 300]].concat();
    let body = problem(
        post_import(&s, &write, "?name=x.zip", zip_garbage).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body["code"], "unreadable");
    assert_eq!(body["job"]["state"], "failed");

    // Jobs that do not exist.
    for path in [
        "/api/v1/imports/99999",
        "/api/v1/imports/abc",
        "/api/v1/imports/0",
    ] {
        let res = s
            .client
            .get(s.url(path))
            .bearer_auth(&read)
            .send()
            .await
            .unwrap();
        problem(res, StatusCode::NOT_FOUND).await;
    }
    // Who may: not a read token, not a viewer, not anonymous.
    problem(
        post_import(&s, &read, "", sheet()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        post_import(&s, &viewer_token, "", sheet()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let res = s
        .client
        .post(s.url("/api/v1/imports"))
        .body(sheet())
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::UNAUTHORIZED).await;
    let res = s.client.get(s.url(&location)).send().await.unwrap();
    problem(res, StatusCode::UNAUTHORIZED).await;
    // The waiting job is still waiting.
    let waiting = s.catalogue.import_job(waiting).await.unwrap();
    assert_eq!(waiting.state, JobState::Queued);
}

/// Every text of an exported file: CSV and JSON as they are, XLSX read back.
fn text_of(format: &str, bytes: &[u8]) -> String {
    if format == "xlsx" {
        let mut book =
            vitrina_formats::Workbook::open(bytes, &vitrina_formats::SpreadsheetOptions::default())
                .unwrap();
        let sheet = book.read_sheet(None).unwrap();
        let mut text = sheet.table.headers.join("\t");
        for row in &sheet.table.rows {
            text.push('\n');
            text.push_str(&row.cells.join("\t"));
        }
        text
    } else {
        String::from_utf8(bytes.to_vec()).unwrap()
    }
}

const SECRET: &str = "PRIVATE-PROVENANCE-e5a1";

#[tokio::test]
async fn the_export_is_public_unless_an_owner_asks_for_private_fields() {
    let dir = tempfile::tempdir().unwrap();
    let s = server(&dir, None).await;
    // A piece with a private provenance.
    let slug = "mopr-badge".parse().unwrap();
    let mut mopr = s
        .catalogue
        .store()
        .badge_type(&slug, Access::Private)
        .await
        .unwrap();
    mopr.variants[0].specimens[0].private = Some(SpecimenPrivate {
        provenance: SECRET.into(),
        ..SpecimenPrivate::default()
    });
    s.catalogue.save_type(&mopr).await.unwrap();
    let owner = s.add_user("olga", Role::Owner).await;
    let editor = s.add_user("anna", Role::Editor).await;
    let owner_token = token(&s, &owner, TokenScope::Read).await;
    let editor_token = token(&s, &editor, TokenScope::Write).await;

    for (format, content_type) in [
        ("csv", "text/csv; charset=utf-8"),
        ("excel", "text/csv; charset=utf-8"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("json", "application/json"),
    ] {
        for (token, private) in [
            (&owner_token, false),
            (&owner_token, true),
            (&editor_token, false),
        ] {
            let res = s
                .client
                .get(s.url(&format!("/api/v1/export?format={format}&private={private}")))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{format} private={private}");
            assert_eq!(res.headers()["content-type"], content_type);
            let disposition = res.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .to_owned();
            assert!(disposition.starts_with("attachment; filename=\"vitrina-export-"));
            assert_eq!(disposition.contains("-private."), private, "{disposition}");
            let text = text_of(format, &res.bytes().await.unwrap());
            assert!(text.contains("MOPR"), "{format}: the records are there");
            assert_eq!(
                text.contains(SECRET),
                private,
                "{format} private={private}: the provenance"
            );
        }
        // Private fields are the owner's.
        let res = s
            .client
            .get(s.url(&format!("/api/v1/export?format={format}&private=true")))
            .bearer_auth(&editor_token)
            .send()
            .await
            .unwrap();
        problem(res, StatusCode::FORBIDDEN).await;
    }
    // Not offered to anyone else; options that are not one are refused.
    for path in ["/api/v1/export", "/api/v1/export?private=true"] {
        problem(
            s.client.get(s.url(path)).send().await.unwrap(),
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    for query in ["?format=pdf", "?private=1", "?format="] {
        let res = s
            .client
            .get(s.url(&format!("/api/v1/export{query}")))
            .bearer_auth(&owner_token)
            .send()
            .await
            .unwrap();
        problem(res, StatusCode::BAD_REQUEST).await;
    }

    // The workspace's export: the same files.
    let (owner_cookie, _) = curators::session_for(s.accounts(), &owner).await;
    let (editor_cookie, _) = curators::session_for(s.accounts(), &editor).await;
    let html = s
        .get("/admin/export", &owner_cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("name=\"private\""));
    let html = s
        .get("/admin/export", &editor_cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("name=\"private\""));
    assert!(html.contains("only the owner may export them"));
    let res = s
        .get("/admin/export/file?format=json&private=1", &owner_cookie)
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("-private.json")
    );
    assert!(res.text().await.unwrap().contains(SECRET));
    let res = s
        .get("/admin/export/file?format=csv&private=1", &editor_cookie)
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = s
        .get("/admin/export/file?format=excel", &editor_cookie)
        .await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a byte-order mark for Excel"
    );
    assert!(!String::from_utf8_lossy(&bytes).contains(SECRET));
    assert_eq!(
        s.get("/admin/export/file?format=pdf", &editor_cookie)
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    // An export imports back: the JSON, into the same catalogue, changes nothing.
    let json = s
        .get("/admin/export/file?format=json", &editor_cookie)
        .await
        .bytes()
        .await
        .unwrap();
    let write = token(&s, &editor, TokenScope::Write).await;
    let res = post_import(&s, &write, "?dry_run=true&name=export.json", json.to_vec()).await;
    assert_eq!(res.status(), 200);
    let plan: Value = res.json().await.unwrap();
    assert_eq!(plan["counts"]["create"], 0, "{plan}");
    assert_eq!(plan["counts"]["update"], 0, "{plan}");
}

#[tokio::test]
async fn the_openapi_document_has_the_transfer_operations() {
    // The document is built from the handlers' annotations: the new operations are in it.
    let site = common::start().await;
    let doc: Value = site.get("/api/v1/openapi.json").await.json().await.unwrap();
    for (path, method) in [
        ("/api/v1/imports", "post"),
        ("/api/v1/imports/{id}", "get"),
        ("/api/v1/export", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    let body = &doc["paths"]["/api/v1/imports"]["post"]["requestBody"]["content"];
    let reference = body["application/octet-stream"]["schema"]["$ref"]
        .as_str()
        .unwrap();
    let schema = &doc["components"]["schemas"][reference.rsplit('/').next().unwrap()];
    assert_eq!(schema["format"], "binary", "{schema}");
    let docs = site.page("/api/v1/docs").await;
    assert!(docs.contains("/api/v1/imports"));
}
