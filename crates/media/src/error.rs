//! What can go wrong with a photo, split into the uploader's mistakes and ours.

use std::io;

/// Why a photo was refused or could not be processed.
///
/// Every variant except [`MediaError::Store`] and [`MediaError::Internal`] is about the bytes
/// someone sent ([`MediaError::is_client_error`]): the web layer answers those with a 4xx and the
/// message, which is written to be shown to the uploader as it is.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Nothing was uploaded.
    #[error("the file is empty")]
    Empty,
    /// The upload is larger than [`crate::Limits::max_bytes`].
    #[error("the file is {bytes} bytes; the limit is {limit} bytes")]
    TooLarge { bytes: u64, limit: u64 },
    /// The header claims more pixels than [`crate::Limits::max_pixels`]; refused before decoding.
    #[error(
        "the picture is {width}×{height} pixels; the limit is {limit} pixels ({} megapixels)",
        limit / 1_000_000
    )]
    TooManyPixels { width: u32, height: u32, limit: u64 },
    /// Decoding would need more memory than [`crate::Limits::max_decode_bytes`].
    #[error("decoding this picture would need more than {limit} bytes of memory")]
    TooMuchMemory { limit: u64 },
    /// A format Vitrina does not take as a photo; `what` says which and what to do instead.
    #[error("{what}")]
    Unsupported { what: String },
    /// The bytes claim to be an image but are not a valid one.
    #[error("the picture is damaged: {0}")]
    Corrupt(String),
    /// The file ends before the picture does (an interrupted upload or copy).
    #[error("the picture is cut short: {0}")]
    Truncated(String),
    /// Decoding took longer than [`crate::Limits::decode_timeout`].
    #[error("the picture took too long to process")]
    DecodeTimeout,
    /// No photo with this hash was ever stored.
    #[error("no photo {0}")]
    NotFound(String),
    /// The media store failed: a server problem, not the uploader's.
    #[error("media store: {0}")]
    Store(#[from] io::Error),
    /// A bug or a crashed worker thread: a server problem.
    #[error("internal error: {0}")]
    Internal(String),
}

impl MediaError {
    /// True when the uploader can fix it (a 4xx); false for server faults (a 5xx).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Store(_) | Self::Internal(_))
    }

    /// True when trying again later could succeed (the worker retries these): server faults,
    /// and a timeout, which a busy machine can cause.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Store(_) | Self::Internal(_) | Self::DecodeTimeout
        )
    }

    pub(crate) fn unsupported(what: impl Into<String>) -> Self {
        Self::Unsupported { what: what.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_and_server_errors_are_told_apart() {
        assert!(MediaError::Empty.is_client_error());
        assert!(MediaError::DecodeTimeout.is_client_error());
        assert!(MediaError::unsupported("HEIC").is_client_error());
        assert!(!MediaError::Store(io::Error::other("disk full")).is_client_error());
        assert!(!MediaError::Internal("panic".into()).is_client_error());
    }

    #[test]
    fn messages_name_the_numbers() {
        let e = MediaError::TooManyPixels {
            width: 50_000,
            height: 50_000,
            limit: 100_000_000,
        };
        assert_eq!(
            e.to_string(),
            "the picture is 50000×50000 pixels; the limit is 100000000 pixels (100 megapixels)"
        );
    }
}
