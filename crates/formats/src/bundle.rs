//! ZIP archives read with suspicion: an import bundle (a sheet and its photos), and the zip
//! inside every XLSX and ODS.
//!
//! Limits on the number of entries, on each entry's and the whole archive's uncompressed size
//! and on the compression ratio are checked twice: against the central directory before
//! anything is inflated, and again while inflating, counting the bytes that really come out,
//! since a hostile archive can declare any sizes it likes. A bundle's entry names must be plain
//! relative paths: absolute paths, `..`, backslashes, drive letters and symbolic links are
//! refused, so nothing read from a bundle can ever be written outside where it belongs.

use std::io::{Cursor, Read};

use zip::ZipArchive;
use zip::result::ZipError as RawZipError;

use crate::limits::human_bytes;

/// Bounds on what a ZIP archive may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// The most entries (files and folders). Default 10,000.
    pub max_entries: usize,
    /// The largest uncompressed entry, in bytes. Default 256 MiB.
    pub max_entry_bytes: u64,
    /// The most uncompressed bytes in all, in bytes. Default 1 GiB.
    pub max_total_bytes: u64,
    /// The highest compression ratio (uncompressed / compressed) of an entry larger than
    /// 1 MiB uncompressed. Default 200: spreadsheets' XML rarely passes 50, photos 1.1, while
    /// a zip bomb reaches 1,000.
    pub max_ratio: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits {
            max_entries: 10_000,
            max_entry_bytes: 256 << 20,
            max_total_bytes: 1 << 30,
            max_ratio: 200,
        }
    }
}

/// Entries smaller than this are never refused for their ratio: a small file of repeated bytes
/// compresses very well and harms no one.
const RATIO_FLOOR: u64 = 1 << 20;

/// Why an archive, or one of its entries, was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipError {
    /// Not a ZIP archive at all, or its directory is damaged.
    #[error("The file is not a ZIP archive, or it is damaged ({0}).")]
    NotAZip(String),
    /// More entries than allowed.
    #[error("The archive holds {entries} files; at most {limit} are read.")]
    TooManyEntries {
        /// How many the archive claims.
        entries: usize,
        /// The bound.
        limit: usize,
    },
    /// One entry is too large once uncompressed.
    #[error("\"{name}\" in the archive is larger than {} once uncompressed; it is not read.", human_bytes(*limit))]
    EntryTooLarge {
        /// The entry's name.
        name: String,
        /// The bound.
        limit: u64,
    },
    /// The entries together are too large once uncompressed.
    #[error("The archive holds more than {} once uncompressed; it is not read.", human_bytes(*limit))]
    TooLarge {
        /// The bound.
        limit: u64,
    },
    /// An entry inflates far more than real files do: a zip bomb.
    #[error(
        "\"{name}\" in the archive is compressed {ratio} to 1, far more than real files are; \
         it looks like a zip bomb and is not read."
    )]
    Bomb {
        /// The entry's name.
        name: String,
        /// Its ratio, uncompressed to compressed.
        ratio: u64,
    },
    /// An entry inflates to more than its header declared.
    #[error(
        "\"{name}\" in the archive is larger than the archive says; the archive is not trusted."
    )]
    SizeMismatch {
        /// The entry's name.
        name: String,
    },
    /// An entry's name could place it outside the folder it is read into.
    #[error("The archive holds \"{name}\", a name that {reason}; such archives are not read.")]
    UnsafeName {
        /// The name as found (decoded for display).
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An entry is a symbolic link.
    #[error("\"{name}\" in the archive is a symbolic link; such archives are not read.")]
    Symlink {
        /// The entry's name.
        name: String,
    },
    /// Two entries have the same name, so which one is meant is unclear.
    #[error("The archive holds two files with the same name; it is not read.")]
    DuplicateNames,
    /// An entry is encrypted.
    #[error(
        "\"{name}\" in the archive is protected by a password; remove the password and try again."
    )]
    Encrypted {
        /// The entry's name.
        name: String,
    },
    /// An entry is compressed with a method other than deflate.
    #[error(
        "\"{name}\" in the archive is compressed with {method}, which is not read; use ordinary ZIP compression."
    )]
    UnsupportedCompression {
        /// The entry's name.
        name: String,
        /// The method's name.
        method: String,
    },
    /// No entry has the name asked for.
    #[error("The archive holds no file named \"{name}\".")]
    NotFound {
        /// The name asked for.
        name: String,
    },
    /// The entry asked for is a folder.
    #[error("\"{name}\" in the archive is a folder, not a file.")]
    IsDirectory {
        /// The name asked for.
        name: String,
    },
    /// An entry could not be inflated (damaged data, wrong checksum).
    #[error("\"{name}\" in the archive is damaged ({message}).")]
    Damaged {
        /// The entry's name.
        name: String,
        /// What the ZIP reader said.
        message: String,
    },
}

/// One entry of a [`Bundle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleEntry {
    /// Its path inside the archive, `/`-separated, without a trailing `/` for folders.
    pub name: String,
    /// Whether it is a folder.
    pub is_dir: bool,
    /// Its uncompressed size as the archive declares it (reading checks the real one).
    pub size: u64,
    /// Its compressed size.
    pub compressed_size: u64,
}

/// A ZIP archive whose names were checked and whose entries are read within [`ZipLimits`].
#[derive(Debug)]
pub struct Bundle<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    /// The listed entries, each with its index in the archive.
    entries: Vec<(BundleEntry, usize)>,
    limits: ZipLimits,
    /// Bytes inflated so far, counted against `max_total_bytes`.
    inflated: u64,
}

impl<'a> Bundle<'a> {
    /// Opens an archive, checking its directory: entry count, declared sizes and ratios, and
    /// every entry's name. macOS's `__MACOSX/` folder and `.DS_Store` files are checked but not
    /// listed.
    pub fn open(bytes: &'a [u8], limits: ZipLimits) -> Result<Self, ZipError> {
        let mut archive = open_archive(bytes)?;
        let metas = check_directory(&mut archive, &limits, true)?;
        let entries = metas
            .into_iter()
            .filter(|(e, _)| !is_mac_clutter(&e.name))
            .collect();
        Ok(Bundle {
            archive,
            entries,
            limits,
            inflated: 0,
        })
    }

    /// The entries, in archive order.
    pub fn entries(&self) -> impl Iterator<Item = &BundleEntry> {
        self.entries.iter().map(|(e, _)| e)
    }

    /// The entry named `name`, if the archive has it (exact match).
    pub fn entry(&self, name: &str) -> Option<&BundleEntry> {
        self.entries().find(|e| e.name == name)
    }

    /// Reads one file, inflating it within the limits (which also count everything read from
    /// this bundle before).
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>, ZipError> {
        let Some((entry, index)) = self.entries.iter().find(|(e, _)| e.name == name) else {
            return Err(ZipError::NotFound {
                name: name.to_owned(),
            });
        };
        if entry.is_dir {
            return Err(ZipError::IsDirectory {
                name: name.to_owned(),
            });
        }
        let entry = entry.clone();
        let mut out =
            Vec::with_capacity(entry.size.min(self.limits.max_entry_bytes).min(64 << 20) as usize);
        let n = inflate(
            &mut self.archive,
            *index,
            &entry,
            &self.limits,
            self.inflated,
            &mut out,
        )?;
        self.inflated += n;
        Ok(out)
    }
}

fn is_mac_clutter(name: &str) -> bool {
    name == "__MACOSX"
        || name.starts_with("__MACOSX/")
        || name.rsplit('/').next() == Some(".DS_Store")
}

fn open_archive(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, ZipError> {
    ZipArchive::new(Cursor::new(bytes)).map_err(|e| ZipError::NotAZip(e.to_string()))
}

/// Checks an XLSX's or ODS's zip before a spreadsheet reader inflates anything: its directory,
/// then every entry inflated into nothing while counting, so that lying sizes are caught too.
/// Entry names are not checked: nothing is written anywhere under them.
pub(crate) fn verify_archive(bytes: &[u8], limits: &ZipLimits) -> Result<(), ZipError> {
    let mut archive = open_archive(bytes)?;
    let entries = check_directory(&mut archive, limits, false)?;
    let mut total = 0;
    for (entry, index) in &entries {
        if !entry.is_dir {
            total += inflate(
                &mut archive,
                *index,
                entry,
                limits,
                total,
                &mut std::io::sink(),
            )?;
        }
    }
    Ok(())
}

/// The directory's entries, after checking their count, declared sizes and ratios, methods,
/// and (when `check_names`) their names.
fn check_directory(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    limits: &ZipLimits,
    check_names: bool,
) -> Result<Vec<(BundleEntry, usize)>, ZipError> {
    if archive.len() > limits.max_entries {
        return Err(ZipError::TooManyEntries {
            entries: archive.len(),
            limit: limits.max_entries,
        });
    }
    let duplicates = archive.has_duplicate_names();
    let mut entries = Vec::with_capacity(archive.len());
    let mut declared_total: u64 = 0;
    for index in 0..archive.len() {
        let file = archive
            .by_index_raw(index)
            .map_err(|e| ZipError::NotAZip(e.to_string()))?;
        let raw = file.name_raw();
        let shown = decode_name(raw);
        let name = if check_names {
            if file.is_symlink() {
                return Err(ZipError::Symlink { name: shown });
            }
            safe_name(&shown)?
        } else {
            shown
        };
        let is_dir = file.is_dir();
        let entry = BundleEntry {
            name: name.trim_end_matches('/').to_owned(),
            is_dir,
            size: file.size(),
            compressed_size: file.compressed_size(),
        };
        if file.encrypted() {
            return Err(ZipError::Encrypted { name: entry.name });
        }
        let method = file.compression();
        if !is_dir
            && !matches!(
                method,
                zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
            )
        {
            return Err(ZipError::UnsupportedCompression {
                name: entry.name,
                method: method.to_string(),
            });
        }
        if entry.size > limits.max_entry_bytes {
            return Err(ZipError::EntryTooLarge {
                name: entry.name,
                limit: limits.max_entry_bytes,
            });
        }
        declared_total = declared_total.saturating_add(entry.size);
        if declared_total > limits.max_total_bytes {
            return Err(ZipError::TooLarge {
                limit: limits.max_total_bytes,
            });
        }
        check_ratio(&entry.name, entry.size, entry.compressed_size, limits)?;
        entries.push((entry, index));
    }
    if duplicates {
        // The zip reader keeps one entry per name, so which name was repeated is lost.
        return Err(ZipError::DuplicateNames);
    }
    Ok(entries)
}

fn check_ratio(name: &str, size: u64, compressed: u64, limits: &ZipLimits) -> Result<(), ZipError> {
    if size > RATIO_FLOOR && size > compressed.max(1).saturating_mul(limits.max_ratio) {
        return Err(ZipError::Bomb {
            name: name.to_owned(),
            ratio: size / compressed.max(1),
        });
    }
    Ok(())
}

/// Inflates entry `index` into `out`, counting real bytes against the entry's declared size,
/// the per-entry and total limits (`before` bytes already spent) and the ratio. Returns the
/// number of bytes inflated.
fn inflate(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    index: usize,
    entry: &BundleEntry,
    limits: &ZipLimits,
    before: u64,
    out: &mut impl std::io::Write,
) -> Result<u64, ZipError> {
    let damaged = |e: &dyn std::fmt::Display| ZipError::Damaged {
        name: entry.name.clone(),
        message: e.to_string(),
    };
    let mut file = archive.by_index(index).map_err(|e| match e {
        RawZipError::UnsupportedArchive(m) => ZipError::UnsupportedCompression {
            name: entry.name.clone(),
            method: m.to_string(),
        },
        e => damaged(&e),
    })?;
    let mut buf = vec![0u8; 64 << 10];
    let mut count: u64 = 0;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // The zip reader checks the declared size too (and says so in these words).
            Err(e) if e.to_string().contains("declared uncompressed size") => {
                return Err(ZipError::SizeMismatch {
                    name: entry.name.clone(),
                });
            }
            Err(e) => return Err(damaged(&e)),
        };
        count += n as u64;
        if count > entry.size {
            return Err(ZipError::SizeMismatch {
                name: entry.name.clone(),
            });
        }
        if count > limits.max_entry_bytes {
            return Err(ZipError::EntryTooLarge {
                name: entry.name.clone(),
                limit: limits.max_entry_bytes,
            });
        }
        if before + count > limits.max_total_bytes {
            return Err(ZipError::TooLarge {
                limit: limits.max_total_bytes,
            });
        }
        check_ratio(&entry.name, count, entry.compressed_size, limits)?;
        out.write_all(&buf[..n]).map_err(|e| damaged(&e))?;
    }
    Ok(count)
}

/// A name's bytes as text: UTF-8 when they are (the flag is often missing), else IBM866, the
/// code page a Russian Windows' built-in ZIP writes names in.
fn decode_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::IBM866
            .decode_without_bom_handling(raw)
            .0
            .into_owned(),
    }
}

/// Checks that `name` is a plain relative path, and returns it.
fn safe_name(name: &str) -> Result<String, ZipError> {
    let refuse = |reason| {
        Err(ZipError::UnsafeName {
            name: name.escape_debug().to_string(),
            reason,
        })
    };
    if name.is_empty() {
        return refuse("is empty");
    }
    if name.chars().any(char::is_control) {
        return refuse("contains control characters");
    }
    if name.contains('\\') {
        return refuse("contains a backslash");
    }
    if name.starts_with('/') {
        return refuse("is an absolute path");
    }
    if name.contains(':') {
        return refuse("contains a colon (a drive letter or a hidden stream)");
    }
    let path = name.strip_suffix('/').unwrap_or(name);
    for component in path.split('/') {
        match component {
            ".." => return refuse("climbs out of its folder with \"..\""),
            "" | "." => return refuse("has an empty or \".\" folder in its path"),
            _ => {}
        }
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn archive(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in files {
            if let Some(dir) = name.strip_suffix('/') {
                w.add_directory(dir, SimpleFileOptions::default()).unwrap();
            } else {
                w.start_file(*name, SimpleFileOptions::default()).unwrap();
                w.write_all(data).unwrap();
            }
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn lists_and_reads() {
        let bytes = archive(&[
            ("sheet.csv", b"a,b\n1,2\n"),
            ("photos/", b""),
            ("photos/фото 1.jpg", b"\xFF\xD8\xFF"),
            ("__MACOSX/photos/._x.jpg", b"junk"),
        ]);
        let mut bundle = Bundle::open(&bytes, ZipLimits::default()).unwrap();
        let names: Vec<_> = bundle
            .entries()
            .map(|e| (e.name.as_str(), e.is_dir))
            .collect();
        assert_eq!(
            names,
            [
                ("sheet.csv", false),
                ("photos", true),
                ("photos/фото 1.jpg", false)
            ]
        );
        assert_eq!(bundle.read("sheet.csv").unwrap(), b"a,b\n1,2\n");
        assert_eq!(bundle.read("photos/фото 1.jpg").unwrap(), b"\xFF\xD8\xFF");
        assert!(matches!(
            bundle.read("photos"),
            Err(ZipError::IsDirectory { .. })
        ));
        assert!(matches!(
            bundle.read("nope"),
            Err(ZipError::NotFound { .. })
        ));
    }

    #[test]
    fn unsafe_names() {
        for (name, reason) in [
            ("../evil.txt", "climbs"),
            ("photos/../../evil.txt", "climbs"),
            ("/etc/passwd", "absolute"),
            ("C:/Windows/evil.dll", "colon"),
            ("..\\..\\evil.txt", "backslash"),
            ("photos\\x.jpg", "backslash"),
            ("a//b", "empty"),
            ("./a", "empty"),
            ("a\u{0}b", "control"),
        ] {
            let err = safe_name(name).unwrap_err();
            assert!(err.to_string().contains(reason), "{name}: {err}");
        }
        assert_eq!(safe_name("photos/").unwrap(), "photos/");
        assert_eq!(safe_name("..hidden/x..y").unwrap(), "..hidden/x..y");
    }

    #[test]
    fn names_in_ibm866_are_decoded() {
        let (raw, _, _) = encoding_rs::IBM866.encode("фото.jpg");
        assert_eq!(decode_name(&raw), "фото.jpg");
        assert_eq!(decode_name("фото.jpg".as_bytes()), "фото.jpg");
    }

    #[test]
    fn limits_from_the_directory() {
        let bytes = archive(&[("a", b"1"), ("b", b"2"), ("c", b"3")]);
        let few = ZipLimits {
            max_entries: 2,
            ..ZipLimits::default()
        };
        assert_eq!(
            Bundle::open(&bytes, few).unwrap_err(),
            ZipError::TooManyEntries {
                entries: 3,
                limit: 2
            }
        );
        let small = ZipLimits {
            max_total_bytes: 2,
            ..ZipLimits::default()
        };
        assert_eq!(
            Bundle::open(&bytes, small).unwrap_err(),
            ZipError::TooLarge { limit: 2 }
        );
        let tiny = ZipLimits {
            max_entry_bytes: 0,
            ..ZipLimits::default()
        };
        assert!(matches!(
            Bundle::open(&bytes, tiny),
            Err(ZipError::EntryTooLarge { .. })
        ));
    }

    #[test]
    fn a_bomb_is_refused_from_its_directory() {
        let zeros = vec![0u8; 8 << 20];
        let bytes = archive(&[("bomb.xml", &zeros)]);
        assert!(bytes.len() < 40_000);
        let err = Bundle::open(&bytes, ZipLimits::default()).unwrap_err();
        assert!(
            matches!(err, ZipError::Bomb { ref name, ratio } if name == "bomb.xml" && ratio > 200),
            "{err}"
        );
        assert!(matches!(
            verify_archive(&bytes, &ZipLimits::default()),
            Err(ZipError::Bomb { .. })
        ));
    }

    #[test]
    fn not_a_zip() {
        assert!(matches!(
            Bundle::open(b"hello", ZipLimits::default()),
            Err(ZipError::NotAZip(_))
        ));
    }
}
