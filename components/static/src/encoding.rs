//! Choosing a precompressed variant (`file.br`, `file.gz`) from `Accept-Encoding`.

/// A content coding the component can serve from a precompressed sibling file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Brotli, from `<file>.br`.
    Brotli,
    /// Gzip, from `<file>.gz`.
    Gzip,
}

impl Encoding {
    /// The `Content-Encoding` token.
    pub fn token(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        }
    }

    /// The suffix of the sibling file holding this encoding.
    pub fn file_suffix(self) -> &'static str {
        match self {
            Self::Brotli => ".br",
            Self::Gzip => ".gz",
        }
    }
}

/// The encodings an `Accept-Encoding` value allows, best first (higher `q`
/// first, Brotli before gzip on a tie). Codings with `q=0`, or not named and not
/// covered by `*`, are left out; the identity encoding is always the fallback.
pub fn preferred(accept_encoding: Option<&str>) -> Vec<Encoding> {
    let Some(header) = accept_encoding else {
        return Vec::new();
    };
    let (mut br, mut gzip, mut star) = (None, None, None);
    for item in header.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let mut q = Some(1000);
        for param in parts {
            if let Some((key, value)) = param.split_once('=')
                && key.trim().eq_ignore_ascii_case("q")
            {
                q = parse_qvalue(value.trim());
            }
        }
        let Some(q) = q else { continue };
        match coding.as_str() {
            "br" => br = Some(q),
            "gzip" | "x-gzip" => gzip = Some(q),
            "*" => star = Some(q),
            _ => {}
        }
    }
    let mut ranked: Vec<(u16, Encoding)> = [(br, Encoding::Brotli), (gzip, Encoding::Gzip)]
        .into_iter()
        .filter_map(|(q, enc)| q.or(star).filter(|q| *q > 0).map(|q| (q, enc)))
        .collect();
    // Stable sort: Brotli stays first on equal weight.
    ranked.sort_by_key(|(q, _)| std::cmp::Reverse(*q));
    ranked.into_iter().map(|(_, enc)| enc).collect()
}

/// A `qvalue` (`0`, `0.5`, `1.000`) in thousandths; `None` if malformed.
fn parse_qvalue(value: &str) -> Option<u16> {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{frac:0<3}").parse::<u16>().ok()?;
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Encoding::{Brotli, Gzip};

    #[test]
    fn browsers_get_brotli_then_gzip() {
        assert_eq!(preferred(Some("gzip, deflate, br, zstd")), [Brotli, Gzip]);
        assert_eq!(preferred(Some("gzip")), [Gzip]);
        assert_eq!(preferred(Some("identity")), []);
        assert_eq!(preferred(None), []);
    }

    #[test]
    fn q_values_order_and_exclude() {
        assert_eq!(preferred(Some("br;q=0.5, gzip;q=0.8")), [Gzip, Brotli]);
        assert_eq!(preferred(Some("br;q=0, gzip")), [Gzip]);
        assert_eq!(preferred(Some("*")), [Brotli, Gzip]);
        assert_eq!(preferred(Some("*;q=0.1, br;q=0")), [Gzip]);
        assert_eq!(preferred(Some("BR ; Q=1.0")), [Brotli]);
        assert_eq!(preferred(Some("br;q=2, gzip;q=abc")), []);
    }
}
