//! Virtual time: integer microseconds, so native and wasm agree to the bit.

use std::fmt;

/// Microseconds of virtual time since the simulation started.
pub type Micros = u64;

pub const MS: Micros = 1_000;
pub const SEC: Micros = 1_000_000;

/// Parses `800ms`, `2s`, `1.5s`, `250us`, `3m`. A bare number is rejected: the unit is
/// what makes a scenario readable, and guessing it silently is how demos go wrong.
pub fn parse_duration(text: &str) -> Result<Micros, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("'{t}' has no unit; write e.g. 800ms or 2s"))?;
    let (num, unit) = t.split_at(split);
    let scale: Micros = match unit {
        "us" | "µs" => 1,
        "ms" => MS,
        "s" => SEC,
        "m" | "min" => 60 * SEC,
        "h" => 3_600 * SEC,
        _ => {
            return Err(format!(
                "unknown time unit '{unit}' in '{t}' (use us, ms, s, m or h)"
            ));
        }
    };
    if num.is_empty() {
        return Err(format!("'{t}' has no number before the unit"));
    }
    let (int_part, frac_part) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num, ""),
    };
    if frac_part.contains('.') || (int_part.is_empty() && frac_part.is_empty()) {
        return Err(format!("'{num}' is not a number"));
    }
    let whole: Micros = if int_part.is_empty() {
        0
    } else {
        int_part
            .parse()
            .map_err(|_| format!("'{num}' is too large"))?
    };
    let mut value = whole
        .checked_mul(scale)
        .ok_or_else(|| format!("'{t}' is too long a time"))?;
    // Decimal fractions in integer arithmetic: floats would be fine natively but a
    // trace must never depend on float formatting.
    let mut place = scale;
    for digit in frac_part.chars() {
        place /= 10;
        if place == 0 {
            return Err(format!("'{t}' is more precise than a microsecond"));
        }
        value += (digit as u64 - '0' as u64) * place;
    }
    Ok(value)
}

/// Parses `150-300ms`, `5ms-10ms` or a single `50ms` (a range of one value).
pub fn parse_duration_range(text: &str) -> Result<(Micros, Micros), String> {
    let t = text.trim();
    let (lo, hi) = match t.split_once('-') {
        None => {
            let v = parse_duration(t)?;
            return Ok((v, v));
        }
        Some((lo, hi)) => (lo.trim(), hi.trim()),
    };
    let hi_v = parse_duration(hi)?;
    // `150-300ms`: the unit written once applies to both ends.
    let lo_v = if lo.chars().all(|c| c.is_ascii_digit() || c == '.') {
        let unit: String = hi
            .chars()
            .skip_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        parse_duration(&format!("{lo}{unit}"))?
    } else {
        parse_duration(lo)?
    };
    if lo_v > hi_v {
        return Err(format!("range '{t}' has its low end above its high end"));
    }
    Ok((lo_v, hi_v))
}

/// Formats a duration the way a person reads it: `212ms`, `1.5s`, `37us`.
pub struct Human(pub Micros);

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if us >= SEC {
            let (s, frac) = (us / SEC, us % SEC);
            if frac == 0 {
                write!(f, "{s}s")
            } else {
                let digits = format!("{frac:06}");
                write!(f, "{s}.{}s", digits.trim_end_matches('0'))
            }
        } else if us >= MS {
            if us % MS == 0 {
                write!(f, "{}ms", us / MS)
            } else {
                let frac = format!("{:03}", us % MS);
                write!(f, "{}.{}ms", us / MS, frac.trim_end_matches('0'))
            }
        } else {
            write!(f, "{us}us")
        }
    }
}

/// A duration rounded for narration: whole milliseconds from 10ms up, so a sentence
/// reads "212ms" rather than "212.417ms". Not for round-tripping (use [`Human`]).
pub struct Rounded(pub Micros);

impl fmt::Display for Rounded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if (10 * MS..SEC).contains(&us) {
            write!(f, "{}ms", (us + MS / 2) / MS)
        } else if us >= SEC {
            write!(f, "{}", Human((us + MS / 2) / MS * MS))
        } else {
            write!(f, "{}", Human(us))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_fractions() {
        assert_eq!(parse_duration("800ms"), Ok(800 * MS));
        assert_eq!(parse_duration("2s"), Ok(2 * SEC));
        assert_eq!(parse_duration("1.5s"), Ok(1_500 * MS));
        assert_eq!(parse_duration("250us"), Ok(250));
        assert_eq!(parse_duration("2m"), Ok(120 * SEC));
        assert_eq!(parse_duration("0.25ms"), Ok(250));
        assert_eq!(parse_duration("24h"), Ok(24 * 3_600 * SEC));
        assert_eq!(parse_duration("1.5h"), Ok(5_400 * SEC));
    }

    #[test]
    fn rejects_malformed_durations() {
        assert!(parse_duration("10").unwrap_err().contains("no unit"));
        assert!(
            parse_duration("10d")
                .unwrap_err()
                .contains("unknown time unit 'd'")
        );
        assert!(parse_duration("ms").unwrap_err().contains("no number"));
        assert!(parse_duration("1.2.3s").is_err());
        assert!(
            parse_duration("0.0000001s")
                .unwrap_err()
                .contains("precise")
        );
        assert!(parse_duration("99999999999999999999s").is_err());
    }

    #[test]
    fn parses_ranges() {
        assert_eq!(parse_duration_range("150-300ms"), Ok((150 * MS, 300 * MS)));
        assert_eq!(parse_duration_range("5ms-1s"), Ok((5 * MS, SEC)));
        assert_eq!(parse_duration_range("50ms"), Ok((50 * MS, 50 * MS)));
        assert!(
            parse_duration_range("300-150ms")
                .unwrap_err()
                .contains("low end")
        );
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(Human(212 * MS).to_string(), "212ms");
        assert_eq!(Human(1_500 * MS).to_string(), "1.5s");
        assert_eq!(Human(2 * SEC).to_string(), "2s");
        assert_eq!(Human(37).to_string(), "37us");
        assert_eq!(Human(1_000_001).to_string(), "1.000001s");
        assert_eq!(Human(12_500).to_string(), "12.5ms");
        assert_eq!(Rounded(242_520).to_string(), "243ms");
        assert_eq!(Rounded(1_234_567).to_string(), "1.235s");
        assert_eq!(Rounded(2_500).to_string(), "2.5ms");
    }
}
