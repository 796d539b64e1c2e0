//! Reading the deployed server's loose lead records: each field takes what a Mongo document may
//! hold for it (a number where text is meant, `null`, a populated user object where an id is
//! meant) and gives the typed value; only a value that means nothing for its field fails, and
//! [`Lead::from_wire`](crate::Lead::from_wire) then keeps that value aside instead of the lead.

use serde::de::{Deserializer, Error as _};
use serde::Deserialize;
use serde_json::Value;

use crate::LeadSource;

/// Text, a number or a boolean as text; `null` as none. An object or array is refused.
pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(D::Error::custom(format!("expected text, found {}", kind(&other)))),
    }
}

/// [`opt_text`], with none as "".
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    opt_text(d).map(Option::unwrap_or_default)
}

/// A user's id: the id itself, or a populated user (`{_id, name, email}`).
pub fn user_ref<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Object(user) => match user.get("_id") {
            Some(Value::String(id)) => Ok(Some(id.clone())),
            _ => Err(D::Error::custom("a user without an _id")),
        },
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        other => Err(D::Error::custom(format!("expected a user id, found {}", kind(&other)))),
    }
}

/// A yes/no: a boolean, or the text or number a CSV left (`"true"`, `"yes"`, `1`…).
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Value::deserialize(d)?;
    let word = match &v {
        Value::Null => return Ok(None),
        Value::Bool(b) => return Ok(Some(*b)),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_ascii_lowercase(),
        other => return Err(D::Error::custom(format!("expected yes or no, found {}", kind(other)))),
    };
    match word.as_str() {
        "" => Ok(None),
        "true" | "yes" | "y" | "t" | "1" => Ok(Some(true)),
        "false" | "no" | "n" | "f" | "0" => Ok(Some(false)),
        _ => Err(D::Error::custom(format!("expected yes or no, found {v}"))),
    }
}

/// A list of texts; a single text is a list of one, `null` an empty list.
pub fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let item = |v: Value| match v {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(D::Error::custom(format!("expected text in the list, found {}", kind(&other)))),
    };
    match Value::deserialize(d)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items.into_iter().map(item).collect(),
        one => Ok(vec![item(one)?]),
    }
}

/// A source in any case (`"nextgen"`); `""` or `null` as none. Any other value is refused.
pub fn source<'de, D: Deserializer<'de>>(d: D) -> Result<Option<LeadSource>, D::Error> {
    match Option::<String>::deserialize(d)?.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => LeadSource::parse(s).map(Some).ok_or_else(|| D::Error::custom(format!("unknown source {s:?}"))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
