//! The language switch: `/lang/{en|ru}?next=/ru/types/x` remembers the choice in a cookie and
//! goes back to `next`, which must be a path on this site (no open redirect).

use crate::routes::{Access, Routes};
use axum::extract::{Path, RawQuery};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use vitrina_catalogue::Lang;

use crate::error::PageError;

pub fn routes() -> Routes {
    Routes::new().get("/lang/{code}", Access::Public, switch)
}

/// `next` if it is a local path (`/…` but not `//…` or `/\…`), else `/`.
pub(crate) fn safe_next(query: Option<&str>) -> String {
    let raw = query
        .unwrap_or("")
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == "next")
        .map(|(_, v)| v.replace('+', " "))
        .unwrap_or_default();
    let Ok(next) = percent_decode_str(&raw).decode_utf8() else {
        return "/".to_owned();
    };
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 2048
        && next.bytes().all(|b| b.is_ascii_graphic());
    if local {
        next.into_owned()
    } else {
        "/".to_owned()
    }
}

async fn switch(
    Path(code): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let Some(lang) = Lang::from_code(&code) else {
        return Err(PageError::not_found(Lang::En));
    };
    let next = safe_next(query.as_deref());
    let location = HeaderValue::from_str(&next).unwrap_or(HeaderValue::from_static("/"));
    let cookie = format!(
        "lang={}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax",
        lang.code()
    );
    let cookie = HeaderValue::from_str(&cookie).map_err(|e| PageError::internal(lang, e))?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, location),
            (SET_COOKIE, cookie),
            (
                axum::http::header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ),
        ],
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("next=%2Fru%2Ftypes%2Fx")), "/ru/types/x");
        assert_eq!(safe_next(Some("next=/ru/")), "/ru/");
        for bad in [
            "next=//evil.example",
            "next=%2F%2Fevil.example",
            "next=https://evil.example",
            "next=/%5Cevil.example",
            "next=%0d%0aSet-Cookie:x",
            "next=",
            "other=1",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
