//! The categories an import names: those that exist (matched by slug, title or the slug a
//! name would make), and those it creates, each made once.

use std::collections::HashMap;

use vitrina_catalogue::{Category, Slug, Text, Validate};

use super::{ImportedCategory, ReadOptions};
use crate::values::{ValueError, quoted};

/// The categories an import names: those that exist, and those it creates.
pub(super) struct CategoryBook {
    known: Vec<Category>,
    by_slug: HashMap<String, usize>,
    by_title: HashMap<String, usize>,
    /// Every category named, in order of first mention: (index in `known` or `created`).
    used: Vec<(bool, usize, Vec<u64>)>,
    used_index: HashMap<String, usize>,
    /// Names already resolved, as written (most sheets repeat a few names on every row).
    names: HashMap<String, Slug>,
    created: Vec<Category>,
    next_position: i64,
    published: bool,
}

/// A category as a cell names it: a slug or title, and titles for a new one.
pub(super) struct Named {
    pub name: String,
    pub en: String,
    pub ru: String,
}

impl CategoryBook {
    pub fn new(options: &ReadOptions) -> Self {
        let known = options.categories.clone();
        let mut by_slug = HashMap::new();
        let mut by_title = HashMap::new();
        for (i, c) in known.iter().enumerate() {
            by_slug.insert(c.slug.as_str().to_owned(), i);
            for t in [&c.title.en, &c.title.ru] {
                if !t.trim().is_empty() {
                    by_title.entry(t.trim().to_lowercase()).or_insert(i);
                }
            }
        }
        Self {
            next_position: known.iter().map(|c| c.position).max().unwrap_or(0) + 1,
            known,
            by_slug,
            by_title,
            used: Vec::new(),
            used_index: HashMap::new(),
            names: HashMap::new(),
            created: Vec::new(),
            published: options.published,
        }
    }

    /// The slug of the category a cell names: an existing one by slug, by title (either
    /// language, any case) or by the slug its name would make; else a new one, made once (its
    /// slug the name when the name is a slug, else derived from it; its title the `en:` part,
    /// else the name).
    pub fn resolve(&mut self, named: Named, line: u64) -> Result<Slug, ValueError> {
        let name = named.name.trim();
        let slug = match self.names.get(name) {
            Some(slug) => slug.clone(),
            None => {
                let slug = match (
                    self.by_slug.get(name),
                    self.by_title.get(&name.to_lowercase()),
                ) {
                    (Some(&i), _) | (None, Some(&i)) => self.known[i].slug.clone(),
                    (None, None) => Slug::parse(name)
                        .ok()
                        .or_else(|| Slug::from_title(name))
                        .ok_or_else(|| {
                            ValueError::new(format!(
                                "{}: no slug can be made from this category's name",
                                quoted(name)
                            ))
                        })?,
                };
                self.names.insert(name.to_owned(), slug.clone());
                slug
            }
        };
        let key = slug.as_str().to_owned();
        if let Some(&u) = self.used_index.get(&key) {
            let (existing, i, _) = self.used[u];
            if !existing {
                let c = &self.created[i];
                if (!named.en.is_empty() && named.en != c.title.en)
                    || (!named.ru.is_empty() && named.ru != c.title.ru)
                {
                    return Err(ValueError::new(format!(
                        "the category {} is titled {} elsewhere in the file",
                        quoted(name),
                        quoted(&c.title.en)
                    )));
                }
            }
            self.used[u].2.push(line);
            return Ok(slug);
        }
        let entry = match self.by_slug.get(&key) {
            Some(&i) => (true, i, vec![line]),
            None => {
                let category = Category {
                    id: None,
                    slug: slug.clone(),
                    position: self.next_position,
                    title: Text {
                        en: if named.en.is_empty() {
                            name.to_owned()
                        } else {
                            named.en
                        },
                        ru: named.ru,
                    },
                    introduction: Text::default(),
                    published: self.published,
                    version: 0,
                };
                if let Err(errors) = category.validate() {
                    return Err(ValueError::new(format!(
                        "the new category {}: {errors}",
                        quoted(name)
                    )));
                }
                self.next_position += 1;
                self.created.push(category);
                (false, self.created.len() - 1, vec![line])
            }
        };
        self.used_index.insert(key, self.used.len());
        self.used.push(entry);
        Ok(slug)
    }

    pub fn into_imported(self) -> Vec<ImportedCategory> {
        let (known, created) = (self.known, self.created);
        self.used
            .into_iter()
            .map(|(existing, i, lines)| ImportedCategory {
                category: if existing {
                    known[i].clone()
                } else {
                    created[i].clone()
                },
                existing,
                lines,
            })
            .collect()
    }
}
