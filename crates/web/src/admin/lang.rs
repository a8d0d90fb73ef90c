//! The workspace in two languages. `/ru/admin/…` is the Russian workspace: the
//! [`language`] middleware, in front of the router, takes the `/ru` off the path (so both
//! languages are served by the same routes, with the same access decisions) and puts a
//! [`Workspace`] with the language into the request; on the way out it puts `/ru` back on
//! every `Location` that leads into the workspace, so that a curator who works in Russian stays
//! in Russian through every save, sign-in and redirect.
//!
//! The words themselves are English in the code and in the templates (`_("Save")` in a
//! template, [`tr`] and [`trf`] in Rust) and looked up here in one English → Russian table:
//! the templates' strings in [`super::ru_templates`], the code's in [`CODE`]. A test fails when
//! a template names a string that has no Russian.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::{FromRequestParts, Request};
use axum::http::header::LOCATION;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Uri};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;
use vitrina_catalogue::Lang;

/// The language of a workspace request, and its address as the curator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    pub lang: Lang,
    /// The path and query of this page in the English workspace (`/admin/types?page=2`).
    pub here: String,
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace {
            lang: Lang::En,
            here: "/admin".to_owned(),
        }
    }
}

impl Workspace {
    /// The workspace's root in this language: `/admin` or `/ru/admin`.
    pub(crate) fn root(&self) -> &'static str {
        root(self.lang)
    }

    /// The address of this page in `lang`.
    pub(crate) fn url_in(&self, lang: Lang) -> String {
        localise(lang, &self.here)
    }

    /// What every workspace template is given besides its page: `lang`, `a` (the workspace's
    /// root), `p` (the public site's) and `other_lang_url`.
    pub(crate) fn context(&self) -> WorkspaceContext {
        let other = match self.lang {
            Lang::En => Lang::Ru,
            Lang::Ru => Lang::En,
        };
        WorkspaceContext {
            lang: self.lang.code(),
            a: self.root(),
            p: match self.lang {
                Lang::En => "",
                Lang::Ru => "/ru",
            },
            other_lang_url: self.url_in(other),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct WorkspaceContext {
    pub lang: &'static str,
    pub a: &'static str,
    pub p: &'static str,
    pub other_lang_url: String,
}

/// `/admin` or `/ru/admin`.
pub(crate) fn root(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "/admin",
        Lang::Ru => "/ru/admin",
    }
}

/// A workspace address (`/admin/…`) in `lang`; any other address is left as it is.
pub(crate) fn localise(lang: Lang, location: &str) -> String {
    let inside = location == "/admin"
        || location.starts_with("/admin/")
        || location.starts_with("/admin?")
        || location.starts_with("/admin#");
    match lang {
        Lang::Ru if inside => format!("/ru{location}"),
        _ => location.to_owned(),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Workspace {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(of(parts))
    }
}

/// The workspace the [`language`] middleware recorded (English when it did not run).
pub(crate) fn of(parts: &Parts) -> Workspace {
    parts
        .extensions
        .get::<Workspace>()
        .cloned()
        .unwrap_or_else(|| Workspace {
            lang: Lang::En,
            here: parts
                .uri
                .path_and_query()
                .map_or("/admin", |pq| pq.as_str())
                .to_owned(),
        })
}

/// The middleware in front of the router: `/ru/admin/…` is served as `/admin/…` in Russian.
pub(crate) async fn language(mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let russian = path == "/ru/admin" || path.starts_with("/ru/admin/");
    let lang = if russian { Lang::Ru } else { Lang::En };
    if russian {
        let rest = req
            .uri()
            .path_and_query()
            .map_or("/admin", |pq| &pq.as_str()["/ru".len()..])
            .to_owned();
        let mut parts = req.uri().clone().into_parts();
        // `rest` is a suffix of a path and query the router already parsed.
        parts.path_and_query = rest.parse().ok();
        if let Ok(uri) = Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    let here = req
        .uri()
        .path_and_query()
        .map_or("/admin", |pq| pq.as_str())
        .to_owned();
    req.extensions_mut().insert(Workspace { lang, here });
    let mut res = next.run(req).await;
    if russian && let Some(to) = res.headers().get(LOCATION).and_then(|v| v.to_str().ok()) {
        let to = localise(Lang::Ru, to);
        if let Ok(v) = HeaderValue::from_str(&to) {
            res.headers_mut().insert(LOCATION, v);
        }
    }
    res
}

/// The table: English → Russian.
fn table() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        super::ru_templates::TEMPLATES
            .iter()
            .chain(CODE)
            .copied()
            .collect()
    })
}

/// `en` in `lang` (English, or Russian from the table; English when the table lacks it).
pub(crate) fn tr(lang: Lang, en: &str) -> &str {
    match lang {
        Lang::En => en,
        Lang::Ru => table().get(en).copied().unwrap_or(en),
    }
}

/// [`tr`], then each `{name}` replaced by its value.
pub(crate) fn trf(lang: Lang, en: &str, args: &[(&str, &str)]) -> String {
    fill(tr(lang, en), args.iter().map(|(k, v)| (*k, *v)))
}

/// Fills `{name}` holes in one pass, so that a value holding braces is never filled again.
fn fill<'a>(text: &str, args: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let args: Vec<(&str, &str)> = args.collect();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let hole = after.find('}').and_then(|close| {
            args.iter()
                .find(|(k, _)| *k == &after[..close])
                .map(|a| (close, a.1))
        });
        match hole {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The language of the page a template renders (its `lang`).
pub(crate) fn of_state(state: &minijinja::State) -> Lang {
    match state.lookup("lang").as_ref().and_then(|v| v.as_str()) {
        Some("ru") => Lang::Ru,
        _ => Lang::En,
    }
}

/// The template function `_("Page {page} of {pages}", page=2, pages=5)`: the text in the
/// page's language (its `lang`), with the placeholders filled.
pub(crate) fn template_function(
    state: &minijinja::State,
    text: minijinja::Value,
    kwargs: minijinja::value::Kwargs,
) -> Result<String, minijinja::Error> {
    let lang = of_state(state);
    // `_(notice)` of a page without one says nothing.
    let owned;
    let text = match text.as_str() {
        Some(s) => s,
        None if text.is_none() || text.is_undefined() => "",
        None => {
            owned = text.to_string();
            &owned
        }
    };
    let mut args = Vec::new();
    for key in kwargs.args() {
        let v: minijinja::Value = kwargs.get(key)?;
        let v = if v.is_none() || v.is_undefined() {
            String::new()
        } else {
            v.to_string()
        };
        args.push((key.to_owned(), v));
    }
    kwargs.assert_all_used()?;
    if args.is_empty() {
        // A text from elsewhere (`_(notice)`) may be a pattern's: "Restored as version 7".
        return Ok(message(lang, text));
    }
    Ok(fill(
        tr(lang, text),
        args.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    ))
}

/// A message made elsewhere (a validation message, a notice, an upload's refusal) in `lang`:
/// the table's own entry, else the first pattern of the table it fits (`at most {max}
/// characters` fits "at most 200 characters"), with what filled its holes translated in turn;
/// English when nothing fits.
pub(crate) fn message(lang: Lang, en: &str) -> String {
    if lang == Lang::En {
        return en.to_owned();
    }
    translate_message(en, 0)
}

fn translate_message(en: &str, depth: u8) -> String {
    if let Some(ru) = table().get(en) {
        return (*ru).to_owned();
    }
    if depth > 2 {
        return en.to_owned();
    }
    for (pattern, ru) in patterns() {
        if let Some(values) = fit(pattern, en) {
            let values: Vec<(&str, String)> = values
                .into_iter()
                .map(|(k, v)| (k, translate_message(v, depth + 1)))
                .collect();
            return fill(ru, values.iter().map(|(k, v)| (*k, v.as_str())));
        }
    }
    en.to_owned()
}

/// The code's entries with holes, the most specific (most fixed text) first.
fn patterns() -> &'static [(&'static str, &'static str)] {
    static PATTERNS: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        // The code's entries only: the templates' (`Changed {what}`, `{total} types`) are
        // sentences around values, which would half-translate unrelated messages.
        let mut p: Vec<(&str, &str)> = CODE
            .iter()
            .filter(|(en, _)| en.contains('{'))
            .copied()
            .collect();
        let fixed = |s: &str| s.len() - holes(s).iter().map(|h| h.len() + 2).sum::<usize>();
        p.sort_by(|a, b| fixed(b.0).cmp(&fixed(a.0)).then(a.0.cmp(b.0)));
        p
    })
}

/// The names of a text's `{holes}`.
fn holes(s: &str) -> Vec<&str> {
    s.split('{')
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(k, _)| k))
        .collect()
}

/// What fills each hole when `text` is `pattern` with its holes filled; `None` when it is not.
/// Each hole takes the shortest non-empty text that lets the rest fit.
fn fit<'t>(pattern: &'t str, text: &'t str) -> Option<Vec<(&'t str, &'t str)>> {
    // Fixed text and holes, alternating: fixed, hole, fixed, … , fixed.
    let mut fixed = Vec::new();
    let mut names = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}')?;
        fixed.push(&rest[..open]);
        names.push(&rest[open + 1..close]);
        rest = &rest[close + 1..];
    }
    fixed.push(rest);
    if names.is_empty() {
        return None;
    }
    let mut at = text.strip_prefix(fixed[0])?;
    let mut values = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let next = fixed[i + 1];
        let last = i + 1 == names.len();
        let value = if last {
            at.strip_suffix(next)?
        } else {
            // at least one character before the next fixed text
            let skip = at.chars().next()?.len_utf8();
            let end = skip + at[skip..].find(next)?;
            &at[..end]
        };
        if value.is_empty() {
            return None;
        }
        values.push((*name, value));
        at = &at[value.len() + if last { next.len() } else { 0 }..];
        if !last {
            at = &at[next.len()..];
        }
    }
    Some(values)
}

/// The Russian of the strings the code (not a template) shows: titles, notices, messages
/// (entries with `{holes}` are also patterns for [`message`]).
const CODE: &[(&str, &str)] = &[
    // Titles.
    ("Types", "Типы"),
    ("New type", "Новый тип"),
    ("Edit {name}", "Правка: {name}"),
    ("Delete {what}?", "Удалить {what}?"),
    ("Categories", "Разделы"),
    ("New category", "Новый раздел"),
    ("Edit category {slug}", "Правка раздела {slug}"),
    ("The collection", "Коллекция"),
    ("Users", "Пользователи"),
    ("API tokens", "Токены API"),
    ("History", "История"),
    ("History of the type {slug}", "История типа {slug}"),
    ("History of the category {slug}", "История раздела {slug}"),
    (
        "History of the collection {slug}",
        "История коллекции {slug}",
    ),
    ("Sign in", "Вход"),
    ("Create the owner", "Создание владельца"),
    ("Preview", "Предпросмотр"),
    // Notices.
    ("Saved", "Сохранено"),
    ("Restored", "Восстановлено"),
    ("Restored as version {n}", "Восстановлено как версия {n}"),
    (
        "Preview only: nothing was saved yet.",
        "Это только предпросмотр: ничего ещё не сохранено.",
    ),
    (
        "A draft copy: edit it and publish it when ready",
        "Черновая копия: исправьте её и опубликуйте, когда будет готова",
    ),
    (
        "That category changed since you opened the list; nothing was changed",
        "Раздел изменился, пока был открыт список; ничего не изменено",
    ),
    (
        "That version cannot be restored: its slug is taken by another record",
        "Эту версию нельзя восстановить: её адрес занят другой записью",
    ),
    (
        "Deleted. To undo, restore the version you want below.",
        "Удалено. Чтобы отменить удаление, восстановите нужную версию ниже.",
    ),
    // Confirmations.
    (
        "Delete the type “{name}” with its {variants} variants and {specimens} specimens? It can be restored from its history.",
        "Удалить тип «{name}» вместе с вариантами ({variants}) и экземплярами ({specimens})? Его можно восстановить из истории.",
    ),
    (
        "Delete {what} from “{name}”? The type's history keeps it: restoring the version before this one brings it back.",
        "Удалить {what} из типа «{name}»? История типа сохранит его: восстановление предыдущей версии вернёт его.",
    ),
    (
        "Delete the category “{name}”? Its types stay in the collection, outside it. It can be restored from its history.",
        "Удалить раздел «{name}»? Его типы останутся в коллекции, вне раздела. Раздел можно восстановить из истории.",
    ),
    ("the variant “{name}”", "вариант «{name}»"),
    ("the specimen {n}", "экземпляр {n}"),
    ("no. {n}", "№ {n}"),
    ("the photo {file}", "фотографию {file}"),
    // Photo targets.
    ("variant {n}", "вариант {n}"),
    ("piece {n}", "экземпляр {n}"),
    ("No. {n}", "№ {n}"),
    // Signing in.
    ("Wrong name or password.", "Неверное имя или пароль."),
    ("{n} seconds", "{n} с"),
    ("{n} minutes", "{n} мин"),
    (
        "Too many failed sign-ins. Wait {wait} before trying again, or ask the owner to reset your password.",
        "Слишком много неудачных попыток входа. Подождите {wait} и попробуйте снова или попросите владельца сбросить пароль.",
    ),
    // Roles, records and what was done to them.
    ("owner", "владелец"),
    ("editor", "редактор"),
    ("viewer", "наблюдатель"),
    ("read", "чтение"),
    ("write", "запись"),
    ("type", "тип"),
    ("category", "раздел"),
    ("collection", "коллекция"),
    ("create", "создание"),
    ("update", "правка"),
    ("delete", "удаление"),
    ("restore", "восстановление"),
    // Validation.
    ("this cannot be empty", "поле не может быть пустым"),
    ("at most {max} characters", "не более {max} символов"),
    ("at least {min} characters", "не менее {min} символов"),
    ("at most {max} bytes", "не более {max} байт"),
    ("at most {max} entries", "не более {max} записей"),
    (
        "at most {max} rows in one form",
        "не более {max} строк в одной форме",
    ),
    (
        "contains control characters",
        "содержит управляющие символы",
    ),
    (
        "control characters are not allowed",
        "управляющие символы недопустимы",
    ),
    (
        "no spaces at the start or end",
        "без пробелов в начале и в конце",
    ),
    (
        "a badge type needs an English name",
        "у типа знака должно быть название по-английски",
    ),
    (
        "use an ISO 639 language code such as mn or ru",
        "укажите код языка по ISO 639, например mn или ru",
    ),
    (
        "the period ends before it starts",
        "период кончается раньше, чем начинается",
    ),
    (
        "a link must start with https:// or http://",
        "ссылка должна начинаться с https:// или http://",
    ),
    (
        "give a positive minimum no larger than the maximum",
        "укажите положительный минимум, не больше максимума",
    ),
    (
        "the range ends before it starts",
        "диапазон кончается раньше, чем начинается",
    ),
    (
        "give the engraved text or describe it",
        "приведите текст гравировки или опишите её",
    ),
    (
        "a length needs mm, cm or in",
        "длина указывается в mm, cm или in",
    ),
    ("a weight needs g or oz", "вес указывается в g или oz"),
    (
        "write the price as a number such as 120 or 99.50",
        "запишите цену числом, например 120 или 99.50",
    ),
    (
        "use an ISO 4217 code such as USD, EUR or RUB",
        "укажите код валюты по ISO 4217, например USD, EUR или RUB",
    ),
    ("not a valid media key", "недопустимое имя файла"),
    (
        "that day does not exist in that month",
        "такого дня в этом месяце нет",
    ),
    (
        "the month must be between 1 and 12",
        "месяц должен быть от 1 до 12",
    ),
    (
        "the year must be between {min} and {max}",
        "год должен быть от {min} до {max}",
    ),
    (
        "write a date as YYYY, YYYY-MM or YYYY-MM-DD, a decade as 193X, and add ~ when approximate",
        "запишите дату как ГГГГ, ГГГГ-ММ или ГГГГ-ММ-ДД, десятилетие как 193X, а приблизительную \
         дату отметьте знаком ~",
    ),
    (
        "a decade starts at a year ending in 0 and has no month or day",
        "десятилетие начинается с года, оканчивающегося на 0, и не имеет месяца и дня",
    ),
    (
        "{problem} (write a year, a month or a day: 1938, 1940-05, 1932-06-15, 193X, 1935~)",
        "{problem} (укажите год, месяц или день: 1938, 1940-05, 1932-06-15, 193X, 1935~)",
    ),
    (
        "the number must be greater than zero and below 100000",
        "число должно быть больше нуля и меньше 100000",
    ),
    (
        "write a positive number such as 3.2, 1/8 or 1 1/2",
        "запишите положительное число, например 3.2, 1/8 или 1 1/2",
    ),
    ("a slug cannot be empty", "адрес не может быть пустым"),
    (
        "a slug is at most {max} characters",
        "адрес — не более {max} символов",
    ),
    (
        "a slug may hold only lowercase letters a–z, digits and single hyphens between them",
        "в адресе допустимы только строчные латинские буквы a–z, цифры и одиночные дефисы между ними",
    ),
    ("a period needs its start", "у периода должно быть начало"),
    ("choose a role", "выберите роль"),
    (
        "choose the script of the original name",
        "выберите письменность названия в оригинале",
    ),
    ("not a number", "это не число"),
    ("not a whole number", "это не целое число"),
    ("there is no category {slug}", "раздела {slug} нет"),
    ("unknown material {value}", "неизвестный материал {value}"),
    ("unknown value {value}", "неизвестное значение {value}"),
    (
        "{value} is not a whole number from 0 to {max}",
        "{value} — не целое число от 0 до {max}",
    ),
    (
        "choose the side the area is on",
        "выберите сторону, на которой это место",
    ),
    ("choose the {what}", "выберите: {what}"),
    (
        "unknown {what} {value}",
        "неизвестное значение ({what}): {value}",
    ),
    ("side", "сторона"),
    ("area", "место"),
    ("kind of mark", "вид клейма"),
    ("dimension", "что измерено"),
    ("unit", "единица"),
    ("the two passwords differ", "пароли не совпадают"),
    (
        "a user with this name exists",
        "пользователь с таким именем уже есть",
    ),
    (
        "a user named {name} already exists",
        "пользователь {name} уже есть",
    ),
    ("there is no user named {name}", "пользователя {name} нет"),
    (
        "choose owner, editor or viewer",
        "выберите: владелец, редактор или наблюдатель",
    ),
    ("choose read or write", "выберите: чтение или запись"),
    (
        "a viewer's tokens can only read",
        "токены наблюдателя могут только читать",
    ),
    (
        "The last owner cannot be disabled.",
        "Последнего владельца нельзя отключить.",
    ),
    (
        "The last owner cannot be given another role.",
        "Последнему владельцу нельзя дать другую роль.",
    ),
    // Photos.
    ("the file is empty", "файл пуст"),
    (
        "the file is {bytes} bytes; the limit is {limit} bytes",
        "в файле {bytes} байт; предел — {limit} байт",
    ),
    (
        "the picture is {width}×{height} pixels; the limit is {limit} pixels ({mp} megapixels)",
        "изображение {width}×{height} пикселей; предел — {limit} пикселей ({mp} мегапикселей)",
    ),
    (
        "decoding this picture would need more than {limit} bytes of memory",
        "для разбора этого изображения нужно больше {limit} байт памяти",
    ),
    (
        "the picture is damaged: {why}",
        "изображение повреждено: {why}",
    ),
    (
        "the picture is cut short: {why}",
        "изображение обрезано: {why}",
    ),
    (
        "the picture took too long to process",
        "изображение обрабатывалось слишком долго",
    ),
    (
        "the photo could not be stored; please try again",
        "не удалось сохранить фотографию; попробуйте ещё раз",
    ),
    (
        "the chosen specimen is not one of this type's",
        "выбранный экземпляр не относится к этому типу",
    ),
    // Field names as the summary names them.
    ("About", "Примерно"),
    ("Amount", "Значение"),
    ("Currency", "Валюта"),
    ("Established", "Учреждён"),
    ("Issuer: abbreviation", "Учредитель: сокращение"),
    (
        "Issuer: abbreviation, Latin",
        "Учредитель: сокращение латиницей",
    ),
    (
        "Issuer: name (English)",
        "Учредитель: название (по-английски)",
    ),
    ("Issuer: name (Russian)", "Учредитель: название (по-русски)"),
    ("Language of the original", "Язык оригинала"),
    ("Password again", "Пароль ещё раз"),
    ("Recorded absent", "Отмечено отсутствие"),
    // The history's words: what changed, and where.
    ("yes", "да"),
    ("no", "нет"),
    ("the variant", "вариант"),
    ("the piece of {variant}", "экземпляр, {variant}"),
    (
        "the piece {inventory} of {variant}",
        "экземпляр {inventory}, {variant}",
    ),
    ("a variant", "вариант"),
    ("a variant “{name}”", "вариант «{name}»"),
    ("a piece", "экземпляр"),
    ("the piece {inventory}", "экземпляр {inventory}"),
    ("a photo ({role})", "фотография ({role})"),
    ("a photo", "фотография"),
    ("an engraving", "гравировка"),
    ("a hallmark", "клеймо"),
    ("a measurement", "измерение"),
    ("a mark", "признак подлинности"),
    ("a reference", "источник"),
    ("an item of {list}", "элемент ({list})"),
    ("English name", "название по-английски"),
    ("Russian name", "название по-русски"),
    ("original inscription", "надпись в оригинале"),
    ("script of the original", "письменность оригинала"),
    ("language of the original", "язык оригинала"),
    ("slug", "адрес (slug)"),
    ("position in the collection", "место в коллекции"),
    ("published", "опубликован"),
    ("categories", "разделы"),
    ("issuer's abbreviation", "сокращение учредителя"),
    (
        "issuer's Latin abbreviation",
        "сокращение учредителя латиницей",
    ),
    ("issuer's English name", "учредитель по-английски"),
    ("issuer's Russian name", "учредитель по-русски"),
    ("date established", "дата учреждения"),
    ("first year of award", "начало вручения"),
    ("last year of award", "конец вручения"),
    ("event (English)", "событие (по-английски)"),
    ("event (Russian)", "событие (по-русски)"),
    ("event date", "дата события"),
    ("event place (English)", "место события (по-английски)"),
    ("event place (Russian)", "место события (по-русски)"),
    ("English description", "описание по-английски"),
    ("Russian description", "описание по-русски"),
    ("English title", "заглавие по-английски"),
    ("Russian title", "заглавие по-русски"),
    ("English introduction", "вступление по-английски"),
    ("Russian introduction", "вступление по-русски"),
    ("reference", "источник"),
    ("reference's address", "адрес источника"),
    ("materials", "материалы"),
    ("plating", "покрытие"),
    ("fitting", "крепление"),
    ("maker", "изготовитель"),
    ("enamel (English)", "эмаль (по-английски)"),
    ("enamel (Russian)", "эмаль (по-русски)"),
    ("size from (mm)", "размер от (мм)"),
    ("size to (mm)", "размер до (мм)"),
    ("weight from (g)", "вес от (г)"),
    ("weight to (g)", "вес до (г)"),
    ("first serial number", "первый номер"),
    ("last serial number", "последний номер"),
    ("mark (English)", "признак подлинности (по-английски)"),
    ("mark (Russian)", "признак подлинности (по-русски)"),
    (
        "public notes (English)",
        "примечания для посетителей (по-английски)",
    ),
    (
        "public notes (Russian)",
        "примечания для посетителей (по-русски)",
    ),
    ("inventory number", "инвентарный номер"),
    ("condition", "сохранность"),
    ("rarity", "редкость"),
    ("engraving's text", "текст гравировки"),
    (
        "engraving's description (English)",
        "описание гравировки (по-английски)",
    ),
    (
        "engraving's description (Russian)",
        "описание гравировки (по-русски)",
    ),
    ("side of the engraving", "сторона гравировки"),
    ("place of the engraving", "место гравировки"),
    ("kind of hallmark", "вид клейма"),
    ("hallmark present", "клеймо есть"),
    (
        "hallmark's description (English)",
        "описание клейма (по-английски)",
    ),
    (
        "hallmark's description (Russian)",
        "описание клейма (по-русски)",
    ),
    ("side of the hallmark", "сторона клейма"),
    ("place of the hallmark", "место клейма"),
    ("provenance (private)", "происхождение (скрыто)"),
    ("date acquired (private)", "дата приобретения (скрыто)"),
    ("price paid (private)", "цена покупки (скрыто)"),
    ("currency (private)", "валюта (скрыто)"),
    ("storage location (private)", "место хранения (скрыто)"),
    ("private notes", "личные заметки"),
    ("photo's role", "роль фотографии"),
    (
        "photo's alt text (English)",
        "описание фотографии для незрячих (по-английски)",
    ),
    (
        "photo's alt text (Russian)",
        "описание фотографии для незрячих (по-русски)",
    ),
    (
        "photo's caption (English)",
        "подпись к фотографии (по-английски)",
    ),
    (
        "photo's caption (Russian)",
        "подпись к фотографии (по-русски)",
    ),
    ("photo's credit", "автор фотографии"),
    ("photo's file", "файл фотографии"),
    ("photo's width", "ширина фотографии"),
    ("photo's height", "высота фотографии"),
    ("photo is an illustration", "фотография — иллюстрация"),
    ("measured dimension", "что измерено"),
    ("measured value", "измеренное значение"),
    ("unit of the measurement", "единица измерения"),
    ("measurement is approximate", "измерение приблизительное"),
    ("the type “{name}”", "тип «{name}»"),
    ("the category “{name}”", "раздел «{name}»"),
    ("the type", "тип"),
    ("the category", "раздел"),
    ("the collection", "коллекцию"),
    // Conflicts.
    (
        "Someone else saved this category (now version {version}) after you opened it. Your changes are NOT saved: compare them with the stored record below; saving again replaces the stored record with yours.",
        "Кто-то другой сохранил этот раздел (теперь это версия {version}), пока он был у вас открыт. Ваши изменения НЕ сохранены: сравните их с сохранённой записью ниже; повторное сохранение заменит сохранённую запись вашей.",
    ),
    (
        "Someone else saved this type (now version {version}) after you opened it. Your changes are NOT saved: compare them with the stored record below; saving again replaces the stored record with yours.",
        "Кто-то другой сохранил этот тип (теперь это версия {version}), пока он был у вас открыт. Ваши изменения НЕ сохранены: сравните их с сохранённой записью ниже; повторное сохранение заменит сохранённую запись вашей.",
    ),
    (
        "Someone else saved this type (now version {version}) after you opened it. Your changes are NOT saved: they are kept in the form below; compare them with the stored values and save again.",
        "Кто-то другой сохранил этот тип (теперь это версия {version}), пока он был у вас открыт. Ваши изменения НЕ сохранены: они остались в форме ниже; сравните их с сохранёнными значениями и сохраните снова.",
    ),
    (
        "Someone else changed the collection after you opened this page. Your changes are NOT saved: compare them with the stored text below; saving again replaces the stored text with yours.",
        "Кто-то другой изменил коллекцию, пока эта страница была у вас открыта. Ваши изменения НЕ сохранены: сравните их с сохранённым текстом ниже; повторное сохранение заменит сохранённый текст вашим.",
    ),
    // A field's name and its problem, or a file's name and its refusal.
    ("{field}: {problem}", "{field}: {problem}"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_addresses_keep_their_language_and_others_are_left_alone() {
        assert_eq!(localise(Lang::Ru, "/admin"), "/ru/admin");
        assert_eq!(
            localise(Lang::Ru, "/admin/types/x?notice=Saved"),
            "/ru/admin/types/x?notice=Saved"
        );
        assert_eq!(localise(Lang::Ru, "/admin?x=1"), "/ru/admin?x=1");
        assert_eq!(localise(Lang::Ru, "/administrator"), "/administrator");
        assert_eq!(localise(Lang::Ru, "/types/x"), "/types/x");
        assert_eq!(
            localise(Lang::Ru, "https://elsewhere/admin"),
            "https://elsewhere/admin"
        );
        assert_eq!(localise(Lang::En, "/admin/types"), "/admin/types");
    }

    #[test]
    fn the_other_language_is_the_same_page() {
        let w = Workspace {
            lang: Lang::Ru,
            here: "/admin/types?page=2".into(),
        };
        let c = w.context();
        assert_eq!(c.a, "/ru/admin");
        assert_eq!(c.p, "/ru");
        assert_eq!(c.other_lang_url, "/admin/types?page=2");
        let w = Workspace {
            lang: Lang::En,
            ..w
        };
        assert_eq!(w.context().other_lang_url, "/ru/admin/types?page=2");
    }

    #[test]
    fn messages_made_elsewhere_are_translated_by_their_patterns() {
        assert_eq!(
            message(Lang::Ru, "at most 200 characters"),
            "не более 200 символов"
        );
        assert_eq!(
            message(
                Lang::Ru,
                "the month must be between 1 and 12 (write a year, a month or a day: 1938, 1940-05, 1932-06-15, 193X, 1935~)"
            ),
            "месяц должен быть от 1 до 12 (укажите год, месяц или день: 1938, 1940-05, 1932-06-15, 193X, 1935~)"
        );
        assert_eq!(
            message(Lang::Ru, "choose the kind of mark"),
            "выберите: вид клейма"
        );
        assert_eq!(
            message(Lang::Ru, "unknown unit \"furlong\""),
            "неизвестное значение (единица): \"furlong\""
        );
        assert_eq!(
            message(
                Lang::Ru,
                "scan.jpg: the picture is damaged: bad Huffman code"
            ),
            "scan.jpg: изображение повреждено: bad Huffman code"
        );
        assert_eq!(
            message(Lang::Ru, "Restored as version 7"),
            "Восстановлено как версия 7"
        );
        assert_eq!(message(Lang::Ru, "nothing like it"), "nothing like it");
        assert_eq!(
            message(Lang::En, "at most 200 characters"),
            "at most 200 characters"
        );
    }

    #[test]
    fn a_pattern_fits_only_what_it_says() {
        assert_eq!(
            fit("at most {max} characters", "at most 5 characters"),
            Some(vec![("max", "5")])
        );
        assert_eq!(fit("at most {max} characters", "at most  characters"), None);
        assert_eq!(
            fit("at most {max} characters", "at least 5 characters"),
            None
        );
        assert_eq!(
            fit("{a}: {b}", "x.jpg: the picture is damaged: y"),
            Some(vec![("a", "x.jpg"), ("b", "the picture is damaged: y")])
        );
        assert_eq!(fit("no holes", "no holes"), None);
    }

    #[test]
    fn the_tables_say_each_english_string_once() {
        let mut seen = std::collections::HashMap::new();
        for (en, ru) in super::super::ru_templates::TEMPLATES.iter().chain(CODE) {
            if let Some(before) = seen.insert(*en, *ru) {
                assert_eq!(before, *ru, "{en:?} is translated two ways");
            }
            assert!(!ru.trim().is_empty(), "{en:?} has an empty Russian");
            fn sorted(s: &str) -> Vec<&str> {
                let mut h = holes(s);
                h.sort_unstable();
                h
            }
            assert_eq!(
                sorted(en),
                sorted(ru),
                "{en:?} and {ru:?} differ in placeholders"
            );
        }
    }

    /// Every `_("…")` of every embedded template has its Russian.
    #[test]
    fn every_template_string_has_its_russian() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut missing = Vec::new();
        let mut count = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for literal in literals(&text) {
                count += 1;
                if !table().contains_key(literal.as_str()) {
                    missing.push(format!("{}: {literal:?}", path.display()));
                }
            }
        }
        assert!(
            count > 100,
            "only {count} strings found: is `_(` still the marker?"
        );
        assert!(
            missing.is_empty(),
            "no Russian for:\n{}",
            missing.join("\n")
        );
    }

    /// The string literals passed to `_(`.
    fn literals(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find("_(") {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + 2..];
            // `field_label(`, `upload_form(`: a name that ends in `_`, not the function `_`.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let trimmed = rest.trim_start();
            let Some(body) = trimmed.strip_prefix('"') else {
                continue;
            };
            let mut lit = String::new();
            let mut chars = body.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => lit.extend(chars.next()),
                    '"' => break,
                    c => lit.push(c),
                }
            }
            out.push(lit);
        }
        out
    }

    #[test]
    fn placeholders_are_filled_in_either_language() {
        assert_eq!(
            trf(Lang::En, "{n} of {m}", &[("n", "1"), ("m", "2")]),
            "1 of 2"
        );
        assert_eq!(
            tr(Lang::Ru, "not a string anyone wrote"),
            "not a string anyone wrote"
        );
        // A value is never filled in again.
        assert_eq!(
            trf(Lang::En, "{a}/{b}", &[("a", "{b}"), ("b", "x")]),
            "{b}/x"
        );
        assert_eq!(trf(Lang::En, "{unknown} {", &[]), "{unknown} {");
    }
}
