//! Fractional z-order indices.
//!
//! Every element carries a string key; the scene is painted in ascending key order. A new key can
//! always be generated between any two existing keys, so reordering or inserting one element never
//! renumbers the others: concurrent reorders from different users touch disjoint data and merge
//! (Figma's and Excalidraw's approach). Keys follow David Greenspan's "fractional indexing" scheme:
//! a variable-length integer part (head letter + digits, which keeps keys short when appending
//! repeatedly) followed by a base-62 fraction with no trailing zero.

use serde::{Deserialize, Serialize};
use std::fmt;

const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ZERO: u8 = b'0';
/// The smallest integer part; it has no predecessor, so it may only appear with a fraction.
const SMALLEST_INTEGER: &str = "A00000000000000000000000000";

/// A fractional index: compares lexicographically (byte order), which is paint order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FracIndex(String);

/// Why an index could not be generated or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    /// The string is not a well-formed key.
    #[error("invalid fractional index {0:?}")]
    Invalid(String),
    /// `between(a, b)` was asked with `a >= b`.
    #[error("fractional index bounds are out of order")]
    OutOfOrder,
    /// The key space at the very end or start is exhausted (needs ~10^46 appends).
    #[error("fractional index space exhausted")]
    Exhausted,
}

impl FracIndex {
    /// Parses and validates a key.
    pub fn parse(s: &str) -> Result<Self, IndexError> {
        validate(s)?;
        Ok(Self(s.to_owned()))
    }

    /// The key as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A key strictly between `a` and `b` (`None` meaning "no bound" on that side).
    ///
    /// ```
    /// use inkroom_core::index::FracIndex;
    /// let first = FracIndex::between(None, None).unwrap();
    /// let second = FracIndex::between(Some(&first), None).unwrap();
    /// let middle = FracIndex::between(Some(&first), Some(&second)).unwrap();
    /// assert!(first < middle && middle < second);
    /// ```
    pub fn between(a: Option<&FracIndex>, b: Option<&FracIndex>) -> Result<Self, IndexError> {
        key_between(a.map(|k| k.as_str()), b.map(|k| k.as_str())).map(Self)
    }
}

impl fmt::Display for FracIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for FracIndex {
    type Error = IndexError;
    fn try_from(s: String) -> Result<Self, IndexError> {
        validate(&s)?;
        Ok(Self(s))
    }
}

impl From<FracIndex> for String {
    fn from(k: FracIndex) -> String {
        k.0
    }
}

fn digit_value(c: u8) -> Option<usize> {
    match c {
        b'0'..=b'9' => Some((c - b'0') as usize),
        b'A'..=b'Z' => Some((c - b'A') as usize + 10),
        b'a'..=b'z' => Some((c - b'a') as usize + 36),
        _ => None,
    }
}

fn integer_length(head: u8) -> Option<usize> {
    match head {
        b'a'..=b'z' => Some((head - b'a') as usize + 2),
        b'A'..=b'Z' => Some((b'Z' - head) as usize + 2),
        _ => None,
    }
}

fn validate(key: &str) -> Result<(), IndexError> {
    let bad = || IndexError::Invalid(key.chars().take(64).collect());
    let bytes = key.as_bytes();
    let head = *bytes.first().ok_or_else(bad)?;
    let int_len = integer_length(head).ok_or_else(bad)?;
    if key == SMALLEST_INTEGER || bytes.len() < int_len {
        return Err(bad());
    }
    if bytes[1..].iter().any(|&c| digit_value(c).is_none()) {
        return Err(bad());
    }
    if bytes.len() > int_len && bytes.last() == Some(&ZERO) {
        return Err(bad());
    }
    Ok(())
}

fn split(key: &str) -> (&str, &str) {
    // Callers validated the key, so the head letter is valid and the length is sufficient.
    let n = integer_length(key.as_bytes()[0]).unwrap_or(2);
    key.split_at(n)
}

fn increment_integer(x: &str) -> Option<String> {
    let bytes = x.as_bytes();
    let head = bytes[0];
    let mut digits = bytes[1..].to_vec();
    let mut carry = true;
    for d in digits.iter_mut().rev() {
        let v = digit_value(*d)? + 1;
        if v == DIGITS.len() {
            *d = ZERO;
        } else {
            *d = DIGITS[v];
            carry = false;
            break;
        }
    }
    if carry {
        if head == b'Z' {
            return Some("a0".to_owned());
        }
        if head == b'z' {
            return None;
        }
        let h = head + 1;
        if h > b'a' {
            digits.push(ZERO);
        } else {
            digits.pop();
        }
        let mut out = vec![h];
        out.extend(digits);
        return String::from_utf8(out).ok();
    }
    let mut out = vec![head];
    out.extend(digits);
    String::from_utf8(out).ok()
}

fn decrement_integer(x: &str) -> Option<String> {
    let bytes = x.as_bytes();
    let head = bytes[0];
    let mut digits = bytes[1..].to_vec();
    let mut borrow = true;
    for d in digits.iter_mut().rev() {
        let v = digit_value(*d)?;
        if v == 0 {
            *d = b'z';
        } else {
            *d = DIGITS[v - 1];
            borrow = false;
            break;
        }
    }
    if borrow {
        if head == b'a' {
            return Some("Zz".to_owned());
        }
        if head == b'A' {
            return None;
        }
        let h = head - 1;
        if h < b'Z' {
            digits.push(b'z');
        } else {
            digits.pop();
        }
        let mut out = vec![h];
        out.extend(digits);
        return String::from_utf8(out).ok();
    }
    let mut out = vec![head];
    out.extend(digits);
    String::from_utf8(out).ok()
}

/// A fraction strictly between fractions `a` and `b` (`b = None`: below 1). Neither input has a
/// trailing zero, and neither does the result.
fn midpoint(a: &[u8], b: Option<&[u8]>) -> Vec<u8> {
    if let Some(b) = b {
        let mut n = 0;
        while n < b.len() && a.get(n).copied().unwrap_or(ZERO) == b[n] {
            n += 1;
        }
        if n > 0 {
            let mut out = b[..n].to_vec();
            out.extend(midpoint(a.get(n..).unwrap_or(&[]), Some(&b[n..])));
            return out;
        }
    }
    let digit_a = a.first().and_then(|&c| digit_value(c)).unwrap_or(0);
    let digit_b = b
        .and_then(|b| b.first())
        .and_then(|&c| digit_value(c))
        .unwrap_or(DIGITS.len());
    if digit_b - digit_a > 1 {
        vec![DIGITS[(digit_a + digit_b).div_ceil(2)]]
    } else if let Some(b) = b.filter(|b| b.len() > 1) {
        vec![b[0]]
    } else {
        let mut out = vec![DIGITS[digit_a]];
        out.extend(midpoint(a.get(1..).unwrap_or(&[]), None));
        out
    }
}

fn key_between(a: Option<&str>, b: Option<&str>) -> Result<String, IndexError> {
    let join = |int: &str, frac: Vec<u8>| {
        let mut s = int.to_owned();
        s.push_str(std::str::from_utf8(&frac).unwrap_or_default());
        s
    };
    match (a, b) {
        (None, None) => Ok("a0".to_owned()),
        (None, Some(b)) => {
            let (ib, fb) = split(b);
            if ib == SMALLEST_INTEGER {
                return Ok(join(ib, midpoint(b"", Some(fb.as_bytes()))));
            }
            if !fb.is_empty() {
                return Ok(ib.to_owned());
            }
            decrement_integer(ib).ok_or(IndexError::Exhausted)
        }
        (Some(a), None) => {
            let (ia, fa) = split(a);
            Ok(match increment_integer(ia) {
                Some(i) => i,
                None => join(ia, midpoint(fa.as_bytes(), None)),
            })
        }
        (Some(a), Some(b)) => {
            if a >= b {
                return Err(IndexError::OutOfOrder);
            }
            let (ia, fa) = split(a);
            let (ib, fb) = split(b);
            if ia == ib {
                return Ok(join(ia, midpoint(fa.as_bytes(), Some(fb.as_bytes()))));
            }
            let i = increment_integer(ia).ok_or(IndexError::Exhausted)?;
            if i.as_str() < b {
                Ok(i)
            } else {
                Ok(join(ia, midpoint(fa.as_bytes(), None)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn k(s: &str) -> FracIndex {
        FracIndex::parse(s).unwrap()
    }

    #[test]
    fn known_keys_match_the_reference_scheme() {
        let b = |a: Option<&str>, b: Option<&str>| key_between(a, b).unwrap();
        assert_eq!(b(None, None), "a0");
        assert_eq!(b(Some("a0"), None), "a1");
        assert_eq!(b(None, Some("a0")), "Zz");
        assert_eq!(b(Some("a0"), Some("a1")), "a0V");
        assert_eq!(b(Some("a0V"), Some("a1")), "a0l");
        assert_eq!(b(Some("az"), None), "b00");
        assert_eq!(b(None, Some("b00")), "az");
        assert_eq!(b(Some("a0"), Some("a0V")), "a0G");
    }

    #[test]
    fn malformed_keys_are_rejected() {
        for bad in ["", "a", "a0 ", "!0", "a00", "a0+", SMALLEST_INTEGER] {
            assert!(FracIndex::parse(bad).is_err(), "{bad:?} should be invalid");
        }
        assert_eq!(
            FracIndex::between(Some(&k("a1")), Some(&k("a0"))),
            Err(IndexError::OutOfOrder)
        );
    }

    #[test]
    fn appending_many_keys_keeps_them_short_and_sorted() {
        let mut last: Option<FracIndex> = None;
        for _ in 0..100_000 {
            let next = FracIndex::between(last.as_ref(), None).unwrap();
            if let Some(prev) = &last {
                assert!(prev < &next);
            }
            last = Some(next);
        }
        assert!(last.unwrap().as_str().len() <= 5);
    }

    proptest! {
        #[test]
        fn repeated_insertions_stay_strictly_ordered(choices in prop::collection::vec(0usize..1000, 1..200)) {
            let mut keys: Vec<FracIndex> = vec![FracIndex::between(None, None).unwrap()];
            for c in choices {
                let pos = c % (keys.len() + 1);
                let lo = if pos == 0 { None } else { Some(&keys[pos - 1]) };
                let hi = keys.get(pos);
                let new = FracIndex::between(lo, hi).unwrap();
                prop_assert!(FracIndex::parse(new.as_str()).is_ok());
                if let Some(lo) = lo { prop_assert!(lo < &new); }
                if let Some(hi) = hi { prop_assert!(&new < hi); }
                keys.insert(pos, new);
            }
        }
    }
}
