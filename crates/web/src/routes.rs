//! The route table as data. Every route is added through [`Routes`], which takes the method,
//! the path, who may call it ([`Access`]) and the handler, and keeps a row for each: the
//! router is built from the same calls, so the table cannot drift from it. A route cannot be
//! added without an access decision; the authorisation test (`tests/authz.rs`) walks
//! [`table`] and calls every row as anonymous, viewer, editor and owner, with sessions and
//! with read and write tokens, so a decision the handler's extractors do not enforce fails it.
//! The same table answers `405 Method Not Allowed` with the `Allow` header under `/api/`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};
use serde::Serialize;

use crate::state::App;

/// Who may call a route. The handler enforces it by its extractors ([`crate::auth::Curator`],
/// [`crate::auth::Editor`], [`crate::auth::Owner`], and for the API `Reader`, `CuratorReader`
/// and `Writer`); the row states it so that it can be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// Anyone. A curator may be shown more (drafts, private fields), never less.
    Public,
    /// Any signed-in user: viewer, editor or owner, by session or by a token of either scope.
    Curator,
    /// Any signed-in user, from a browser session only: tokens are refused, so that a leaked
    /// token cannot make others.
    Session,
    /// Owners and editors, by session or by a write token.
    Editor,
    /// Owners only.
    Owner,
}

/// One row of the route table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    #[serde(serialize_with = "method_name")]
    pub method: Method,
    /// The path pattern as the router has it (`/api/v1/types/{slug}`).
    pub path: &'static str,
    pub access: Access,
}

fn method_name<S: serde::Serializer>(m: &Method, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(m.as_str())
}

/// A router under construction, with its table.
#[derive(Debug)]
pub struct Routes {
    router: Router<App>,
    table: Vec<Route>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Routes {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    /// `GET` (and with it `HEAD`).
    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, App>,
        T: 'static,
    {
        self.method(Method::GET, path, access, on(MethodFilter::GET, handler))
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, App>,
        T: 'static,
    {
        self.method(Method::POST, path, access, on(MethodFilter::POST, handler))
    }

    pub fn put<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, App>,
        T: 'static,
    {
        self.method(Method::PUT, path, access, on(MethodFilter::PUT, handler))
    }

    pub fn patch<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, App>,
        T: 'static,
    {
        self.method(
            Method::PATCH,
            path,
            access,
            on(MethodFilter::PATCH, handler),
        )
    }

    pub fn delete<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, App>,
        T: 'static,
    {
        self.method(
            Method::DELETE,
            path,
            access,
            on(MethodFilter::DELETE, handler),
        )
    }

    /// One method of a path, as a prepared [`MethodRouter`] (for a route with its own layers,
    /// such as an upload's body limit). `route` must answer `method` only.
    pub fn method(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        route: MethodRouter<App>,
    ) -> Self {
        assert!(
            !self
                .table
                .iter()
                .any(|r| r.method == method && r.path == path),
            "{method} {path} is added twice"
        );
        self.table.push(Route {
            method,
            path,
            access,
        });
        // axum merges a second method router for a path with the first.
        self.router = self.router.route(path, route);
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        for r in &other.table {
            assert!(
                !self
                    .table
                    .iter()
                    .any(|s| s.method == r.method && s.path == r.path),
                "{} {} is added twice",
                r.method,
                r.path
            );
        }
        self.table.extend(other.table);
        self.router = self.router.merge(other.router);
        self
    }

    pub fn into_parts(self) -> (Router<App>, Vec<Route>) {
        (self.router, self.table)
    }
}

/// Every route of the site and the API, in the order they are added.
pub(crate) fn all() -> Routes {
    use crate::pages;
    Routes::new()
        .merge(pages::home::routes())
        .merge(pages::category::routes())
        .merge(pages::badge_type::routes())
        .merge(pages::language::routes())
        .merge(pages::media::routes())
        .merge(pages::search::routes())
        .merge(pages::assets::routes())
        .merge(pages::health::routes())
        .merge(crate::auth::routes())
        .merge(crate::admin::routes())
        .merge(crate::uploads::routes())
        .merge(crate::api::routes())
}

/// The route table: every route the router answers, with its access decision.
pub fn table() -> &'static [Route] {
    static TABLE: OnceLock<Vec<Route>> = OnceLock::new();
    TABLE.get_or_init(|| all().into_parts().1)
}

/// The methods a concrete path answers, by the table (for `405`'s `Allow`), or `None` for a
/// path no route matches.
pub(crate) fn allowed(path: &str) -> Option<String> {
    static PATHS: OnceLock<matchit::Router<Vec<Method>>> = OnceLock::new();
    let paths = PATHS.get_or_init(|| {
        let mut by_path: BTreeMap<&str, Vec<Method>> = BTreeMap::new();
        for r in table() {
            let methods = by_path.entry(r.path).or_default();
            if r.method == Method::GET {
                methods.push(Method::HEAD);
            }
            methods.push(r.method.clone());
        }
        let mut router = matchit::Router::new();
        for (path, methods) in by_path {
            // the table's paths are the router's, which accepted them
            let _ = router.insert(path, methods);
        }
        router
    });
    let found = paths.at(path).ok()?;
    let mut names: Vec<&str> = found.value.iter().map(Method::as_str).collect();
    names.sort_unstable();
    names.dedup();
    Some(names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_in_the_table_once() {
        let table = table();
        assert!(table.len() > 50, "{} routes", table.len());
        for (i, r) in table.iter().enumerate() {
            assert!(
                !table[..i]
                    .iter()
                    .any(|s| s.method == r.method && s.path == r.path),
                "{} {}",
                r.method,
                r.path
            );
        }
    }

    #[test]
    fn writes_are_never_public_except_signing_in() {
        for r in table() {
            if r.method != Method::GET && r.access == Access::Public {
                assert!(
                    r.path.starts_with("/admin/login") || r.path.starts_with("/admin/setup/"),
                    "{} {} changes something and is public",
                    r.method,
                    r.path
                );
            }
        }
    }

    #[test]
    fn allow_lists_a_resources_methods() {
        assert_eq!(
            allowed("/api/v1/types/some-badge").as_deref(),
            Some("DELETE, GET, HEAD, PATCH, PUT")
        );
        assert_eq!(allowed("/api/v1/nothing-here"), None);
    }
}
