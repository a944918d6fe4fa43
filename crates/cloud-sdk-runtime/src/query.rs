//! Query parameters as the generated `send()` writes them: what progenitor's `QueryParam`
//! writes through reqwest's `RequestBuilder::query` (serde into `serde_urlencoded`), with a
//! short path for the scalars every documented parameter is (an integer, a string, an
//! enumerated value, or none of them): the pair goes straight into the URL, without the serde
//! pair machinery and its copies of the name. Anything else (a list, an object, a float, whose
//! text `serde_urlencoded` formats its own way) takes progenitor's path unchanged.

use serde::{Serialize, ser};

/// Appends `name=value` to the query of `request`'s URL, as
/// `.query(&progenitor_client::QueryParam::new(name, value))` on the request builder would;
/// `None` appends nothing. `Err` is the message of a value that cannot be a query parameter.
pub fn query_param<T: Serialize>(
    request: &mut reqwest::Request,
    name: &str,
    value: &T,
) -> Result<(), String> {
    let url = request.url_mut();
    match value.serialize(Scalar {
        url: &mut *url,
        name,
    }) {
        Ok(()) => Ok(()),
        Err(NotScalar) => {
            // progenitor's own path, as reqwest's `RequestBuilder::query` runs it.
            let result = {
                let mut pairs = url.query_pairs_mut();
                progenitor_client::QueryParam::new(name, value)
                    .serialize(serde_urlencoded::Serializer::new(&mut pairs))
                    .map(drop)
            };
            if url.query() == Some("") {
                url.set_query(None);
            }
            result.map_err(|e| format!("query parameter `{name}` cannot be sent: {e}"))
        }
    }
}

/// Not a value this module writes itself: progenitor's path takes it.
#[derive(Debug)]
struct NotScalar;

impl std::fmt::Display for NotScalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a scalar")
    }
}

impl std::error::Error for NotScalar {}

impl ser::Error for NotScalar {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NotScalar
    }
}

/// Writes a scalar as one pair; refuses everything else before writing anything.
struct Scalar<'a> {
    url: &'a mut url::Url,
    name: &'a str,
}

impl Scalar<'_> {
    fn pair(self, value: &str) -> Result<(), NotScalar> {
        self.url.query_pairs_mut().append_pair(self.name, value);
        Ok(())
    }

    fn unsigned(self, value: u64) -> Result<(), NotScalar> {
        let mut digits = [0u8; 20];
        self.pair(decimal(value, false, &mut digits))
    }

    fn signed(self, value: i64) -> Result<(), NotScalar> {
        let mut digits = [0u8; 20];
        self.pair(decimal(value.unsigned_abs(), value < 0, &mut digits))
    }
}

/// `value` in decimal, after a `-` when `negative`, written from the end of `out`: the text
/// `itoa` (and so `serde_urlencoded`) gives, without a formatter.
fn decimal(mut value: u64, negative: bool, out: &mut [u8; 20]) -> &str {
    let mut at = out.len();
    loop {
        at -= 1;
        out[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    if negative {
        at -= 1;
        out[at] = b'-';
    }
    // ASCII digits and `-` only.
    std::str::from_utf8(&out[at..]).unwrap_or_default()
}

type Refused = ser::Impossible<(), NotScalar>;

impl ser::Serializer for Scalar<'_> {
    type Ok = ();
    type Error = NotScalar;
    type SerializeSeq = Refused;
    type SerializeTuple = Refused;
    type SerializeTupleStruct = Refused;
    type SerializeTupleVariant = Refused;
    type SerializeMap = Refused;
    type SerializeStruct = Refused;
    type SerializeStructVariant = Refused;

    fn serialize_bool(self, v: bool) -> Result<(), NotScalar> {
        self.pair(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result<(), NotScalar> {
        self.signed(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), NotScalar> {
        self.signed(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), NotScalar> {
        self.signed(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), NotScalar> {
        self.signed(v)
    }
    // Neither does progenitor's path write 128-bit integers: it fails them, as that path does.
    fn serialize_i128(self, _: i128) -> Result<(), NotScalar> {
        Err(NotScalar)
    }
    fn serialize_u8(self, v: u8) -> Result<(), NotScalar> {
        self.unsigned(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), NotScalar> {
        self.unsigned(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), NotScalar> {
        self.unsigned(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), NotScalar> {
        self.unsigned(v)
    }
    fn serialize_u128(self, _: u128) -> Result<(), NotScalar> {
        Err(NotScalar)
    }
    // `serde_urlencoded` writes floats its own way (ryu): its path keeps them exact.
    fn serialize_f32(self, _: f32) -> Result<(), NotScalar> {
        Err(NotScalar)
    }
    fn serialize_f64(self, _: f64) -> Result<(), NotScalar> {
        Err(NotScalar)
    }
    fn serialize_char(self, v: char) -> Result<(), NotScalar> {
        self.pair(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), NotScalar> {
        self.pair(v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), NotScalar> {
        Err(NotScalar)
    }
    fn serialize_none(self) -> Result<(), NotScalar> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), NotScalar> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), NotScalar> {
        Err(NotScalar)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), NotScalar> {
        Err(NotScalar)
    }
    // An enumerated value: its text, as progenitor writes it.
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), NotScalar> {
        self.pair(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotScalar> {
        Err(NotScalar)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotScalar> {
        Err(NotScalar)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Refused, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_tuple(self, _: usize) -> Result<Refused, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Refused, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Refused, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Refused, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Refused, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Refused, NotScalar> {
        Err(NotScalar)
    }
}

#[cfg(test)]
mod tests {
    use std::{collections::BTreeMap, num::NonZeroU32};

    use super::*;

    #[derive(Serialize)]
    enum Status {
        #[serde(rename = "pendingAcceptance")]
        Pending,
    }

    #[derive(Serialize)]
    struct Wrapped(u32);

    /// The URL progenitor's path gives and the URL this module gives, for one value.
    fn both<T: Serialize>(value: &T) -> (String, String) {
        let client = reqwest::Client::new();
        let base = "https://example.com/v1/x?a=1";
        let theirs = client
            .get(base)
            .query(&progenitor_client::QueryParam::new("k y", value))
            .build()
            .map(|r| r.url().to_string())
            .unwrap_or_else(|_| "refused".to_owned());
        let mut request = client.get(base).build().unwrap();
        let ours = match query_param(&mut request, "k y", value) {
            Ok(()) => request.url().to_string(),
            Err(_) => "refused".to_owned(),
        };
        (theirs, ours)
    }

    #[test]
    fn every_value_gives_the_url_progenitors_path_gives() {
        macro_rules! same {
            ($($value:expr),* $(,)?) => {$(
                let (theirs, ours) = both(&$value);
                assert_eq!(ours, theirs, "{}", stringify!($value));
            )*};
        }
        same!(
            7u32,
            0u8,
            -42i64,
            u64::MAX,
            i64::MIN,
            i64::MAX,
            i8::MIN,
            -1i32,
            10u16,
            1_000_000u32,
            i128::MIN,
            NonZeroU32::new(10),
            Some(3u32),
            None::<u32>,
            Some(Some("x")),
            true,
            'ü',
            "a b&c=d+e/f?g#h%ü",
            String::from("plain"),
            Status::Pending,
            Some(Status::Pending),
            1.5f64,
            0.1f32,
            vec![1u32, 2, 3],
            Wrapped(5),
            BTreeMap::from([("x", 1u32)]),
            (),
        );
    }

    #[test]
    fn nothing_is_written_for_none_and_no_empty_query_is_left() {
        let client = reqwest::Client::new();
        let mut request = client.get("https://example.com/v1").build().unwrap();
        query_param(&mut request, "limit", &None::<u32>).unwrap();
        assert_eq!(request.url().as_str(), "https://example.com/v1");
        query_param(&mut request, "limit", &Vec::<u32>::new()).unwrap();
        assert_eq!(request.url().as_str(), "https://example.com/v1");
    }
}
