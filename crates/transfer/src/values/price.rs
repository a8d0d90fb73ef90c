//! Prices as paid, with their currency.

use vitrina_catalogue::Price;

use super::{ValueError, quoted};

/// Currency signs and words, and the ISO 4217 code each stands for.
const CURRENCIES: &[(&str, &str)] = &[
    ("$", "USD"),
    ("us$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("₽", "RUB"),
    ("руб.", "RUB"),
    ("руб", "RUB"),
    ("рублей", "RUB"),
    ("рубля", "RUB"),
    ("рубль", "RUB"),
    ("р.", "RUB"),
    ("р", "RUB"),
    ("₴", "UAH"),
    ("грн.", "UAH"),
    ("грн", "UAH"),
    ("dollars", "USD"),
    ("euro", "EUR"),
    ("euros", "EUR"),
];

/// Reads a price: `120 USD`, `USD 120`, `$120`, `120 €`, `1 500,50 руб.`, `₽1500`, `99.50`.
/// The amount is kept as written (a decimal comma read as a point, spaces between thousands
/// dropped); `1,500` alone is refused as ambiguous. Without a currency in the cell, `currency`
/// (a currency column, or the import's default) applies.
pub fn price(s: &str, currency: Option<&str>) -> Result<Price, ValueError> {
    let bad = || {
        ValueError::new(format!(
            "{} is not a price: write 120 USD, $120, 99.50 EUR or 1 500 руб.",
            quoted(s)
        ))
    };
    let t = s.trim().to_lowercase();
    let mut rest = t.as_str();
    let mut code: Option<String> = None;
    // A sign or word before or after the number.
    for (sign, iso) in CURRENCIES {
        if let Some(r) = rest.strip_prefix(sign) {
            rest = r;
            code = Some((*iso).to_owned());
            break;
        }
        if let Some(r) = rest.strip_suffix(sign) {
            rest = r;
            code = Some((*iso).to_owned());
            break;
        }
    }
    let rest = rest.trim();
    let (number, iso) = if code.is_none() {
        // A three-letter code before or after: "120 usd", "eur 99.50".
        let letters = |w: &str| w.len() == 3 && w.bytes().all(|b| b.is_ascii_alphabetic());
        match rest.rsplit_once(' ') {
            Some((n, c)) if letters(c) => (n.trim(), Some(c.to_ascii_uppercase())),
            _ => match rest.split_once(' ') {
                Some((c, n)) if letters(c) => (n.trim(), Some(c.to_ascii_uppercase())),
                _ => (rest, None),
            },
        }
    } else {
        (rest, code)
    };
    let amount = amount(number).ok_or_else(bad)?;
    let currency = match (iso, currency) {
        (Some(c), _) => c,
        (None, Some(c)) if !c.trim().is_empty() => match price(&format!("1 {}", c.trim()), None) {
            Ok(p) => p.currency,
            Err(_) => {
                return Err(ValueError::new(format!(
                    "{} is not a currency: use an ISO 4217 code such as USD, EUR or RUB",
                    quoted(c)
                )));
            }
        },
        _ => {
            return Err(ValueError::new(format!(
                "{}: give the currency (120 USD, 1500 руб.)",
                quoted(s)
            )));
        }
    };
    Ok(Price { amount, currency })
}

/// The amount as a plain decimal: thousands separators dropped, a decimal comma read as a
/// point. `None` when it is not a number or is ambiguous (`1,500`).
fn amount(s: &str) -> Option<String> {
    let s: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\''))
        .collect();
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return None;
    }
    let (points, commas) = (s.matches('.').count(), s.matches(',').count());
    let plain = match (points, commas) {
        (_, 0) => s,
        (0, 1) => {
            let (whole, frac) = s.split_once(',')?;
            // "1,500": thousands or a decimal comma? Refuse rather than guess.
            if frac.len() == 3 && whole.len() <= 3 {
                return None;
            }
            format!("{whole}.{frac}")
        }
        // "1,500.50": commas between thousands.
        (1, _) if s.rfind('.') > s.rfind(',') => s.replace(',', ""),
        // "1.500,50": points between thousands.
        (_, 1) if s.rfind(',') > s.rfind('.') => s.replace('.', "").replace(',', "."),
        _ => return None,
    };
    let ok = plain.bytes().filter(|&b| b == b'.').count() <= 1
        && !plain.starts_with('.')
        && !plain.ends_with('.')
        && plain.len() <= 20;
    ok.then_some(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn p(s: &str) -> (String, String) {
        let p = price(s, None).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        (p.amount, p.currency)
    }

    #[test]
    fn prices_with_signs_codes_and_words() {
        assert_eq!(p("120 USD"), ("120".into(), "USD".into()));
        assert_eq!(p("USD 120"), ("120".into(), "USD".into()));
        assert_eq!(p("$120"), ("120".into(), "USD".into()));
        assert_eq!(p("99.50 EUR"), ("99.50".into(), "EUR".into()));
        assert_eq!(p("99,50 €"), ("99.50".into(), "EUR".into()));
        assert_eq!(p("1 500 руб."), ("1500".into(), "RUB".into()));
        assert_eq!(p("1 500,50 руб."), ("1500.50".into(), "RUB".into()));
        assert_eq!(p("₽1500"), ("1500".into(), "RUB".into()));
        assert_eq!(p("1,500.00 usd"), ("1500.00".into(), "USD".into()));
        assert_eq!(p("1.500,00 EUR"), ("1500.00".into(), "EUR".into()));
        assert_eq!(p("£ 40"), ("40".into(), "GBP".into()));
    }

    #[test]
    fn a_bare_number_takes_the_currency_given_apart() {
        let got = price("1500", Some("руб.")).unwrap();
        assert_eq!(
            (got.amount.as_str(), got.currency.as_str()),
            ("1500", "RUB")
        );
        let got = price("12.5", Some("usd")).unwrap();
        assert_eq!(got.currency, "USD");
        assert!(
            price("1500", None)
                .unwrap_err()
                .to_string()
                .contains("currency")
        );
        assert!(price("1500", Some("dollars?")).is_err());
    }

    #[test]
    fn ambiguous_or_odd_prices_are_refused() {
        for bad in [
            "",
            "free",
            "1,500 USD",
            "-5 USD",
            "1e3 USD",
            "1.2.3 USD",
            ".5 USD",
            "USD",
        ] {
            assert!(price(bad, None).is_err(), "{bad:?}");
        }
    }
}
